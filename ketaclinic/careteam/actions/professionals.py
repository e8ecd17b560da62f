"""Outside professionals: create, edit (audited before/after), archive, link an account.

Values are checked here as well as in the form (phone to E.164, licence state, email,
specialties), so the demo seed and any command get the same rules. Nothing is deleted: a
professional who no longer works with the clinic is archived and leaves the directory, and
their past referrals and care-team memberships stay as they were.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.actions.invitations import invite_existing_account
from ketaclinic.accounts.actions.staff import invite_staff
from ketaclinic.accounts.models import Invitation, Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.careteam import policies
from ketaclinic.careteam.models import OutsideProfessional, Specialty
from ketaclinic.careteam.validation import normalise_phone, normalise_state

EDITABLE = (
    "name",
    "credentials",
    "licence_number",
    "licence_state",
    "practice",
    "email",
    "phone",
    "address",
    "specialties",
    "accepting_referrals",
    "in_directory",
)
TEXT = ("name", "credentials", "licence_number", "practice", "address")
NO_EMAIL = "Add the professional's email address first: the invitation goes there."


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of ``values``, normalised; ValidationError naming each bad field."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            cleaned[name] = _clean(name, value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = ["Enter the professional's name."]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean(name: str, value: Any) -> Any:
    if name in TEXT:
        return str(value or "").strip()
    if name == "licence_state":
        return normalise_state(str(value or ""))
    if name == "phone":
        return normalise_phone(str(value or ""))
    if name == "email":
        email = str(value or "").strip().lower()
        if email:
            validate_email(email)
        return email
    if name == "specialties":
        chosen = [str(s) for s in value or []]
        if set(chosen) - set(Specialty.values):
            raise ValidationError("Choose specialties from the list.")
        return [s for s in Specialty.values if s in chosen]  # the list's order, once each
    return bool(value)  # accepting_referrals, in_directory


def _snapshot(p: OutsideProfessional) -> dict[str, Any]:
    return {name: getattr(p, name) for name in EDITABLE}


def _require_editor(by: Membership | None, professional: OutsideProfessional) -> None:
    if not policies.can_edit_professional(by, professional):
        raise PermissionDenied("Only the clinic admin and coordinators keep the directory.")


def _locked(professional: OutsideProfessional) -> OutsideProfessional:
    return OutsideProfessional.objects.select_for_update().get(pk=professional.pk)


def create_professional(
    by: Membership, *, values: dict[str, Any], request: HttpRequest | None = None
) -> OutsideProfessional:
    professional = OutsideProfessional(clinic=by.clinic)
    _require_editor(by, professional)
    cleaned = clean_values({"name": "", **values})
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(professional, name, value)
        professional.save()
        record(
            "careteam.professional.create",
            by=by,
            request=request,
            obj=professional,
            after=_snapshot(professional),
        )
    return professional


def update_professional(
    by: Membership,
    professional: OutsideProfessional,
    changes: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> OutsideProfessional:
    """Change some fields; the audit entry keeps each changed field's before and after."""
    _require_editor(by, professional)
    cleaned = clean_values(changes)
    with transaction.atomic():
        locked = _locked(professional)
        if locked.is_archived:
            raise ValidationError("This professional is archived; their record is kept as is.")
        before = _snapshot(locked)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        after = _snapshot(locked)
        changed = [name for name in EDITABLE if before[name] != after[name]]
        if changed:
            locked.save(update_fields=changed)
            record(
                "careteam.professional.update",
                by=by,
                request=request,
                obj=locked,
                before=before,
                after=after,
            )
    for name in EDITABLE:
        setattr(professional, name, getattr(locked, name))
    return professional


def archive_professional(
    by: Membership,
    professional: OutsideProfessional,
    *,
    reason: str = "",
    request: HttpRequest | None = None,
) -> OutsideProfessional:
    """Take a professional out of the directory for good (never deleted)."""
    _require_editor(by, professional)
    with transaction.atomic():
        locked = _locked(professional)
        if locked.is_archived:
            raise ValidationError("This professional is already archived.")
        locked.archived_at = timezone.now()
        locked.in_directory = False
        locked.accepting_referrals = False
        locked.save(update_fields=["archived_at", "in_directory", "accepting_referrals"])
        record(
            "careteam.professional.archive",
            by=by,
            request=request,
            obj=locked,
            before={"archived": False, "in_directory": professional.in_directory},
            after={"archived": True, "in_directory": False},
            reason=reason,
        )
    professional.archived_at = locked.archived_at
    professional.in_directory = professional.accepting_referrals = False
    return professional


