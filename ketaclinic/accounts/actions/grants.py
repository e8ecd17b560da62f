"""Granting and revoking consent-based shared access, and opening/reviewing break-glass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.policy import acts_as
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import (
    STAFF_ROLES,
    BreakGlassGrant,
    Membership,
    Role,
    SharedAccess,
    User,
)
from ketaclinic.accounts.policies import clinic_id_of, is_break_glass_target
from ketaclinic.audit.log import record

# Until consent records exist, these roles record a patient's consent to share.
SHARED_ACCESS_GRANTORS = frozenset({Role.CLINIC_ADMIN, Role.PHYSICIAN, Role.COORDINATOR})
BREAK_GLASS_REASON_MIN = 10
REVIEW_NOTE_MAX = 2000


def _in_clinic_of(by: Membership, obj: Model) -> None:
    if clinic_id_of(obj) != by.clinic_id:
        raise Http404("No such record in this clinic.")


def _grant_snapshot(grant: SharedAccess) -> dict[str, object]:
    return {
        "professional": grant.professional_id,
        "target": f"{grant.content_type.app_label}.{grant.content_type.model}:{grant.object_id}",
        "sections": list(grant.sections),
        "valid_from": grant.valid_from.isoformat(),
        "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
        "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
    }


def grant_shared_access(
    by: Membership,
    *,
    professional: User,
    target: Model,
    sections: Iterable[str],
    reason: str,
    expires_at: dt.datetime | None = None,
    valid_from: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> SharedAccess:
    """Record that the patient consented to share ``sections`` of ``target``."""
    if not acts_as(by, SHARED_ACCESS_GRANTORS):
        raise PermissionDenied("Your role cannot share records.")
    _in_clinic_of(by, target)
    clinic = by.clinic
    section_list = sorted({str(s).strip() for s in sections if str(s).strip()})
    if not section_list:
        raise ValidationError({"sections": "Choose at least one section to share."})
    if not reason.strip():
        raise ValidationError({"reason": "Say which consent this sharing rests on."})
    start = valid_from or timezone.now()
    if expires_at is not None and expires_at <= start:
        raise ValidationError({"expires_at": "The end must come after the start."})
    if not Membership.objects.filter(
        user=professional, clinic=clinic, role=Role.OUTSIDE_PROFESSIONAL, is_active=True
    ).exists():
        raise ValidationError(
            {"professional": "Only an outside professional of this clinic can be given access."}
        )
    with transaction.atomic():
        grant = SharedAccess.objects.create(
            clinic=clinic,
            professional=professional,
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
            object_id=str(target.pk),
            sections=section_list,
            granted_by=by.user,
            valid_from=start,
            expires_at=expires_at,
            reason=reason.strip(),
        )
        record(
            "shared_access.grant",
            by=by,
            request=request,
            obj=grant,
            after=_grant_snapshot(grant),
            reason=grant.reason,
        )
    return grant


def revoke_shared_access(
    by: Membership,
    grant: SharedAccess,
    reason: str = "",
    *,
    request: HttpRequest | None = None,
) -> None:
    if not acts_as(by, SHARED_ACCESS_GRANTORS):
        raise PermissionDenied("Your role cannot change sharing.")
    if grant.clinic_id != by.clinic_id:
        raise Http404("No such grant in this clinic.")
    with transaction.atomic():
        grant = SharedAccess.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            return
        before = _grant_snapshot(grant)
        grant.revoked_at = timezone.now()
        grant.revoked_by = by.user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        record(
            "shared_access.revoke",
            by=by,
            request=request,
            obj=grant,
            before=before,
            after=_grant_snapshot(grant),
            reason=reason,
        )


def open_break_glass(
    by: Membership, target: Model, reason: str, *, request: HttpRequest
) -> BreakGlassGrant:
    """Grant the requesting staff member time-boxed access to ``target``; alert the admins."""
    if not acts_as(by, STAFF_ROLES):
        raise PermissionDenied("Only clinic staff can use emergency access.")
    if not is_break_glass_target(type(target)):
        raise Http404("Emergency access does not apply to this kind of record.")
    _in_clinic_of(by, target)
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise ValidationError(
            {"reason": f"Give the reason in at least {BREAK_GLASS_REASON_MIN} characters."}
        )
    clinic = by.clinic
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            clinic=clinic,
            user=by.user,
            role=by.role,
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
            object_id=str(target.pk),
            reason=reason,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=clinic.break_glass_minutes),
        )
        record(
            "break_glass.open",
            by=by,
            request=request,
            obj=target,
            after={"grant": grant.pk, "expires_at": grant.expires_at.isoformat()},
            reason=reason,
        )
        transaction.on_commit(lambda: _alert_admins(request, grant))
    return grant


def _alert_admins(request: HttpRequest, grant: BreakGlassGrant) -> None:
    admins = (
        Membership.objects.filter(
            clinic=grant.clinic, role=Role.CLINIC_ADMIN, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("id")
    )
    recipients = [m.user.email for m in admins]
    if not recipients:
        return
    review_url = request.build_absolute_uri(reverse("accounts:break_glass_review"))
    zone = clinic_zone(grant.clinic)
    created = timezone.localtime(grant.created_at, zone)
    until = timezone.localtime(grant.expires_at, zone)
    # No reason text or record name in the mail: it may name a patient, and mail is not a
    # safe place for that. The review page shows everything.
    send_mail(
        f"Emergency access used at {grant.clinic.name}",
        f"{grant.user.full_name} ({grant.user.email}) used emergency (break-glass) access "
        f"to a {grant.content_type.name} record at {created:%Y-%m-%d %H:%M %Z}.\n"
        f"Access lasts until {until:%H:%M %Z}.\n\n"
        f"Review the reason: {review_url}\n",
        None,
        recipients,
    )


def review_break_glass(
    by: Membership, grant: BreakGlassGrant, note: str = "", *, request: HttpRequest | None = None
) -> None:
    """Mark an emergency access reviewed.

    Nobody reviews their own emergency access while another active clinic admin can; a sole
    admin may, and the audit entry says it was a self-review.
    """
    if not acts_as(by, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin reviews emergency access.")
    if grant.clinic_id != by.clinic_id:
        raise Http404("No such grant in this clinic.")
    if len(note.strip()) > REVIEW_NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {REVIEW_NOTE_MAX} characters."})
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.reviewed_at is not None:
            return
        self_review = grant.user_id == by.user_id
        if self_review and (
            Membership.objects.filter(
                clinic_id=grant.clinic_id,
                role=Role.CLINIC_ADMIN,
                is_active=True,
                user__is_active=True,
            )
            .exclude(user_id=by.user_id)
            .exists()
        ):
            raise ValidationError(
                "This is your own emergency access. Another clinic admin must review it, "
                "so that no one checks their own use of it."
            )
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = by.user
        grant.review_note = note.strip()
        grant.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
        record(
            "break_glass.review",
            by=by,
            request=request,
            obj=grant,
            before={"reviewed": False},
            after={"reviewed": True, "note": grant.review_note, "self_review": self_review},
            reason="self-review: the only active clinic admin" if self_review else "",
        )
