"""Demo data: the protocol library copied for the demo clinic (depression with a BMI >= 30
ideal-weight trigger as its version 2) and signed plans for the eligible, consented demo
patients (one on ideal body weight, one escalated 0.5 -> 0.6 mg/kg with a signed reason), but
one left for a physician to draft. Idempotent."""

from __future__ import annotations

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient
from ketaclinic.patients.queries import latest_weight
from ketaclinic.treatment import actions, library
from ketaclinic.treatment.models import Protocol, TreatmentPlan
from ketaclinic.treatment.rules import signing_blockers

HEAVY = "Okonkwo (demo)"  # BMI 39.8 in the patients seed: her plan uses ideal body weight
# Eligible and consented, left without a plan for a physician to draft (the demo walk-through
# and tests/browser/test_treatment_plan.py).
READY_FOR_PLAN = "Whitfield (demo)"


def _review_heavy_patient(physician: Membership, clinic: Clinic) -> None:
    """The physician answers the one open screening question of the BMI >= 30 demo patient
    (blood pressure controlled on amlodipine) and signs her eligibility, through the patients
    and eligibility actions, so the demo has a plan on ideal body weight."""
    from ketaclinic.eligibility.actions import sign_decision
    from ketaclinic.eligibility.screening import current_decision, screen
    from ketaclinic.patients.actions import record_medical_answers

    patient = Patient.objects.filter(clinic=clinic, legal_family_name=HEAVY).first()
    if patient is None or current_decision(patient) is not None:
        return
    record_medical_answers(
        physician,
        patient,
        {"uncontrolled_hypertension": "no"},
        details={"uncontrolled_hypertension": "Controlled on amlodipine 5 mg (reviewed)."},
    )
    if screen(patient).status == "eligible":
        sign_decision(
            physician,
            patient,
            decision="eligible",
            reason="Demo: blood pressure reviewed and controlled; no contraindication.",
        )


def seed(clinic: Clinic) -> int:
    """Returns how many plans were made."""
    physician = (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=Role.PHYSICIAN, is_active=True, user__is_active=True)
        .order_by("id")
        .first()
    )
    if physician is None or Protocol.objects.filter(clinic=clinic).exists():
        return 0
    copies = {pid: actions.copy_protocol(physician, clinic, pid) for pid in library.BUILTIN}
    depression = copies["depression"]
    data = depression.versions.get(number=1).data
    data["bmi_trigger"] = {"bmi_at_least": 30, "basis": "ideal"}
    version = actions.edit_protocol(
        physician,
        depression,
        data,
        change_note=(
            "Ideal body weight from BMI 30, as the 2017 consensus suggested (Singh et al. 2019)."
        ),
    )
    _review_heavy_patient(physician, clinic)
    made = 0
    escalated = False
    for patient in Patient.objects.filter(clinic=clinic).select_related("clinic").order_by("id"):
        weight = latest_weight(patient)
        if (
            weight is None
            or signing_blockers(patient)
            or patient.legal_family_name == READY_FOR_PLAN
        ):
            continue
        if TreatmentPlan.objects.filter(patient=patient).exists():
            continue
        try:
            plan = actions.draft_plan(
                physician,
                patient,
                protocol_version=version,
                dose_mg_per_kg=0.5,
                measurement=weight,
                goals="Response by the end of induction; reassess after 3 infusions.",
                goal_phq9_remission=True,
                reason="First plan from the clinic's depression protocol.",
                sign=True,
            )
        except actions.ValidationError:
            continue  # e.g. ideal weight without a recorded height: left for a physician
        made += 1
        if not escalated and plan.latest.weight_basis == "actual":
            actions.change_plan(
                physician,
                plan,
                dose_mg_per_kg=0.6,
                reason="Less than 50% improvement after 3 infusions: one step up the ladder "
                "(Loo 2023 flexible escalation).",
                sign=True,
            )
            escalated = True
    return made
