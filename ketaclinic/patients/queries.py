"""Read helpers for a patient's record: what is current, what is latest, the list's search.

"Current" always leaves struck-through rows out. Nothing here filters 42 CFR Part 2 rows:
screens pass what they read through ``visible`` (with the viewer) before showing it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Q, QuerySet

from ketaclinic.patients.models import (
    Allergy,
    BloodPressureReading,
    BodyMeasurement,
    ChartSettings,
    HistoryEntry,
    MedicalHistoryAnswer,
    Medication,
    Patient,
    PsychiatricHistory,
    ReproductiveStatus,
    SafetyFlag,
)

if TYPE_CHECKING:
    from ketaclinic.clinics.models import Clinic
    from ketaclinic.patients.access import ChartViewer

E = TypeVar("E", bound=HistoryEntry)

DEFAULT_TRD_MIN_TRIALS = 2


def _live(qs: QuerySet[E]) -> QuerySet[E]:
    return qs.filter(struck_at__isnull=True)


def latest_measurement(patient: Patient) -> BodyMeasurement | None:
    return _live(patient.measurements.all()).first()


def latest_height(patient: Patient) -> BodyMeasurement | None:
    return _live(patient.measurements.filter(height_cm__isnull=False)).first()


def latest_weight(patient: Patient) -> BodyMeasurement | None:
    return _live(patient.measurements.filter(weight_kg__isnull=False)).first()


def latest_blood_pressure(patient: Patient) -> BloodPressureReading | None:
    return _live(patient.blood_pressures.all()).first()


def current_medications(patient: Patient) -> QuerySet[Medication]:
    return _live(patient.medications.filter(stopped_on__isnull=True))


def current_allergies(patient: Patient) -> QuerySet[Allergy]:
    """Unstruck allergy rows (a "no known allergies" statement among them, if made)."""
    return _live(patient.allergies.all())


def allergy_state(allergies: Iterable[Allergy]) -> str:
    """``recorded`` (allergies listed), ``none_known`` or ``not_recorded``: the header must never
    show an empty list as if the patient had none."""
    rows = list(allergies)
    if any(not a.no_known_allergies for a in rows):
        return "recorded"
    if any(a.no_known_allergies for a in rows):
        return "none_known"
    return "not_recorded"


def current_medical_answers(patient: Patient) -> dict[str, MedicalHistoryAnswer]:
    """The latest unstruck answer per condition code."""
    found: dict[str, MedicalHistoryAnswer] = {}
    for answer in _live(patient.medical_answers.all()).order_by("-recorded_at", "-id"):
        found.setdefault(answer.condition, answer)
    return found


def current_psychiatric_history(patient: Patient) -> PsychiatricHistory | None:
    return _live(patient.psychiatric_histories.all()).first()


def current_reproductive_status(patient: Patient) -> ReproductiveStatus | None:
    return _live(patient.reproductive_statuses.all()).first()


def open_safety_flags(patient: Patient) -> QuerySet[SafetyFlag]:
    return patient.safety_flags.filter(resolved_at__isnull=True)


def trd_min_trials(clinic: Clinic) -> int:
    """The clinic's threshold for "treatment-resistant" (see ``ChartSettings``)."""
    row = ChartSettings.objects.filter(clinic=clinic).first()
    return row.treatment_resistant_min_trials if row else DEFAULT_TRD_MIN_TRIALS


def is_treatment_resistant(history: PsychiatricHistory | None, min_trials: int) -> bool | None:
    if history is None:
        return None
    return history.adequate_antidepressant_trials >= min_trials


R = TypeVar("R")


def visible(rows: Iterable[R], viewer: ChartViewer) -> tuple[list[R], int]:
    """The rows ``viewer`` may see, and how many 42 CFR Part 2 rows were withheld."""
    shown, withheld = [], 0
    for row in rows:
        if getattr(row, "part2", False) and not viewer.part2:
            withheld += 1
        else:
            shown.append(row)
    return shown, withheld


# --- the patient list ------------------------------------------------------------------------

SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("Name", ("legal_family_name", "legal_given_name", "id")),
    "mrn": ("Record number", ("mrn", "id")),
    "dob": ("Date of birth", ("date_of_birth", "id")),
    "status": ("Status", ("status", "legal_family_name", "id")),
    "created": ("Added", ("created_at", "id")),
}


def sorted_by(qs: QuerySet[Patient], sort: str) -> QuerySet[Patient]:
    key = sort.removeprefix("-")
    if key not in SORTS:
        return qs
    fields = SORTS[key][1]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return qs.order_by(*fields)


_DATE_FORMATS: Sequence[str] = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


def _as_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search(qs: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Name (any part, legal or preferred), a date of birth (2001-04-09 or 04/09/2001), or the
    record number (whole or its digits)."""
    text = text.strip()
    if not text:
        return qs
    day = _as_date(text)
    if day is not None:
        return qs.filter(date_of_birth=day)
    match = Q(mrn__iexact=text) | Q(mrn__icontains=text)
    words = text.split()
    name_q = Q()
    for word in words:
        name_q &= (
            Q(legal_given_name__icontains=word)
            | Q(legal_family_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    match |= name_q
    if re.fullmatch(r"\d{1,6}", text):
        match |= Q(mrn__endswith=text.zfill(6))
    return qs.filter(match)


def apply_filters(qs: QuerySet[Patient], data: dict[str, Any]) -> QuerySet[Patient]:
    qs = search(qs, str(data.get("q") or ""))
    status = data.get("status") or ""
    if status:
        qs = qs.filter(status=status)
    return qs


def possible_duplicates(
    clinic: Clinic,
    *,
    legal_given_name: str = "",
    legal_family_name: str = "",
    date_of_birth: dt.date | None = None,
    email: str = "",
    phones: Iterable[str] = (),
) -> QuerySet[Patient]:
    """Patients of ``clinic`` with the same legal name and date of birth, the same email, or
    the same phone (numbers compared in E.164, as stored)."""
    same = Q()
    if legal_given_name and legal_family_name and date_of_birth:
        same |= Q(
            legal_given_name__iexact=legal_given_name.strip(),
            legal_family_name__iexact=legal_family_name.strip(),
            date_of_birth=date_of_birth,
        )
    if email:
        same |= Q(email__iexact=email.strip())
    numbers = [p for p in phones if p]
    if numbers:
        same |= Q(phone_mobile__in=numbers) | Q(phone_other__in=numbers)
    if not same:
        return Patient.objects.none()
    return Patient.objects.filter(same, clinic=clinic)
