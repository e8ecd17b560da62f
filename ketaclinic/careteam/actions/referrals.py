"""The clinic introducing a patient to a professional from its directory.

A referral starts "suggested" and moves one step at a time (``models.REFERRAL_STEPS``):
contacted, then accepted or declined. Each step appends a ``ReferralEvent`` with its note;
nothing is rewritten. Accepting puts the professional on the patient's care team.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.careteam import policies
from ketaclinic.careteam.actions.team import _join, _lock_patient
from ketaclinic.careteam.models import (
    REFERRAL_STEPS,
    CareTeamMember,
    OutsideProfessional,
    Referral,
    ReferralEvent,
    ReferralStatus,
    TeamRole,
)
from ketaclinic.patients.models import Patient

OPEN_ALREADY = "This patient already has an open referral to this professional."


def _require_manager(by: Membership | None, patient: Patient) -> None:
    if not policies.can_manage_team(by, patient):
        raise PermissionDenied("Only the patient's clinical staff make referrals.")


def suggest_referral(
    by: Membership,
    patient: Patient,
    professional: OutsideProfessional,
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Suggest ``professional`` (in this clinic's directory) for ``patient``."""
    _require_manager(by, patient)
    if professional.clinic_id != patient.clinic_id or professional.is_archived:
        raise ValidationError({"professional": "Choose a professional from the directory."})
    if not (professional.in_directory and professional.accepting_referrals):
        raise ValidationError(
            {"professional": "This professional is not taking referrals from the directory."}
        )
    try:
        with transaction.atomic():
            _lock_patient(patient)
            referral = Referral.objects.create(
                patient=patient, professional=professional, created_by=by.user
            )
            ReferralEvent.objects.create(
                referral=referral, status=ReferralStatus.SUGGESTED, note=note.strip(), by=by.user
            )
            record(
                "careteam.referral.suggest",
                by=by,
                request=request,
                obj=referral,
                patient_ref=patient.pk,
                after={"status": referral.status, "professional": professional.pk},
            )
    except IntegrityError as exc:
        raise ValidationError({"professional": OPEN_ALREADY}) from exc
    return referral


def record_referral_step(
    by: Membership,
    referral: Referral,
    status: str,
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> ReferralEvent:
    """Move the referral to ``status`` (the next step only), appending the note."""
    patient = referral.patient
    _require_manager(by, patient)
    with transaction.atomic():
        _lock_patient(patient)
        locked = (
            Referral.objects.select_for_update().select_related("professional").get(pk=referral.pk)
        )
        if status not in REFERRAL_STEPS.get(locked.status, frozenset()):
            raise ValidationError(
                {"status": f"A {locked.get_status_display().lower()} referral cannot move there."}
            )
        before = {"status": locked.status}
        locked.status = status
        locked.save(update_fields=["status"])
        event = ReferralEvent.objects.create(
            referral=locked, status=status, note=note.strip(), by=by.user
        )
        record(
            "careteam.referral.step",
            by=by,
            request=request,
            obj=locked,
            patient_ref=patient.pk,
            before=before,
            after={"status": status},
        )
        if status == ReferralStatus.ACCEPTED:
            already = CareTeamMember.objects.filter(
                patient=patient, professional=locked.professional, left_at__isnull=True
            ).exists()
            if not already:
                _join(
                    by,
                    patient,
                    role=TeamRole.OUTSIDE_PROFESSIONAL,
                    user=None,
                    professional=locked.professional,
                    request=request,
                )
    referral.status = status
    return event
