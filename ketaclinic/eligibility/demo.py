"""Demo eligibility: screen every demo patient and sign "eligible" for those whose screening
is eligible; patients needing review, not eligible or incomplete are left for the physician
(they show on the physician's home queue). Runs after the patients demo seed (whatever patients
exist), and is idempotent: a patient with a decision already is left alone."""

from __future__ import annotations

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.actions import rescreen, sign_decision
from ketaclinic.eligibility.models import EligibilityDecision, ScreeningStatus
from ketaclinic.patients.models import Patient

DEMO_REASON = (
    "Screening complete with no contraindication; history and medications reviewed at the "
    "consultation."
)


def seed(clinic: Clinic) -> int:
    """Returns how many decisions were signed."""
    physician = (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=Role.PHYSICIAN, is_active=True, user__is_active=True)
        .order_by("id")
        .first()
    )
    if physician is None:
        return 0
    signed = 0
    for patient in Patient.objects.filter(clinic=clinic).select_related("clinic").order_by("id"):
        result = rescreen(patient, by=physician)
        if EligibilityDecision.objects.filter(patient=patient).exists():
            continue
        if result.status == ScreeningStatus.ELIGIBLE:
            sign_decision(physician, patient, decision="eligible", reason=DEMO_REASON)
            signed += 1
    return signed
