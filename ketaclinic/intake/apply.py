"""Putting a submitted intake into the patient's record, through ``patients.actions`` only.

``by=None`` is the patient through their verified link (``source="intake"``); ``by`` a staff
member's membership when they completed it on the patient's behalf (still ``source="intake"``:
the answers are the patient's, the audit entry names who typed them). Called once, inside
``actions.submit_intake``'s transaction.

Nothing on the record is overwritten with a blank: identity and contact fields the patient
left empty keep what staff had entered. Histories are appended, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership
from ketaclinic.intake.forms import SUBSTANCES
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.steps import BY_KEY, RECORD_FIELDS
from ketaclinic.patients import actions as patients
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import Patient, PatientStatus

SOURCE = "intake"


def record_changes(patient: Patient, answers: dict[str, Any]) -> dict[str, Any]:
    """The identity and contact changes the first two steps ask for (non-blank, different)."""
    changes: dict[str, Any] = {}
    for step, names in RECORD_FIELDS.items():
        given = answers.get(step) or {}
        for name in names:
            value = given.get(name)
            if value in (None, "", False):
                continue
            if value != getattr(patient, name):
                changes[name] = value
    return changes


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def apply_intake(
    submission: IntakeSubmission,
    *,
    by: Membership | None = None,
    request: HttpRequest | None = None,
) -> None:
    patient = Patient.objects.select_related("clinic").get(pk=submission.patient_id)
    answers = submission.answers
    today: dt.date = clinic_today(patient.clinic)

    changes = record_changes(patient, answers)
    if changes:
        patients.update_patient(by, patient, changes, expected_version=None, request=request)

    body = answers.get("body") or {}
    height_cm, weight_kg = (
        _decimal(body.get("height_cm_total")),
        _decimal(body.get("weight_kg_total")),
    )
    if height_cm is not None or weight_kg is not None:
        patients.record_measurement(
            by,
            patient,
            measured_on=today,
            height_cm=height_cm,
            weight_kg=weight_kg,
            method="reported",
            source=SOURCE,
            request=request,
        )

    for row in (answers.get("medications") or {}).get("rows", []):
        patients.add_medication(
            by,
            patient,
            name=row["name"],
            dose_text=row.get("dose_text", ""),
            flag=row.get("flag", ""),
            lorazepam_equivalent_mg_per_day=_decimal(row.get("lorazepam_equivalent_mg_per_day")),
            source=SOURCE,
            request=request,
        )

    allergies = answers.get("allergies") or {}
    if allergies.get("no_known_allergies"):
        patients.record_no_known_allergies(by, patient, source=SOURCE, request=request)
    for row in allergies.get("rows", []):
        patients.add_allergy(
            by,
            patient,
            substance=row["substance"],
            reaction=row.get("reaction", ""),
            severity=row.get("severity") or "unknown",
            source=SOURCE,
            request=request,
        )

    medical = answers.get("medical") or {}
    condition_answers = {code: medical[code] for code in ConditionCode.values if code in medical}
    if condition_answers:
        patients.record_medical_answers(
            by, patient, condition_answers, source=SOURCE, request=request
        )

    psychiatric = answers.get("psychiatric")
    if psychiatric:
        patients.record_psychiatric_history(
            by,
            patient,
            adequate_antidepressant_trials=int(psychiatric["adequate_antidepressant_trials"]),
            prior_ect=bool(psychiatric.get("prior_ect")),
            prior_tms=bool(psychiatric.get("prior_tms")),
            prior_esketamine=bool(psychiatric.get("prior_esketamine")),
            prior_ketamine=bool(psychiatric.get("prior_ketamine")),
            notes=psychiatric.get("notes", ""),
            source=SOURCE,
            request=request,
        )

    substances = answers.get("substances") or {}
    for key, name, _question in SUBSTANCES:
        pattern = substances.get(key)
        if not pattern:
            continue
        patients.record_substance_use(
            by,
            patient,
            substance=name,
            pattern=pattern,
            in_treatment=bool(substances.get("in_treatment")) and pattern != "never",
            source=SOURCE,
            request=request,
        )

    pregnancy = answers.get("pregnancy")
    if pregnancy and BY_KEY["pregnancy"].applies(patient):
        patients.record_reproductive_status(
            by,
            patient,
            pregnant=pregnancy["pregnant"],
            breastfeeding=pregnancy["breastfeeding"],
            as_of=today,
            source=SOURCE,
            request=request,
        )

    if patient.status == PatientStatus.INTAKE_PENDING:
        patients.set_status(
            by, patient, PatientStatus.SCREENING, reason="Intake submitted", request=request
        )
