"""Read helpers: the clinic's settings (never written on a read), plans, and chair time."""

from __future__ import annotations

from typing import Any

from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient
from ketaclinic.treatment.models import PlanVersion, TreatmentPlan, TreatmentSettings


def settings_for(clinic: Clinic) -> TreatmentSettings:
    """The clinic's settings row, or an unsaved one with the defaults (a GET must not write)."""
    found = TreatmentSettings.objects.filter(clinic=clinic).first()
    return found if found is not None else TreatmentSettings(clinic=clinic)


def current_plan(patient: Patient) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(patient=patient).order_by("-created_at", "-id").first()


def current_version(patient: Patient) -> PlanVersion | None:
    plan = current_plan(patient)
    return plan.latest if plan is not None else None


def chair_minutes(plan: TreatmentPlan) -> tuple[int, int]:
    """(infusion_minutes, recovery_minutes) a booking of this plan takes: the protocol's steps
    and the clinic's minimum observation time (``TreatmentSettings``; default 60 min,
    clinical.md 5.3 [S])."""
    infusion = int(round(plan.infusion_minutes))
    recovery = settings_for(plan.patient.clinic).minimum_observation_min
    return infusion, int(recovery)


def preview_kwargs(chosen: TreatmentSettings) -> dict[str, Any]:
    """The clinic's settings as :func:`treatment.preview.preview` arguments."""
    return {
        "model_id": chosen.pk_model_id,
        "borrow_bsv": chosen.borrow_bsv,
        "threshold_ng_per_ml": chosen.threshold_ng_per_ml,
    }
