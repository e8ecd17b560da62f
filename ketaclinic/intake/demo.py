"""Demo data: one patient waiting for their intake, with the link sent (so the demo's outbox
holds it, by email and text message). Made through the actions, so it is audited.

The name ends in "(demo)", the address is at example.com and the mobile is in the 555-01xx
range reserved for fiction. Idempotent: a clinic whose patient already has an intake link is
left alone.
"""

from __future__ import annotations

import datetime as dt

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.intake import actions
from ketaclinic.intake.messages import default_text
from ketaclinic.patients import actions as patient_actions
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.securelinks.models import SecureLink

# Where the demo's links point: `ketaclinic serve --demo` on its default address. A link from
# a staff member's "Send intake link" uses the address they are on instead.
DEMO_SITE = "http://localhost:8000"
DEMO_PATIENT = {
    "legal_given_name": "Morgan",
    "legal_family_name": "Intake (demo)",
    "date_of_birth": dt.date(1986, 4, 9),
    "sex_at_birth": "female",
    "email": "morgan.intake@example.com",
    "phone_mobile": "+13135550142",
}


def seed(clinic: Clinic, users: dict[str, User], site: str = DEMO_SITE) -> Patient | None:
    """Send an intake link to an intake-pending patient of ``clinic`` (one is made if none
    has an email or mobile to send to). Returns the patient, or None if done already."""
    if SecureLink.objects.filter(clinic=clinic, purpose="intake").exists():
        return None
    coordinator = Membership.objects.select_related("user", "clinic").get(
        user=users[Role.COORDINATOR], clinic=clinic
    )
    patient = (
        Patient.objects.filter(clinic=clinic, status=PatientStatus.INTAKE_PENDING)
        .exclude(email="", phone_mobile="")
        .order_by("pk")
        .first()
    )
    if patient is None:
        patient = patient_actions.create_patient(coordinator, clinic, values=dict(DEMO_PATIENT))
    via = [c for c, v in (("email", patient.email), ("sms", patient.phone_mobile)) if v]
    actions.send_intake_link(
        coordinator,
        patient,
        via=via,
        message=default_text(clinic),
        link_url=lambda token: f"{site}/i/{token}/",
    )
    return patient
