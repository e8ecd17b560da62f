"""The write layer for eligibility: settings, signed decisions, and the rescreen that marks a
decision out of date. Each is one function, audited in the same transaction as its writes.

``sign_decision`` takes the decision as the physician confirmed it; the view re-checks the
physician's password first (``accounts.actions.credentials.confirm_password``, the lockout
applies), as the re-authentication pages do, so a session left open cannot sign. The demo
seed and tests call it directly with the physician's membership.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility import policies
from ketaclinic.eligibility.models import (
    Decision,
    EligibilityDecision,
    EligibilitySettings,
    PatientScreening,
)
from ketaclinic.eligibility.screening import ScreeningResult, current_decision, screen
from ketaclinic.patients.models import Patient

logger = logging.getLogger(__name__)

SETTING_FIELDS = (
    "current_psychosis_class",
    "past_psychosis_class",
    "resting_systolic_limit_mmhg",
    "resting_diastolic_limit_mmhg",
    "benzodiazepine_limit_lorazepam_mg_per_day",
)


def update_settings(
    by: Membership, clinic: Clinic, values: dict[str, Any], *, request: HttpRequest | None = None
) -> EligibilitySettings:
    """Change the clinic's eligibility settings (audited before/after), then rescreen every
    patient of the clinic: a new limit can change results and so put decisions out of date."""
    if not policies.can_change_settings(by, clinic):
        raise PermissionDenied("Only the clinic admin or a physician changes eligibility rules.")
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown eligibility settings: {sorted(unknown)}")
    with transaction.atomic():
        chosen, _ = EligibilitySettings.objects.select_for_update().get_or_create(clinic=clinic)
        before = {name: getattr(chosen, name) for name in values}
        for name, value in values.items():
            setattr(chosen, name, value)
        chosen.full_clean(exclude=["clinic", "updated_by"])
        chosen.updated_at = timezone.now()
        chosen.updated_by = by.user
        chosen.save()
        record(
            "eligibility.settings.update",
            request=request,
            by=by,
            clinic=clinic,
            obj=chosen,
            before=before,
            after={name: getattr(chosen, name) for name in values},
        )
        for patient in Patient.objects.filter(clinic=clinic).select_related("clinic"):
            rescreen(patient, by=by, request=request)
    return chosen


def sign_decision(
    by: Membership,
    patient: Patient,
    *,
    decision: str,
    reason: str,
    conditions: str = "",
    request: HttpRequest | None = None,
) -> EligibilityDecision:
    """Append the physician's decision on the screening as it is now; it supersedes any earlier
    one. The result the physician saw is kept with it (snapshot, fingerprint, ruleset)."""
    if not policies.can_sign(by, patient):
        raise PermissionDenied("Only a physician of the patient's clinic signs eligibility.")
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose eligible, eligible with conditions or not eligible."
    if not reason.strip():
        errors["reason"] = "Give the reason for the decision."
    if decision == Decision.ELIGIBLE_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = "Say what the conditions are."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The patient row is locked so two physicians signing at once are serialised.
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        previous = current_decision(patient)
        result = screen(patient)
        signed = EligibilityDecision.objects.create(
            patient=patient,
            decision=decision,
            conditions=conditions.strip() if decision == Decision.ELIGIBLE_WITH_CONDITIONS else "",
            reason=reason.strip(),
            screening_snapshot=result.as_json(),
            screening_status=result.status,
            fingerprint=result.fingerprint,
            ruleset_version=result.ruleset_version,
            signed_by=by.user,
            part2=patient.sud_treatment,
        )
        _store(patient, result)
        record(
            "eligibility.decision.sign",
            request=request,
            by=by,
            clinic=patient.clinic,
            obj=signed,
            patient_ref=patient.pk,
            before={"decision_id": previous.pk, "decision": previous.decision}
            if previous
            else None,
            after={
                "decision": decision,
                "screening_status": result.status,
                "fingerprint": result.fingerprint,
                "ruleset_version": result.ruleset_version,
                "password_confirmed": request is not None,
            },
        )
    return signed


def _store(patient: Patient, result: ScreeningResult) -> None:
    PatientScreening.objects.update_or_create(
        patient=patient,
        defaults={
            "status": result.status,
            "fingerprint": result.fingerprint,
            "ruleset_version": result.ruleset_version,
            "result": result.as_json(),
            "screened_at": timezone.now(),
        },
    )


def rescreen(
    patient: Patient, *, by: Membership | None = None, request: HttpRequest | None = None
) -> ScreeningResult:
    """Screen ``patient`` again after a change, store the result, and when it differs from what
    the live decision was signed on, mark that decision out of date, audit it and alert the
    physicians (in-app through the home queue; by email after the transaction commits).

    Called by the ``patients.signals.record_changed`` receiver (inside the change's transaction)
    and after a settings change; ``by`` is whoever changed the record (None: the patient)."""
    from ketaclinic.eligibility.tasks import queue_stale_alert

    with transaction.atomic():
        result = screen(patient)
        _store(patient, result)
        decision = current_decision(patient)
        if decision is not None and not decision.is_stale:
            if decision.fingerprint != result.fingerprint:
                decision.stale_at = timezone.now()
                decision.stale_fingerprint = result.fingerprint
                decision.save(update_fields=["stale_at", "stale_fingerprint"])
                record(
                    "eligibility.decision.stale",
                    request=request,
                    by=by,
                    clinic=patient.clinic,
                    obj=decision,
                    patient_ref=patient.pk,
                    before={
                        "screening_status": decision.screening_status,
                        "fingerprint": decision.fingerprint,
                    },
                    after={"screening_status": result.status, "fingerprint": result.fingerprint},
                )
                queue_stale_alert(decision.pk)
    return result
