"""Test records for eligibility, made with the patients ORM models (the patients actions land
on another branch; these rows are what they write)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.facts import Facts
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import (
    Allergy,
    BloodPressureReading,
    MedicalHistoryAnswer,
    Patient,
    PatientStatus,
    ReproductiveStatus,
)

_serial = iter(range(1, 10_000))


def make_patient(
    clinic: Clinic, *, sex: str = "male", status: str = PatientStatus.SCREENING, **values: object
) -> Patient:
    n = next(_serial)
    return Patient.objects.create(
        clinic=clinic,
        mrn=f"E{n:05d}",
        legal_given_name=str(values.pop("given", f"Test{n}")),
        legal_family_name=str(values.pop("family", "Patient")),
        date_of_birth=dt.date(1980, 1, 1),
        sex_at_birth=sex,
        status=status,
        **values,
    )


def complete_record(patient: Patient, *, systolic: int = 120, diastolic: int = 80) -> Patient:
    """Every question answered no, no known allergies, a resting BP, pregnancy where it
    applies: a record that screens eligible."""
    for code in ConditionCode:
        MedicalHistoryAnswer.objects.create(patient=patient, condition=code.value, answer="no")
    Allergy.objects.create(patient=patient, no_known_allergies=True)
    BloodPressureReading.objects.create(
        patient=patient,
        measured_at=timezone.now() - dt.timedelta(days=1),
        systolic_mmhg=systolic,
        diastolic_mmhg=diastolic,
        method="measured",
    )
    if patient.sex_at_birth != "male":
        ReproductiveStatus.objects.create(
            patient=patient, pregnant="no", breastfeeding="no", as_of=dt.date.today()
        )
    return patient


def answer(patient: Patient, code: ConditionCode, value: str) -> MedicalHistoryAnswer:
    return MedicalHistoryAnswer.objects.create(patient=patient, condition=code.value, answer=value)


ELIGIBLE_FACTS = Facts(
    answers={code.value: "no" for code in ConditionCode},
    allergies_recorded=True,
    medications_reviewed=True,
    latest_bp=(120, 80),
    reproductive_applicable=True,
    pregnant="no",
    breastfeeding="no",
)
ZERO = Decimal("0")
