"""The session note: the physician's signature (which freezes the generated content with its
SHA-256 and locks the session) and addenda, the only corrections after signing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.actions.credentials import confirm_password
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import hooks, policies, states
from ketaclinic.infusions.actions._base import lock, require, transition
from ketaclinic.infusions.models import InfusionSession, NoteAddendum, SessionNote
from ketaclinic.infusions.notecontent import note_content, sha256_of

WRONG_PASSWORD = "That password is not right."  # noqa: S105 - a message, not a secret


def password_ok(by: Membership, password: str, request: HttpRequest | None) -> bool:
    """The signer's password again: through ``confirm_password`` (the lockout counts) when
    there is a request, as plan signing does; the stored hash otherwise (commands, tests)."""
    if request is not None:
        return confirm_password(request, password)
    return bool(password) and by.user.check_password(password)


def sign_note(
    by: Membership,
    session: InfusionSession,
    *,
    password: str,
    request: HttpRequest | None = None,
) -> SessionNote:
    """Sign the note of a discharged session: refused while any sign blocker
    (``infusions.hooks.sign_blockers``) gives a reason, or on a wrong password. The content
    built now is frozen with the SHA-256 of its canonical JSON; the session becomes signed."""
    require(policies.can_take(by, session, "sign"), "Only a physician signs the session note.")
    if session.state != states.DISCHARGED:
        raise ValidationError(
            {"__all__": f"The note cannot be signed while the session is {session.state_label}."}
        )
    reasons = hooks.sign_blockers(session)
    if reasons:
        raise ValidationError({"__all__": [f"Not yet: {r}" for r in reasons]})
    if not password_ok(by, password, request):
        raise ValidationError({"password": WRONG_PASSWORD})
    with transaction.atomic():
        locked = lock(session)
        if locked.state != states.DISCHARGED or SessionNote.objects.filter(session=locked).exists():
            raise ValidationError({"__all__": "This note is signed already."})
        content = note_content(locked)
        digest = sha256_of(content)
        now = timezone.now()
        note = SessionNote.objects.create(
            session=locked, content=content, content_sha256=digest, signed_at=now, signed_by=by.user
        )
        transition(
            by, locked, "sign", at=now, after={"note": note.pk, "sha256": digest}, request=request
        )
    return note


def add_addendum(
    by: Membership, note: SessionNote, *, text: str, request: HttpRequest | None = None
) -> NoteAddendum:
    """Append a correction or addition to a signed note (physician or nurse)."""
    session = note.session
    require(policies.can_chart(by, session), "Your role cannot add to this note.")
    body = text.strip()
    if not body:
        raise ValidationError({"text": "Write the addendum."})
    with transaction.atomic():
        addendum = NoteAddendum.objects.create(note=note, text=body, by=by.user)
        record(
            "infusions.note.addendum",
            request=request,
            by=by,
            clinic=session.clinic,
            obj=session,
            patient_ref=session.patient_id,
            after={"note": note.pk, "addendum": addendum.pk},
        )
    return addendum
