"""Sharing grants that follow sharing and Part 2 consents (``accounts.SharedAccess``)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from ketaclinic.accounts.actions.grants import grant_shared_access, revoke_shared_access
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.consents.models import SHARING_KINDS, Consent, ConsentEvent, EventKind, Kind, Status
from ketaclinic.patients.sections import PART2


def has_account(professional: OutsideProfessional) -> bool:
    """The professional signs in: a user that is an active outside professional of the clinic."""
    return (
        professional.user_id is not None
        and Membership.objects.filter(
            user_id=professional.user_id,
            clinic_id=professional.clinic_id,
            role=Role.OUTSIDE_PROFESSIONAL,
            is_active=True,
            user__is_active=True,
        ).exists()
    )


def grant_sections(consent: Consent) -> list[str]:
    sections = set(consent.sections)
    if consent.template.kind == Kind.PART2:
        sections.add(PART2)
    return sorted(sections)


def start_grant(by: Membership, consent: Consent, request: HttpRequest | None) -> bool:
    """Start the grant of a signed sharing consent, if its professional has an account."""
    pro = consent.professional
    if consent.template.kind not in SHARING_KINDS or pro is None or consent.grant_id:
        return False
    if not has_account(pro):
        return False
    assert pro.user is not None
    grant = grant_shared_access(
        by,
        professional=pro.user,
        target=consent.patient,
        sections=grant_sections(consent),
        reason=f"Consent #{consent.pk}: {consent.template.title}, version "
        f"{consent.template.version}",
        expires_at=consent.expires_at,
        request=request,
    )
    consent.grant = grant
    consent.save(update_fields=["grant"])
    ConsentEvent.objects.create(
        consent=consent,
        kind=EventKind.SHARED,
        by=by.user,
        reason=f"{pro.name} can now read: {', '.join(grant.sections)}.",
    )
    return True


def end_grant(by: Membership, consent: Consent, reason: str, request: HttpRequest | None) -> None:
    grant = consent.grant
    if grant is None or grant.revoked_at is not None:
        return
    revoke_shared_access(by, grant, reason, request=request)
    ConsentEvent.objects.create(consent=consent, kind=EventKind.UNSHARED, by=by.user, reason=reason)


def sync_grants_for_professional(
    by: Membership, professional: OutsideProfessional, *, request: HttpRequest | None = None
) -> int:
    """Start the grants of every live consent naming ``professional`` that has none yet: for a
    professional who got an account after the patient signed. Returns how many started.

    The care-team app calls this once the professional's account is linked and active."""
    started = 0
    with transaction.atomic():
        rows = (
            Consent.objects.select_for_update(of=("self",))
            .filter(professional=professional, status=Status.SIGNED, grant__isnull=True)
            .select_related("clinic", "patient", "template", "professional__user")
        )
        for consent in rows:
            if consent.is_live and start_grant(by, consent, request):
                started += 1
        if started:
            record(
                "consent.share_sync",
                by=by,
                request=request,
                obj=professional,
                after={"grants": started},
            )
    return started
