"""Demo patients for the demo clinic: synthetic people in different states, so the chart, the
Part 2 rules and the eligibility rules each have something to show.

Every name is fictional and marked "(demo)". Everything is written through the actions, as
the clinic's demo nurse and physician. Running it again adds nobody twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.patients import actions
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import Patient, PatientStatus

NO_TO_ALL = {code: "no" for code in ConditionCode.values}


@dataclass
class DemoPatient:
    given: str
    family: str
    born: dt.date
    sex: str
    status: str = PatientStatus.SCREENING
    height_cm: str | None = None
    weight_kg: str | None = None
    bp: tuple[int, int] | None = None
    allergies: list[tuple[str, str, str]] | None = None  # None: not recorded; []: none known
    medications: list[dict[str, Any]] = field(default_factory=list)
    diagnoses: list[tuple[str, str]] = field(default_factory=list)
    trials: int | None = None
    answers: dict[str, str] = field(default_factory=dict)
    substances: list[dict[str, Any]] = field(default_factory=list)
    reproductive: tuple[str, str] | None = None
    sud_treatment: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    inquiry_name: str = ""  # converted from the demo inquiry of this name


PATIENTS = [
    DemoPatient(
        "Maya",
        "Alvarez (demo)",
        dt.date(1986, 2, 11),
        "female",
        height_cm="165.0",
        weight_kg="68.0",
        bp=(118, 76),
        allergies=[],
        medications=[{"name": "Sertraline", "dose_text": "100 mg every morning"}],
        diagnoses=[
            ("F33.2", "Major depressive disorder, recurrent, severe without psychotic features")
        ],
        trials=3,
        answers=NO_TO_ALL,
        reproductive=("no", "no"),
        extra={
            "pronouns": "she/her",
            "phone_mobile": "+14155550101",
            "escort_name": "Luis Alvarez",
            "escort_relationship": "Husband",
            "escort_phone": "+14155550102",
            # The demo therapist; the consents seed records her consent to share with him.
            "professional_note": "Theo Marsh LCSW (demo), weekly sessions",
        },
    ),
    DemoPatient(
        "Jonah",
        "Whitfield (demo)",
        dt.date(1979, 9, 30),
        "male",
        height_cm="182.9",
        weight_kg="91.0",
        bp=(128, 82),
        allergies=[("Penicillin", "Hives", "moderate")],
        medications=[
            {
                "name": "Lorazepam",
                "dose_text": "0.5 mg twice a day",
                "flag": "benzodiazepine",
                "lorazepam_equivalent_mg_per_day": Decimal("1.00"),
            },
            {"name": "Prazosin", "dose_text": "2 mg at night"},
        ],
        diagnoses=[("F43.10", "Post-traumatic stress disorder, unspecified")],
        trials=2,
        answers=NO_TO_ALL,
        extra={
            "pronouns": "he/him",
            "professional_note": "Dr. Lena Fisher, psychologist (demo)",
        },
    ),
    DemoPatient(
        "Grace",
        "Okonkwo (demo)",
        dt.date(1971, 6, 4),
        "female",
        height_cm="160.0",
        weight_kg="102.0",
        bp=(150, 95),
        allergies=[],
        medications=[{"name": "Amlodipine", "dose_text": "5 mg daily"}],
        diagnoses=[
            ("F41.1", "Generalized anxiety disorder"),
            ("F33.1", "Major depressive disorder, recurrent, moderate"),
        ],
        trials=2,
        answers={**NO_TO_ALL, "uncontrolled_hypertension": "unknown"},
        reproductive=("no", "no"),
    ),
    DemoPatient(
        "Ravi",
        "Menon (demo)",
        dt.date(1990, 12, 19),
        "male",
        height_cm="175.3",
        weight_kg="74.5",
        bp=(122, 80),
        allergies=[("Sulfa drugs", "Rash", "mild")],
        medications=[{"name": "Bupropion XL", "dose_text": "300 mg daily"}],
        diagnoses=[("F33.1", "Major depressive disorder, recurrent, moderate")],
        trials=4,
        answers={**NO_TO_ALL, "psychosis_past": "yes"},
        extra={"wants_professional_introduction": True},
    ),
    DemoPatient(
        "Elena",
        "Sorensen (demo)",
        dt.date(1994, 3, 27),
        "female",
        height_cm="170.2",
        weight_kg="63.0",
        bp=(110, 70),
        allergies=[],
        diagnoses=[("F32.2", "Major depressive disorder, single episode, severe")],
        trials=2,
        answers=NO_TO_ALL,
        reproductive=("unknown", "no"),
    ),
    DemoPatient(
        "Marcus",
        "Bell (demo)",
        dt.date(1983, 8, 15),
        "male",
        height_cm="178.0",
        weight_kg="88.0",
        bp=(132, 84),
        allergies=[],
        medications=[{"name": "Naltrexone", "dose_text": "50 mg daily", "flag": "naltrexone"}],
        diagnoses=[("F10.20", "Alcohol dependence, uncomplicated")],
        answers=NO_TO_ALL,
        substances=[
            {
                "substance": "Alcohol",
                "pattern": "current",
                "in_treatment": True,
                "notes": "In the clinic's alcohol use disorder programme.",
            }
        ],
        sud_treatment=True,
    ),
    DemoPatient(
        "Drew",
        "Kim (demo)",
        dt.date(1997, 1, 8),
        "female",
        status=PatientStatus.INTAKE_PENDING,
        inquiry_name="Drew Kim (demo)",
        extra={"email": "drew.kim@example.com", "phone_mobile": "+14155550107"},
    ),
    DemoPatient(
        "Sam",
        "Rivera (demo)",
        dt.date(1988, 10, 2),
        "intersex",
        status=PatientStatus.NOT_ELIGIBLE,
        height_cm="168.0",
        weight_kg="70.0",
        bp=(120, 78),
        allergies=[("Ketamine", "Severe agitation and rash (2019)", "severe")],
        diagnoses=[("F43.10", "Post-traumatic stress disorder, unspecified")],
        trials=1,
        answers={**NO_TO_ALL, "ketamine_hypersensitivity": "yes"},
        extra={"pronouns": "they/them", "gender_identity": "non-binary"},
    ),
    DemoPatient(
        "Ari",
        "Novak (demo)",
        dt.date(1975, 5, 21),
        "male",
        status=PatientStatus.INTAKE_PENDING,
        extra={"phone_mobile": "+14155550109"},
    ),
]


def demo_member(clinic: Clinic, role: str) -> Membership:
    """The first demo account of ``role`` (the demo's pending invitation comes later)."""
    found = (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True, user__is_demo=True)
        .order_by("id")
        .first()
    )
    if found is None:
        raise LookupError(f"The demo clinic has no {role}.")
    return found


