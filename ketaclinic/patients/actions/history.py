"""Appending to a patient's histories, and striking a wrong entry through.

Every row is labelled 42 CFR Part 2 at creation when the patient is treated here for a
substance use disorder (``patient.sud_treatment``); a diagnosis in ICD-10-CM F10-F19 (mental
and behavioural disorders due to psychoactive substance use) labels itself too. Free text goes
in the row, not the audit entry: the entry names the row and its coded values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.patients import policies
from ketaclinic.patients.actions._common import (
    audit,
    changed,
    check_source,
    locked,
    require_clinical,
)
from ketaclinic.patients.conditions import ConditionCode, TriState
from ketaclinic.patients.models import (
    Allergy,
    AllergySeverity,
    BloodPressureReading,
    BodyMeasurement,
    Diagnosis,
    HistoryEntry,
    MeasurementMethod,
    MedicalHistoryAnswer,
    Medication,
    MedicationFlag,
    Patient,
    PsychiatricHistory,
    ReproductiveStatus,
    SubstanceUse,
    SubstanceUsePattern,
)

E = TypeVar("E", bound=HistoryEntry)

# ICD-10-CM: a letter, two digits, then optionally a dot and up to four more characters.
ICD10_CM = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
# F10-F19: mental and behavioural disorders due to psychoactive substance use (ICD-10-CM).
SUD_CODES = re.compile(r"^F1[0-9]")


def normalise_icd10(code: str) -> str:
    return code.strip().upper()


def is_sud_code(code: str) -> bool:
    return bool(SUD_CODES.match(normalise_icd10(code)))


def _append(
    model: type[E],
    by: Membership | None,
    patient: Patient,
    source: str,
    *,
    part2: bool = False,
    **fields: Any,
) -> E:
    return model._default_manager.create(
        patient=patient,
        recorded_by=by.user if by is not None else None,
        source=check_source(source),
        part2=patient.sud_treatment or part2,
        **fields,
    )


def _choice(value: str, choices: type[models.TextChoices], name: str) -> str:
    if value not in choices.values:
        raise ValidationError({name: f"Unknown value {value!r}."})
    return value


def _entry_ref(entry: HistoryEntry) -> dict[str, Any]:
    return {"entry": entry._meta.model_name, "entry_id": entry.pk, "part2": entry.part2}


def record_measurement(
    by: Membership | None,
    patient: Patient,
    *,
    measured_on: dt.date,
    height_cm: Decimal | float | None,
    weight_kg: Decimal | float | None,
    method: str,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> BodyMeasurement:
    require_clinical(by, patient, source)
    if height_cm is None and weight_kg is None:
        raise ValidationError("Give a height, a weight, or both.")
    _choice(method, MeasurementMethod, "method")
    with transaction.atomic():
        row = locked(patient)
        entry = _append(
            BodyMeasurement,
            by,
            row,
            source,
            measured_on=measured_on,
            height_cm=height_cm,
            weight_kg=weight_kg,
            method=method,
        )
        after = {
            **_entry_ref(entry),
            "height_cm": height_cm,
            "weight_kg": weight_kg,
            "method": method,
        }
        audit("patient.measurement", by, row, request=request, after=after)
        changed(by, row)
    return entry


def record_blood_pressure(
    by: Membership | None,
    patient: Patient,
    *,
    measured_at: dt.datetime,
    systolic_mmhg: int,
    diastolic_mmhg: int,
    heart_rate_bpm: int | None = None,
    method: str,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> BloodPressureReading:
    require_clinical(by, patient, source)
    _choice(method, MeasurementMethod, "method")
    if diastolic_mmhg >= systolic_mmhg:
        raise ValidationError({"diastolic_mmhg": "The lower number must be below the upper one."})
    with transaction.atomic():
        row = locked(patient)
        entry = _append(
            BloodPressureReading,
            by,
            row,
            source,
            measured_at=measured_at,
            systolic_mmhg=systolic_mmhg,
            diastolic_mmhg=diastolic_mmhg,
            heart_rate_bpm=heart_rate_bpm,
            method=method,
        )
        after = {
            **_entry_ref(entry),
            "systolic_mmhg": systolic_mmhg,
            "diastolic_mmhg": diastolic_mmhg,
            "heart_rate_bpm": heart_rate_bpm,
        }
        audit("patient.blood_pressure", by, row, request=request, after=after)
        changed(by, row)
    return entry


def add_allergy(
    by: Membership | None,
    patient: Patient,
    *,
    substance: str,
    reaction: str = "",
    severity: str = "unknown",
    source: str = "staff",
    request: HttpRequest | None = None,
) -> Allergy:
    """An allergy. A standing "no known allergies" statement is struck automatically: the two
    cannot both be true (reason given in the row)."""
    require_clinical(by, patient, source)
    if not substance.strip():
        raise ValidationError({"substance": "Say what the patient is allergic to."})
    _choice(severity, AllergySeverity, "severity")
    with transaction.atomic():
        row = locked(patient)
        Allergy.objects.filter(patient=row, no_known_allergies=True, struck_at__isnull=True).update(
            struck_at=timezone.now(),
            struck_by=by.user if by is not None else None,
            struck_reason="An allergy was recorded.",
        )
        entry = _append(
            Allergy,
            by,
            row,
            source,
            substance=substance.strip(),
            reaction=reaction,
            severity=severity,
        )
        audit(
            "patient.allergy",
            by,
            row,
            request=request,
            after={**_entry_ref(entry), "severity": severity},
        )
        changed(by, row)
    return entry


def record_no_known_allergies(
    by: Membership | None,
    patient: Patient,
    *,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> Allergy:
    require_clinical(by, patient, source)
    with transaction.atomic():
        row = locked(patient)
        if Allergy.objects.filter(
            patient=row, struck_at__isnull=True, no_known_allergies=False
        ).exists():
            raise ValidationError(
                "Allergies are recorded: strike them through (with a reason) before recording "
                "that there are none."
            )
        entry = _append(Allergy, by, row, source, no_known_allergies=True)
        audit("patient.no_known_allergies", by, row, request=request, after=_entry_ref(entry))
        changed(by, row)
    return entry


def add_medication(
    by: Membership | None,
    patient: Patient,
    *,
    name: str,
    dose_text: str = "",
    flag: str = "",
    lorazepam_equivalent_mg_per_day: Decimal | float | None = None,
    started_on: dt.date | None = None,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> Medication:
    require_clinical(by, patient, source)
    if not name.strip():
        raise ValidationError({"name": "Give the medication's name."})
    _choice(flag, MedicationFlag, "flag")
    if lorazepam_equivalent_mg_per_day is not None and flag != MedicationFlag.BENZODIAZEPINE:
        raise ValidationError(
            {"lorazepam_equivalent_mg_per_day": "A lorazepam equivalent is for benzodiazepines."}
        )
    with transaction.atomic():
        row = locked(patient)
        entry = _append(
            Medication,
            by,
            row,
            source,
            name=name.strip(),
            dose_text=dose_text,
            flag=flag,
            lorazepam_equivalent_mg_per_day=lorazepam_equivalent_mg_per_day,
            started_on=started_on,
        )
        after = {
            **_entry_ref(entry),
            "flag": flag,
            "lorazepam_equivalent_mg_per_day": lorazepam_equivalent_mg_per_day,
        }
        audit("patient.medication", by, row, request=request, after=after)
        changed(by, row)
    return entry


def stop_medication(
    by: Membership,
    medication: Medication,
    *,
    stopped_on: dt.date,
    request: HttpRequest | None = None,
) -> Medication:
    patient = medication.patient
    require_clinical(by, patient, "staff")
    with transaction.atomic():
        row = locked(patient)
        current = Medication.objects.select_for_update().get(pk=medication.pk)
        if current.stopped_on is not None or current.is_struck:
            raise ValidationError("This medication is already stopped or struck through.")
        if current.started_on is not None and stopped_on < current.started_on:
            raise ValidationError({"stopped_on": "It cannot stop before it started."})
        current.stopped_on = stopped_on
        current.stopped_by = by.user
        current.save(update_fields=["stopped_on", "stopped_by"])
        audit(
            "patient.medication_stop",
            by,
            row,
            request=request,
            after={**_entry_ref(current), "stopped_on": stopped_on},
        )
        changed(by, row)
    medication.stopped_on, medication.stopped_by = stopped_on, by.user
    return medication


def add_diagnosis(
    by: Membership | None,
    patient: Patient,
    *,
    icd10_code: str,
    description: str,
    is_primary: bool = False,
    diagnosed_on: dt.date | None = None,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> Diagnosis:
    require_clinical(by, patient, source)
    code = normalise_icd10(icd10_code)
    if not ICD10_CM.match(code):
        raise ValidationError({"icd10_code": "Enter an ICD-10-CM code such as F33.2."})
    if not description.strip():
        raise ValidationError({"description": "Describe the diagnosis."})
    with transaction.atomic():
        row = locked(patient)
        entry = _append(
            Diagnosis,
            by,
            row,
            source,
            part2=is_sud_code(code),
            icd10_code=code,
            description=description.strip(),
            is_primary=is_primary,
            diagnosed_on=diagnosed_on,
        )
        after = {**_entry_ref(entry), "icd10_code": code, "is_primary": is_primary}
        audit("patient.diagnosis", by, row, request=request, after=after)
        changed(by, row)
    return entry


def record_psychiatric_history(
    by: Membership | None,
    patient: Patient,
    *,
    adequate_antidepressant_trials: int,
    prior_ect: bool = False,
    prior_tms: bool = False,
    prior_esketamine: bool = False,
    prior_ketamine: bool = False,
    notes: str = "",
    source: str = "staff",
    request: HttpRequest | None = None,
) -> PsychiatricHistory:
    require_clinical(by, patient, source)
    if adequate_antidepressant_trials < 0 or adequate_antidepressant_trials > 50:
        raise ValidationError({"adequate_antidepressant_trials": "Enter a number from 0 to 50."})
    values: dict[str, Any] = {
        "adequate_antidepressant_trials": adequate_antidepressant_trials,
        "prior_ect": prior_ect,
        "prior_tms": prior_tms,
        "prior_esketamine": prior_esketamine,
        "prior_ketamine": prior_ketamine,
    }
    with transaction.atomic():
        row = locked(patient)
        entry = _append(PsychiatricHistory, by, row, source, notes=notes, **values)
        audit(
            "patient.psychiatric_history",
            by,
            row,
            request=request,
            after={**_entry_ref(entry), **values},
        )
        changed(by, row)
    return entry


def record_medical_answers(
    by: Membership | None,
    patient: Patient,
    answers: dict[str, str],
    *,
    details: dict[str, str] | None = None,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> list[MedicalHistoryAnswer]:
    """One row per answered condition (``ConditionCode`` -> yes / no / unknown)."""
    require_clinical(by, patient, source)
    details = details or {}
    for code, answer in answers.items():
        _choice(code, ConditionCode, "condition")
        _choice(answer, TriState, code)
    if not answers:
        raise ValidationError("Answer at least one question.")
    with transaction.atomic():
        row = locked(patient)
        entries = [
            _append(
                MedicalHistoryAnswer,
                by,
                row,
                source,
                condition=code,
                answer=answer,
                detail=details.get(code, "")[:300],
            )
            for code, answer in answers.items()
        ]
        audit(
            "patient.medical_answers",
            by,
            row,
            request=request,
            after={
                "entry_ids": [e.pk for e in entries],
                "answers": dict(answers),
                "part2": row.sud_treatment,
            },
        )
        changed(by, row)
    return entries


def record_substance_use(
    by: Membership | None,
    patient: Patient,
    *,
    substance: str,
    pattern: str,
    last_used_on: dt.date | None = None,
    in_treatment: bool = False,
    notes: str = "",
    source: str = "staff",
    request: HttpRequest | None = None,
) -> SubstanceUse:
    require_clinical(by, patient, source)
    if not substance.strip():
        raise ValidationError({"substance": "Name the substance."})
    _choice(pattern, SubstanceUsePattern, "pattern")
    with transaction.atomic():
        row = locked(patient)
        entry = _append(
            SubstanceUse,
            by,
            row,
            source,
            substance=substance.strip(),
            pattern=pattern,
            last_used_on=last_used_on,
            in_treatment=in_treatment,
            notes=notes,
        )
        after = {**_entry_ref(entry), "pattern": pattern, "in_treatment": in_treatment}
        audit("patient.substance_use", by, row, request=request, after=after)
        changed(by, row)
    return entry


def record_reproductive_status(
    by: Membership | None,
    patient: Patient,
    *,
    pregnant: str,
    breastfeeding: str,
    as_of: dt.date,
    source: str = "staff",
    request: HttpRequest | None = None,
) -> ReproductiveStatus:
    require_clinical(by, patient, source)
    _choice(pregnant, TriState, "pregnant")
    _choice(breastfeeding, TriState, "breastfeeding")
    with transaction.atomic():
        row = locked(patient)
        entry = _append(
            ReproductiveStatus,
            by,
            row,
            source,
            pregnant=pregnant,
            breastfeeding=breastfeeding,
            as_of=as_of,
        )
        after = {**_entry_ref(entry), "pregnant": pregnant, "breastfeeding": breastfeeding}
        audit("patient.reproductive_status", by, row, request=request, after=after)
        changed(by, row)
    return entry


def strike_entry(
    by: Membership,
    entry: HistoryEntry,
    *,
    reason: str,
    request: HttpRequest | None = None,
) -> HistoryEntry:
    """Strike a wrong entry through: it stays, marked, with who did it and why."""
    patient = entry.patient
    if not policies.can_edit_clinical(by, patient):
        raise PermissionDenied("Only physicians and nurses can strike chart entries.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this entry is wrong."})
    model = type(entry)
    with transaction.atomic():
        row = locked(patient)
        current = model._default_manager.select_for_update().get(pk=entry.pk)
        if current.struck_at is not None:
            raise ValidationError("This entry is already struck through.")
        current.struck_at = timezone.now()
        current.struck_by = by.user
        current.struck_reason = reason.strip()
        current.save(update_fields=["struck_at", "struck_by", "struck_reason"])
        audit(
            "patient.strike", by, row, request=request, after=_entry_ref(current), reason="struck"
        )
        changed(by, row)
    entry.struck_at, entry.struck_by, entry.struck_reason = (
        current.struck_at,
        by.user,
        current.struck_reason,
    )
    return entry
