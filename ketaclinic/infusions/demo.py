"""The demo clinic's infusion day: today's sessions in every phase, each written through the
actions as the demo staff would (check-in, pre-checks, preparation, readings, rate changes,
adverse events, rescue drugs, recovery, discharge, the signed note).

The in-chair sessions are anchored to the time the demo is made, so a fresh demo always has
an infusion running "now"; when that falls outside the clinic's opening hours the bookings say
so (``book_chair``'s outside-hours reason).

Six "day" patients are added for it (eligible, consented, a signed plan each), beside the
demo's other patients, so no other demo story changes.
"""

from __future__ import annotations

import datetime as dt

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import actions as consent_actions
from ketaclinic.consents.models import Kind
from ketaclinic.eligibility.actions import rescreen, sign_decision
from ketaclinic.eligibility.models import ScreeningStatus
from ketaclinic.patients.demo import NO_TO_ALL, DemoPatient, create_demo_patient
from ketaclinic.patients.models import Patient
from ketaclinic.patients.queries import latest_weight
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import Protocol


def _day_patient(given: str, family: str, born: dt.date, sex: str, **kw: object) -> DemoPatient:
    values: dict[str, object] = {
        "allergies": [],
        "diagnoses": [("F33.1", "Major depressive disorder, recurrent, moderate")],
        "trials": 2,
        "answers": NO_TO_ALL,
        "reproductive": ("no", "no") if sex == "female" else None,
        **kw,
    }
    return DemoPatient(given, f"{family} (demo)", born, sex, **values)  # type: ignore[arg-type]


DAY_PATIENTS = [
    _day_patient(
        "Priya", "Raman", dt.date(1989, 4, 2), "female", height_cm="162.0", weight_kg="60.0",
        bp=(116, 74),
        extra={"phone_mobile": "+14155550121", "escort_name": "Arjun Raman",
               "escort_relationship": "Brother", "escort_phone": "+14155550122"},
    ),
    _day_patient(
        "Tomas", "Herrera", dt.date(1977, 11, 19), "male", height_cm="176.0", weight_kg="84.0",
        bp=(130, 82),
        extra={"phone_mobile": "+14155550123", "escort_name": "Lucia Herrera",
               "escort_relationship": "Wife", "escort_phone": "+14155550124"},
    ),
    _day_patient(
        "Hannah", "Lindqvist", dt.date(1992, 7, 8), "female", height_cm="171.0",
        weight_kg="66.0", bp=(112, 70),
        extra={"phone_mobile": "+14155550125", "escort_name": "Erik Lindqvist",
               "escort_relationship": "Father", "escort_phone": "+14155550126"},
    ),
    _day_patient(
        "Owen", "Price", dt.date(1984, 1, 27), "male", height_cm="183.0", weight_kg="90.0",
        bp=(124, 80),
        extra={"phone_mobile": "+14155550127", "escort_name": "Mia Price",
               "escort_relationship": "Partner", "escort_phone": "+14155550128"},
    ),
    _day_patient(
        "Leah", "Brennan", dt.date(1995, 9, 14), "female", height_cm="168.0", weight_kg="58.0",
        bp=(108, 68),
        extra={"phone_mobile": "+14155550129", "escort_name": "Noah Brennan",
               "escort_relationship": "Husband", "escort_phone": "+14155550130"},
    ),
    _day_patient(
        "Victor", "Nakamura", dt.date(1981, 3, 3), "male", height_cm="174.0", weight_kg="78.0",
        bp=(120, 78),
        extra={"phone_mobile": "+14155550131", "escort_name": "Aiko Nakamura",
               "escort_relationship": "Wife", "escort_phone": "+14155550132"},
    ),
]  # fmt: skip

REASON_ELIGIBLE = "Demo: screening complete with no contraindication; reviewed at consultation."


def _member(clinic: Clinic, role: str) -> Membership:
    found = (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True, user__is_demo=True)
        .order_by("id")
        .first()
    )
    if found is None:
        raise LookupError(f"The demo clinic has no {role}.")
    return found


def ready_day_patients(clinic: Clinic) -> list[Patient]:
    """The day's patients, each eligible, consented (off-label use and the clinic agreement)
    and with a signed 0.5 mg/kg plan from the clinic's depression protocol."""
    physician = _member(clinic, Role.PHYSICIAN)
    coordinator = _member(clinic, Role.COORDINATOR)
    protocol = Protocol.objects.filter(clinic=clinic, builtin_id="depression").first()
    if protocol is None:
        return []
    version = protocol.versions.order_by("-number").first()
    ready = []
    for d in DAY_PATIENTS:
        if Patient.objects.filter(
            clinic=clinic, legal_given_name=d.given, legal_family_name=d.family
        ).exists():
            continue
        patient = create_demo_patient(clinic, d)
        if rescreen(patient, by=physician).status != ScreeningStatus.ELIGIBLE:
            continue
        sign_decision(physician, patient, decision="eligible", reason=REASON_ELIGIBLE)
        draft = consent_actions.create_consent(
            physician, patient, Kind.OFF_LABEL, indications=["Depression"]
        )
        consent_actions.sign_consent(physician, draft, typed_name=patient.legal_name)
        draft = consent_actions.create_consent(coordinator, patient, Kind.AGREEMENT)
        consent_actions.sign_consent(coordinator, draft, typed_name=patient.legal_name)
        treatment_actions.draft_plan(
            physician,
            patient,
            protocol_version=version,
            dose_mg_per_kg=0.5,
            measurement=latest_weight(patient),
            goals="Response by the end of induction.",
            reason="First plan from the clinic's depression protocol.",
            sign=True,
        )
        ready.append(patient)
    return ready