def sync_consent_grants(
    by: Membership | None, professional: OutsideProfessional, request: HttpRequest | None = None
) -> None:
    """Turn the live sharing consents naming ``professional`` into ``SharedAccess`` grants for
    their (just linked) account (``consents.actions.sharing.sync_grants_for_professional``).

    The grant is made in the name of whoever may share: ``by`` when they may, otherwise the
    staff member who witnessed the newest of those consents (the consent is what authorises
    the sharing; accepting an invitation only gives it an account to reach), and failing that
    an active clinic admin. Called inside the transaction that links the account.
    """
    from ketaclinic.accounts.actions.grants import SHARED_ACCESS_GRANTORS
    from ketaclinic.consents.actions.sharing import sync_grants_for_professional
    from ketaclinic.consents.models import Consent

    grantors = [str(r) for r in SHARED_ACCESS_GRANTORS]
    grantor = by if by is not None and by.role in grantors else None
    if grantor is None:
        members = Membership.objects.select_related("user", "clinic").filter(
            clinic_id=professional.clinic_id, is_active=True, user__is_active=True,
            role__in=grantors,
        )  # fmt: skip
        witness = (
            Consent.objects.filter(professional=professional, witnessed_by__isnull=False)
            .order_by("-signed_at", "-id")
            .values_list("witnessed_by", flat=True)
            .first()
        )
        grantor = (members.filter(user_id=witness).first() if witness else None) or (
            members.filter(role=Role.CLINIC_ADMIN).first()
        )
    if grantor is not None:
        sync_grants_for_professional(grantor, professional, request=request)


def link_professional_account(
    by: Membership | None,
    professional: OutsideProfessional,
    user: User,
    *,
    request: HttpRequest | None = None,
) -> OutsideProfessional:
    """Link ``user`` (who holds an active outside-professional role at the professional's
    clinic) to the record, and turn live sharing consents into grants.

    ``by`` is the clinic admin linking by hand, or None when the person links themselves by
    accepting an invitation (``accounts.actions.invitations``; the caller checked it)."""
    if by is not None and not policies.can_invite_professional(by, professional):
        raise PermissionDenied("Only the clinic admin links accounts.")
    with transaction.atomic():
        locked = _locked(professional)
        if locked.user_id not in (None, user.pk):
            raise ValidationError("Another account is already linked to this professional.")
        if not Membership.objects.filter(
            user=user, clinic_id=locked.clinic_id, role=Role.OUTSIDE_PROFESSIONAL, is_active=True
        ).exists():
            raise ValidationError("This account has no outside-professional role here.")
        if locked.user_id is None:
            locked.user = user
            locked.save(update_fields=["user"])
            record(
                "careteam.professional.link_account",
                by=by,
                actor=user if by is None else None,
                clinic=locked.clinic,
                request=request,
                obj=locked,
                before={"user": None},
                after={"user": user.pk},
            )
        sync_consent_grants(by, locked, request)
    professional.user = locked.user
    return professional


def invite_professional(
    by: Membership, professional: OutsideProfessional, *, request: HttpRequest
) -> Membership | Invitation:
    """Invite the professional to sign in, at the address on their record.

    An address with no account gets a new account with the outside-professional role, linked
    at once; an existing account gets an invitation, and the record is linked when the person
    accepts it (``careteam.apps`` listens for ``invitation_accepted``)."""
    if not policies.can_invite_professional(by, professional):
        raise PermissionDenied("Only the clinic admin invites people.")
    if professional.is_archived:
        raise ValidationError("This professional is archived.")
    if professional.user_id is not None:
        raise ValidationError("This professional already signs in with their own account.")
    if not professional.email:
        raise ValidationError(NO_EMAIL)
    existing = User.objects.filter(email__iexact=professional.email).first()
    with transaction.atomic():
        if existing is not None:
            return invite_existing_account(
                by, existing, role=Role.OUTSIDE_PROFESSIONAL, subject=professional, request=request
            )
        made = invite_staff(
            by,
            email=professional.email,
            full_name=professional.name,
            role=Role.OUTSIDE_PROFESSIONAL,
            request=request,
        )
        assert isinstance(made, Membership)  # noqa: S101 - no account existed
        link_professional_account(by, professional, made.user, request=request)
    return made
