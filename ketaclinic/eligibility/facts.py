"""What the eligibility rules read about one patient, gathered in a fixed number of queries.

The rules (``rules.py``) are pure functions of ``Facts``; this module is the only place that
reads the record for them. Only rows not struck through count; for a question answered more
than once, the latest answer counts. (When ``patients/queries.py`` lands, these small readers
can call it; they are kept here so screening does not wait for it.)

Decisions documented here:

* Medications are *reviewed* when at least one medication row exists, or when the patient's
  intake is complete (status past "intake pending"): the model has no "no current medications"
  statement, so no rows counts as "none" only after intake.
* A condition answered "not known" is missing, like one never answered: no rule can be cleared
  on it.
* Pregnancy and breastfeeding apply when the sex at birth is female, intersex or not known
  (Spravato label; trial exclusions; clinical reference §3.1, §3.3).
* ``part2_facts`` names the facts read from 42 CFR Part 2 rows, so a reason built on them is
  withheld from viewers without Part 2 access (clinical reference §8.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ketaclinic.patients.models import (
    Allergy,
    BloodPressureReading,
    MedicalHistoryAnswer,
    Medication,
    Patient,
    PatientStatus,
    ReproductiveStatus,
    SexAtBirth,
    SubstanceUse,
)

REPRODUCTIVE_SEXES = frozenset({SexAtBirth.FEMALE, SexAtBirth.INTERSEX, SexAtBirth.UNKNOWN})


@dataclass(frozen=True)
class Facts:
    answers: Mapping[str, str] = field(default_factory=dict)  # condition code -> yes/no/unknown
    allergies_recorded: bool = False
    allergy_substances: tuple[str, ...] = ()
    medications_reviewed: bool = False
    medication_flags: frozenset[str] = frozenset()  # of current medications
    benzodiazepine_lorazepam_mg_per_day: Decimal | None = None  # total of current ones
    benzodiazepines_without_dose: tuple[str, ...] = ()  # current, no lorazepam-equivalent
    latest_bp: tuple[int, int] | None = None  # (systolic, diastolic) mmHg, latest resting
    reproductive_applicable: bool = False
    pregnant: str | None = None  # yes/no/unknown, None when never recorded
    breastfeeding: str | None = None
    current_substances: tuple[str, ...] = ()
    used_substances: tuple[str, ...] = ()  # current or past
    part2_facts: frozenset[str] = frozenset()


def latest_answers(patient: Patient) -> dict[str, MedicalHistoryAnswer]:
    """The latest unstruck answer per condition code (one query)."""
    latest: dict[str, MedicalHistoryAnswer] = {}
    rows = MedicalHistoryAnswer.objects.filter(patient=patient, struck_at__isnull=True)
    for row in rows.order_by("recorded_at", "id"):
        latest[row.condition] = row
    return latest


def current_medications(patient: Patient) -> list[Medication]:
    rows = Medication.objects.filter(patient=patient, struck_at__isnull=True)
    return list(rows.order_by("recorded_at", "id"))


def latest_blood_pressure(patient: Patient) -> BloodPressureReading | None:
    rows = BloodPressureReading.objects.filter(patient=patient, struck_at__isnull=True)
    return rows.order_by("-measured_at", "-id").first()


def latest_reproductive_status(patient: Patient) -> ReproductiveStatus | None:
    rows = ReproductiveStatus.objects.filter(patient=patient, struck_at__isnull=True)
    return rows.order_by("-as_of", "-recorded_at", "-id").first()


def gather(patient: Patient) -> Facts:
    """The facts about ``patient`` the rules read: six queries, however long the record."""
    part2: set[str] = set()
    answers = latest_answers(patient)
    if any(a.part2 for a in answers.values()):
        part2.add("answers")
    allergies = list(Allergy.objects.filter(patient=patient, struck_at__isnull=True))
    if any(a.part2 for a in allergies):
        part2 |= {"allergy_substances"}
    medications = current_medications(patient)
    current = [m for m in medications if m.stopped_on is None]
    if any(m.part2 for m in current):
        part2 |= {"medication_flags", "benzodiazepine_lorazepam_mg_per_day"}
    benzos = [m for m in current if m.flag == "benzodiazepine"]
    doses = [
        m.lorazepam_equivalent_mg_per_day
        for m in benzos
        if m.lorazepam_equivalent_mg_per_day is not None
    ]
    bp = latest_blood_pressure(patient)
    if bp is not None and bp.part2:
        part2.add("latest_bp")
    applicable = patient.sex_at_birth in REPRODUCTIVE_SEXES
    reproductive = latest_reproductive_status(patient) if applicable else None
    if reproductive is not None and reproductive.part2:
        part2 |= {"pregnant", "breastfeeding"}
    uses = list(SubstanceUse.objects.filter(patient=patient, struck_at__isnull=True))
    if any(u.part2 for u in uses):
        part2 |= {"current_substances", "used_substances"}
    return Facts(
        answers={code: row.answer for code, row in answers.items()},
        allergies_recorded=bool(allergies),
        allergy_substances=tuple(a.substance for a in allergies if not a.no_known_allergies),
        medications_reviewed=bool(medications) or patient.status != PatientStatus.INTAKE_PENDING,
        medication_flags=frozenset(m.flag for m in current if m.flag),
        benzodiazepine_lorazepam_mg_per_day=sum(doses, Decimal(0)) if doses else None,
        benzodiazepines_without_dose=tuple(
            m.name for m in benzos if m.lorazepam_equivalent_mg_per_day is None
        ),
        latest_bp=(bp.systolic_mmhg, bp.diastolic_mmhg) if bp is not None else None,
        reproductive_applicable=applicable,
        pregnant=reproductive.pregnant if reproductive is not None else None,
        breastfeeding=reproductive.breastfeeding if reproductive is not None else None,
        current_substances=tuple(u.substance for u in uses if u.pattern == "current"),
        used_substances=tuple(u.substance for u in uses if u.pattern in ("current", "past")),
        part2_facts=frozenset(part2),
    )
