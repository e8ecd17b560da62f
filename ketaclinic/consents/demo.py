"""Demo consents, through the actions (so they are audited and their PDFs written).

``seed(clinic)`` runs after the patients and care-team seeds: most patients get a signed
off-label consent and a treatment agreement; the first patient with an outside professional
who signs in shares some sections with them; the Part 2 patient (``sud_treatment``) signs a
42 CFR Part 2 consent naming the same professional; one consent is revoked. Idempotent: a
clinic whose patients already have consents is left alone.
"""

from __future__ import annotations

import datetime as dt

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import actions
from ketaclinic.consents.models import Consent, Kind
from ketaclinic.patients.models import Patient, PatientStatus

DEMO_THERAPIST_EMAIL = "therapist@demo.ketaclinic.test"  # ketaclinic/demo.py DEMO_USERS


def _member(clinic: Clinic, role: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True)
        .order_by("id")
        .first()
    )


def demo_professional(clinic: Clinic) -> OutsideProfessional | None:
    """The demo therapist's professional record (made here if the care-team seed has not)."""
    therapist = _member(clinic, Role.OUTSIDE_PROFESSIONAL)
    if therapist is None:
        return None
    found = OutsideProfessional.objects.filter(clinic=clinic, user=therapist.user).first()
    if found is not None:
        return found
    return OutsideProfessional.objects.create(
        clinic=clinic,
        name=therapist.user.full_name,
        credentials="LCSW",
        practice="Marsh Counselling (demo)",
        email=therapist.user.email,
        user=therapist.user,
        specialties=["depression", "trauma"],
    )


def seed(clinic: Clinic) -> int:
    """Create the demo consents; returns how many were signed."""
    physician = _member(clinic, Role.PHYSICIAN)
    coordinator = _member(clinic, Role.COORDINATOR) or physician
    if physician is None or coordinator is None:
        return 0
    patients = list(Patient.objects.filter(clinic=clinic).order_by("id"))
    if not patients or Consent.objects.filter(patient__in=patients).exists():
        return 0
    signed = 0
    treatable = [p for p in patients if p.status != PatientStatus.NOT_ELIGIBLE]
    for i, patient in enumerate(treatable):
        if i % 4 == 3:
            continue  # some patients have not signed yet (the chart shows "no live consent")
        indication = "Substance use disorder" if patient.sud_treatment else "Depression"
        draft = actions.create_consent(physician, patient, Kind.OFF_LABEL, indications=[indication])
        actions.sign_consent(physician, draft, typed_name=patient.legal_name)
        draft = actions.create_consent(coordinator, patient, Kind.AGREEMENT)
        actions.sign_consent(coordinator, draft, typed_name=patient.legal_name)
        signed += 2
    professional = demo_professional(clinic)
    if professional is None:
        return signed
    today = clinic_today(clinic)
    sharer = next((p for p in treatable if not p.sud_treatment), None)
    if sharer is not None:
        draft = actions.create_consent(
            coordinator, sharer, Kind.SHARE, professional=professional,
            sections=["summary", "diagnoses", "medications", "outcomes"],
            purpose="To coordinate my psychotherapy with my ketamine treatment.",
            expires_on=today + dt.timedelta(days=365),
        )  # fmt: skip
        actions.sign_consent(coordinator, draft, typed_name=sharer.legal_name)
        signed += 1
    part2 = next((p for p in patients if p.sud_treatment), None)
    if part2 is not None:
        draft = actions.create_consent(
            physician, part2, Kind.PART2, professional=professional,
            sections=["summary", "diagnoses", "history"],
            purpose="To coordinate my substance use treatment with my counsellor.",
            expiry_event="The end of my treatment at the clinic.",
        )  # fmt: skip
        actions.sign_consent(physician, draft, typed_name=part2.legal_name)
        signed += 1
    revoked = next(
        (p for p in reversed(treatable) if p is not sharer and not p.sud_treatment), None
    )
    if revoked is not None:
        draft = actions.create_consent(
            coordinator, revoked, Kind.SHARE, professional=professional, sections=["summary"],
            purpose="So my therapist knows my appointments.", expiry_event="End of treatment.",
        )  # fmt: skip
        consent = actions.sign_consent(coordinator, draft, typed_name=revoked.legal_name)
        actions.revoke_consent(
            coordinator, consent, reason="The patient asked by phone to stop sharing (demo)."
        )
        signed += 1
    return signed