def seed(clinic: Clinic) -> list[Patient]:
    """Create the demo patients of ``clinic`` (those not there yet)."""
    made = []
    for d in PATIENTS:
        if Patient.objects.filter(
            clinic=clinic, legal_given_name=d.given, legal_family_name=d.family
        ).exists():
            continue
        made.append(create_demo_patient(clinic, d))
    return made


def create_demo_patient(clinic: Clinic, d: DemoPatient) -> Patient:
    """One demo patient and their record, written through the patients actions as the demo
    coordinator, nurse and physician (the infusions demo adds its day's patients with it)."""
    coordinator = demo_member(clinic, Role.COORDINATOR)
    nurse = demo_member(clinic, Role.NURSE)
    physician = demo_member(clinic, Role.PHYSICIAN)
    today = clinic_today(clinic)
    inquiry = None
    if d.inquiry_name:
        inquiry = Inquiry.objects.filter(
            clinic=clinic, name=d.inquiry_name, patient__isnull=True
        ).first()
    values = {
        "legal_given_name": d.given,
        "legal_family_name": d.family,
        "date_of_birth": d.born,
        "sex_at_birth": d.sex,
        **d.extra,
    }
    patient = actions.create_patient(coordinator, clinic, values=values, inquiry=inquiry)
    if d.sud_treatment:
        actions.update_patient(physician, patient, {"sud_treatment": True}, expected_version=None)
    if d.height_cm or d.weight_kg:
        actions.record_measurement(
            nurse,
            patient,
            measured_on=today - dt.timedelta(days=7),
            height_cm=Decimal(d.height_cm) if d.height_cm else None,
            weight_kg=Decimal(d.weight_kg) if d.weight_kg else None,
            method="measured",
        )
    if d.bp:
        actions.record_blood_pressure(
            nurse,
            patient,
            measured_at=timezone.now() - dt.timedelta(days=7),
            systolic_mmhg=d.bp[0],
            diastolic_mmhg=d.bp[1],
            heart_rate_bpm=72,
            method="measured",
        )
    if d.allergies == []:
        actions.record_no_known_allergies(nurse, patient)
    for substance, reaction, severity in d.allergies or []:
        actions.add_allergy(
            nurse, patient, substance=substance, reaction=reaction, severity=severity
        )
    for med in d.medications:
        actions.add_medication(nurse, patient, **med)
    for code, description in d.diagnoses:
        actions.add_diagnosis(
            physician,
            patient,
            icd10_code=code,
            description=description,
            is_primary=code == d.diagnoses[0][0],
        )
    if d.trials is not None:
        actions.record_psychiatric_history(
            physician, patient, adequate_antidepressant_trials=d.trials
        )
    if d.answers:
        actions.record_medical_answers(nurse, patient, d.answers)
    for use in d.substances:
        actions.record_substance_use(nurse, patient, **use)
    if d.reproductive:
        actions.record_reproductive_status(
            nurse,
            patient,
            pregnant=d.reproductive[0],
            breastfeeding=d.reproductive[1],
            as_of=today,
        )
    if d.status != patient.status:
        actions.set_status(coordinator, patient, d.status, reason="Demo data.")
    return patient
