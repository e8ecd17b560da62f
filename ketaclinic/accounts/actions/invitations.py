"""Inviting an account that already exists, and the person's answer.

A clinic admin invites an email; when it already has an account (another clinic's staff, a
therapist who works with several clinics) no membership is made and nothing about the account
changes: the person is emailed, signs in with their own account, sees the invitation on their
home page and accepts (or declines) it. Accepting creates their ``Membership`` here with the
invited role. The admin learns only the invitation's own state, never where else the person
works (attaching an account without its owner's say would give this clinic's admin power over
their sessions, which is why ``staff.invite_staff`` used to refuse such addresses).

``invitation_accepted`` (sender ``Invitation``; ``invitation``, ``membership``, ``request``)
is sent inside the accepting transaction, so the app that owns the invitation's ``subject``
(careteam: an outside professional's record) links it in the same commit.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.dispatch import Signal
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Invitation, Membership, Role, User
from ketaclinic.audit.log import record

# How long the person has to answer; after that the admin sends a new one.
INVITATION_VALID_FOR = dt.timedelta(days=14)
ALREADY_HERE = "This person already has a role in this clinic."
NOT_PENDING = "This invitation has already been answered, withdrawn or has expired."

invitation_accepted = Signal()


def _snapshot(inv: Invitation) -> dict[str, object]:
    return {"status": inv.status, "role": inv.role, "user": inv.user_id}


def invite_existing_account(
    by: Membership,
    user: User,
    *,
    role: str,
    subject: models.Model | None = None,
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite ``user`` (an existing account) to take ``role`` at the admin's clinic.

    An earlier invitation of the same person still waiting is withdrawn (the new one replaces
    it), so the person sees one invitation per clinic.
    """
    if not acts_as(by, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin invites people.")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    with transaction.atomic():
        if Membership.objects.filter(user=user, clinic=by.clinic).exists():
            raise ValidationError({"email": ALREADY_HERE})
        now = timezone.now()
        Invitation.objects.filter(
            clinic=by.clinic,
            user=user,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            clinic=by.clinic,
            user=user,
            role=role,
            invited_by=by.user,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
            subject_type=(
                ContentType.objects.get_for_model(subject, for_concrete_model=True)
                if subject is not None
                else None
            ),
            subject_id=str(subject.pk) if subject is not None else "",
        )
        record(
            "invitation.send",
            by=by,
            request=request,
            obj=invitation,
            after={**_snapshot(invitation), "new_account": False},
        )
        transaction.on_commit(lambda: _send_invitation(request, invitation))
    return invitation


def _send_invitation(request: HttpRequest | None, invitation: Invitation) -> None:
    """Mail the person: which clinic, which role, and where to answer (after signing in)."""
    path = reverse("accounts:invitations")
    site = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}" if request else ""
    context = {"invitation": invitation, "clinic": invitation.clinic, "url": site + path}
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.user.email])


def pending_for(user: User) -> models.QuerySet[Invitation]:
    """The invitations ``user`` may still answer, newest first."""
    return Invitation.objects.filter(
        user=user,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("clinic", "invited_by")


def _own_pending(user: User, invitation: Invitation) -> Invitation:
    """The invitation locked, if it is ``user``'s; 404 for anyone else's (not confirmed)."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("clinic", "user")
        .filter(pk=invitation.pk, user=user)
        .first()
    )
    if locked is None or not user.is_active:
        raise Http404("No such invitation.")
    if not locked.is_pending:
        raise ValidationError(NOT_PENDING)
    return locked


def accept_invitation(
    user: User, invitation: Invitation, *, request: HttpRequest | None = None
) -> Membership:
    """The invited person, signed in with their own account, takes the role."""
    with transaction.atomic():
        locked = _own_pending(user, invitation)
        if Membership.objects.filter(user=user, clinic=locked.clinic).exists():
            raise ValidationError(ALREADY_HERE)
        membership = Membership.objects.create(user=user, clinic=locked.clinic, role=locked.role)
        before = _snapshot(locked)
        locked.accepted_at = timezone.now()
        locked.membership = membership
        locked.save(update_fields=["accepted_at", "membership"])
        record(
            "invitation.accept",
            actor=user,
            clinic=locked.clinic,
            request=request,
            obj=locked,
            before=before,
            after={**_snapshot(locked), "membership": membership.pk},
        )
        invitation_accepted.send(
            sender=Invitation, invitation=locked, membership=membership, request=request
        )
    invitation.accepted_at, invitation.membership = locked.accepted_at, membership
    return membership


def decline_invitation(
    user: User, invitation: Invitation, *, request: HttpRequest | None = None
) -> Invitation:
    with transaction.atomic():
        locked = _own_pending(user, invitation)
        before = _snapshot(locked)
        locked.declined_at = timezone.now()
        locked.save(update_fields=["declined_at"])
        record(
            "invitation.decline",
            actor=user,
            clinic=locked.clinic,
            request=request,
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def withdraw_invitation(
    by: Membership, invitation: Invitation, *, request: HttpRequest | None = None
) -> Invitation:
    """The clinic admin withdraws an invitation still waiting for an answer."""
    if not acts_as(by, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin manages invitations.")
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, clinic=by.clinic)
            .first()
        )
        if locked is None:
            raise Http404("No such invitation in this clinic.")
        if not locked.is_pending:
            raise ValidationError(NOT_PENDING)
        before = _snapshot(locked)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(
            "invitation.withdraw",
            by=by,
            request=request,
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked
