"""What a plan needs before a physician may sign it, and the plan values from the record.

Signing is refused while the eligibility decision is missing, not eligible or out of date
(``eligibility.screening``), or the off-label consent is not live (``consents.queries``;
clinical.md 8.4). Each blocker has a code so the screen can link to where it is fixed.
"""

from __future__ import annotations

from typing import Any

from ketaclinic.access.zones import clinic_today
from ketaclinic.consents.models import Kind
from ketaclinic.consents.queries import has_live_consent
from ketaclinic.eligibility.models import Decision
from ketaclinic.eligibility.screening import current_decision, decision_is_stale
from ketaclinic.patients.models import BodyMeasurement, Patient
from ketaclinic.patients.queries import latest_height

ELIGIBLE = {Decision.ELIGIBLE.value, Decision.ELIGIBLE_WITH_CONDITIONS.value}


def signing_blockers(patient: Patient) -> list[tuple[str, str]]:
    """(code, message) for everything that stops a plan being signed now; empty when none."""
    out: list[tuple[str, str]] = []
    decision = current_decision(patient)
    if decision is None:
        out.append(("eligibility", "No eligibility decision has been signed for this patient."))
    elif decision.decision not in ELIGIBLE:
        out.append(("eligibility", "The signed eligibility decision is not eligible."))
    elif decision_is_stale(patient):
        out.append(
            ("eligibility", "The eligibility decision is out of date: the record changed since.")
        )
    if not has_live_consent(patient, Kind.OFF_LABEL):
        out.append(("consent", "There is no live signed consent to off-label IV ketamine."))
    return out


def patient_inputs(patient: Patient, measurement: BodyMeasurement) -> dict[str, Any]:
    """Weight, height, sex and age for the preview, from the record (height from the same
    measurement, else the latest recorded height)."""
    height = measurement.height_cm
    if height is None:
        tall = latest_height(patient)
        height = tall.height_cm if tall is not None else None
    sex = patient.sex_at_birth if patient.sex_at_birth in ("female", "male") else None
    return {
        "weight_kg": float(measurement.weight_kg) if measurement.weight_kg is not None else 0.0,
        "height_cm": float(height) if height is not None else None,
        "sex": sex,
        "age_years": float(patient.age_on(clinic_today(patient.clinic))),
    }
