"""Actions on the patient row itself: create, change identity and contact, status, safety flags.

Demographic fields change in place, so the audit entry is the only place the previous value
lives: each change is recorded with its before and after values (the audit trail is the
record's change history, readable only by the clinic admin).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.patients import policies
from ketaclinic.patients.actions._common import (
    StaleVersion,
    audit,
    changed,
    locked,
    require_demographics,
)
from ketaclinic.patients.models import Patient, PatientStatus, SafetyFlag

MRN_PREFIX = "KC-"
MRN_ATTEMPTS = 5

# What create_patient and update_patient may set. Status has its own action (set_status);
# sud_treatment (the Part 2 label) only a physician or nurse may change.
DEMOGRAPHIC_FIELDS: tuple[str, ...] = (
    "legal_given_name",
    "legal_family_name",
    "preferred_name",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "gender_identity_other",
    "pronouns",
    "email",
    "phone_mobile",
    "phone_other",
    "address",
    "preferred_language",
    "interpreter_needed",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "escort_name",
    "escort_relationship",
    "escort_phone",
    "professional_note",
    "wants_professional_introduction",
)
CLINICAL_FIELDS: tuple[str, ...] = ("sud_treatment",)
REQUIRED_FIELDS: tuple[str, ...] = (
    "legal_given_name",
    "legal_family_name",
    "date_of_birth",
    "sex_at_birth",
)


def _checked_values(
    by: Membership | None, patient: Patient, values: dict[str, Any]
) -> dict[str, Any]:
    unknown = set(values) - set(DEMOGRAPHIC_FIELDS) - set(CLINICAL_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    if any(f in values for f in CLINICAL_FIELDS) and not policies.can_edit_clinical(by, patient):
        if any(values[f] != getattr(patient, f) for f in CLINICAL_FIELDS if f in values):
            raise PermissionDenied("Only physicians and nurses can change the Part 2 label.")
    return values


def next_mrn(clinic: Clinic) -> str:
    """One more than the highest "KC-nnnnnn" of the clinic. Two creations at once may pick the
    same number: the unique constraint refuses the second, which retries (create_patient)."""
    numbers = [
        int(m[len(MRN_PREFIX) :])
        for m in Patient.objects.filter(clinic=clinic, mrn__startswith=MRN_PREFIX).values_list(
            "mrn", flat=True
        )
        if re.fullmatch(r"\d+", m[len(MRN_PREFIX) :])
    ]
    return f"{MRN_PREFIX}{max(numbers, default=0) + 1:06d}"


def _snapshot(patient: Patient, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {f: getattr(patient, f) for f in fields}


def create_patient(
    by: Membership,
    clinic: Clinic,
    *,
    values: dict[str, Any],
    inquiry: Inquiry | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """A new patient of ``clinic`` with the next free medical record number.

    With ``inquiry`` (an inquiry of the same clinic not yet converted), the two are linked:
    ``inquiry.converted_reference`` becomes the MRN and the inquiry moves to "became patient"
    through the inquiries action (which stamps ``converted_at``)."""
    if not policies.can_create(by) or by.clinic_id != clinic.pk:
        raise PermissionDenied("Your role cannot create patient records.")
    probe = Patient(clinic=clinic)
    _checked_values(by, probe, values)
    missing = [f for f in REQUIRED_FIELDS if not values.get(f)]
    if missing:
        raise ValidationError({f: "This is needed." for f in missing})
    if inquiry is not None:
        if inquiry.clinic_id != clinic.pk:
            raise PermissionDenied("That inquiry belongs to another clinic.")
        if Patient.objects.filter(inquiry=inquiry).exists():
            raise ValidationError("That inquiry already became a patient record.")
    with transaction.atomic():
        patient = None
        for _attempt in range(MRN_ATTEMPTS):
            try:
                with transaction.atomic():  # a savepoint: a clash rolls back only the insert
                    patient = Patient.objects.create(
                        clinic=clinic,
                        mrn=next_mrn(clinic),
                        created_by=by.user,
                        inquiry=inquiry,
                        **values,
                    )
                break
            except IntegrityError:
                continue
        if patient is None:
            raise ValidationError("Could not allocate a record number; try again.")
        after = {**_snapshot(patient, [*DEMOGRAPHIC_FIELDS, *CLINICAL_FIELDS]), "mrn": patient.mrn}
        audit("patient.create", by, patient, request=request, after=after)
        if inquiry is not None:
            _link_inquiry(by, patient, inquiry, request=request)
        changed(by, patient)
    return patient


def _link_inquiry(
    by: Membership, patient: Patient, inquiry: Inquiry, *, request: HttpRequest | None
) -> None:
    from ketaclinic.inquiries import actions as inquiry_actions
    from ketaclinic.inquiries import policies as inquiry_policies
    from ketaclinic.inquiries.models import Status

    Inquiry.objects.filter(pk=inquiry.pk).update(converted_reference=patient.mrn)
    inquiry.converted_reference = patient.mrn
    # The status moves through the inquiries action (its history and audit entry) when the
    # creator may work on inquiries; a nurse converting one leaves the status to the desk.
    if inquiry.status != Status.BECAME_PATIENT and inquiry_policies.can_edit(by, inquiry.clinic):
        inquiry_actions.change_status(
            by, inquiry, Status.BECAME_PATIENT, f"Patient record {patient.mrn}.", request=request
        )
    elif inquiry.converted_at is None:
        now = timezone.now()
        Inquiry.objects.filter(pk=inquiry.pk).update(converted_at=now)
        inquiry.converted_at = now
    audit(
        "patient.convert_inquiry",
        by,
        patient,
        request=request,
        after={"inquiry_id": inquiry.pk, "mrn": patient.mrn},
    )


def update_patient(
    by: Membership | None,
    patient: Patient,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> bool:
    """Change identity, contact and escort fields. ``expected_version`` is the version the form
    was opened at: if the row moved on since, ``StaleVersion`` is raised and nothing saved
    (None skips the check, for commands). Returns False when nothing changed.

    ``by=None`` is the patient through an intake link the intake app verified (CONVENTIONS);
    the Part 2 label stays out of their reach (``_checked_values``)."""
    if by is not None:
        by = require_demographics(by, patient)
    with transaction.atomic():
        row = locked(patient)
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion()
        _checked_values(by, row, changes)
        fields = [f for f in changes if changes[f] != getattr(row, f)]
        if not fields:
            return False
        if any(f in REQUIRED_FIELDS and not changes[f] for f in fields):
            raise ValidationError({f: "This is needed." for f in fields if not changes[f]})
        before = _snapshot(row, fields)
        for f in fields:
            setattr(row, f, changes[f])
        row.version += 1
        row.updated_at = timezone.now()
        row.save(update_fields=[*fields, "version", "updated_at"])
        audit(
            "patient.update", by, row, request=request, before=before, after=_snapshot(row, fields)
        )
        # Date of birth, sex at birth and the Part 2 label are read by eligibility.
        if {"date_of_birth", "sex_at_birth", "sud_treatment"} & set(fields):
            changed(by, row)
    for f in [*fields, "version", "updated_at"]:
        setattr(patient, f, getattr(row, f))
    return True


def set_status(
    by: Membership | None,
    patient: Patient,
    status: str,
    *,
    reason: str = "",
    request: HttpRequest | None = None,
) -> bool:
    """``by=None``: the patient's own submitted intake (verified link), which may only move
    them from "intake pending" to "screening"."""
    if by is None:
        if patient.status != PatientStatus.INTAKE_PENDING or status != PatientStatus.SCREENING:
            raise PermissionDenied("Only staff can change a patient's status.")
    else:
        by = require_demographics(by, patient)
    if status not in PatientStatus.values:
        raise ValidationError(f"Unknown status {status!r}.")
    with transaction.atomic():
        row = locked(patient)
        if row.status == status:
            return False
        before = row.status
        row.status = status
        row.version += 1
        row.updated_at = timezone.now()
        row.save(update_fields=["status", "version", "updated_at"])
        audit(
            "patient.status",
            by,
            row,
            request=request,
            before={"status": before},
            after={"status": status},
            reason=reason,
        )
    patient.status, patient.version = row.status, row.version
    return True


def raise_safety_flag(
    by: Membership | None,
    patient: Patient,
    *,
    kind: str,
    detail: str,
    request: HttpRequest | None = None,
    from_patient_answer: bool = False,
) -> SafetyFlag:
    """Any reader of the chart may raise a flag (the front desk hears things first).

    ``by=None`` only with ``from_patient_answer=True``: the measurement app raising a flag
    from the patient's own questionnaire answer, sent through a link it has verified."""
    if by is None:
        if not from_patient_answer:
            raise PermissionDenied("Only a patient's own answer raises a flag without staff.")
    elif not policies.can_read(by, patient):
        raise PermissionDenied("Your role cannot raise safety flags on this patient.")
    if not kind.strip() or not detail.strip():
        raise ValidationError("Say what kind of concern it is and what happened.")
    with transaction.atomic():
        row = locked(patient)
        flag = SafetyFlag.objects.create(
            patient=row,
            kind=kind.strip(),
            detail=detail,
            raised_by=by.user if by is not None else None,
            part2=row.sud_treatment,
        )
        audit(
            "patient.safety_flag",
            by,
            row,
            request=request,
            after={"flag_id": flag.pk, "kind": flag.kind},
        )
        changed(by, row)
    return flag


def resolve_safety_flag(
    by: Membership,
    flag: SafetyFlag,
    *,
    action_taken: str,
    request: HttpRequest | None = None,
    resolved_at: dt.datetime | None = None,
) -> SafetyFlag:
    """Physicians and nurses resolve a flag, saying what they did."""
    patient = flag.patient
    if not policies.can_edit_clinical(by, patient):
        raise PermissionDenied("Only physicians and nurses can resolve safety flags.")
    if not action_taken.strip():
        raise ValidationError({"action_taken": "Say what was done."})
    with transaction.atomic():
        row = locked(patient)
        current = SafetyFlag.objects.select_for_update().get(pk=flag.pk)
        if current.resolved_at is not None:
            raise ValidationError("This flag is already resolved.")
        current.resolved_at = resolved_at or timezone.now()
        current.resolved_by = by.user
        current.action_taken = action_taken
        current.save(update_fields=["resolved_at", "resolved_by", "action_taken"])
        audit(
            "patient.safety_flag_resolve",
            by,
            row,
            request=request,
            after={"flag_id": current.pk},
        )
        changed(by, row)
    flag.resolved_at, flag.resolved_by, flag.action_taken = (
        current.resolved_at,
        by.user,
        action_taken,
    )
    return flag


def update_chart_settings(
    by: Membership,
    clinic: Clinic,
    *,
    treatment_resistant_min_trials: int,
    request: HttpRequest | None = None,
) -> bool:
    """Set the clinic's treatment-resistant threshold (``ChartSettings``). False: unchanged."""
    from ketaclinic.audit.log import record
    from ketaclinic.patients.models import ChartSettings

    if not policies.can_change_settings(by) or by.clinic_id != clinic.pk:
        raise PermissionDenied("Only the clinic admin and physicians change chart settings.")
    if not 1 <= treatment_resistant_min_trials <= 10:
        raise ValidationError({"treatment_resistant_min_trials": "Enter a number from 1 to 10."})
    with transaction.atomic():
        row, _ = ChartSettings.objects.select_for_update().get_or_create(clinic=clinic)
        before = row.treatment_resistant_min_trials
        if before == treatment_resistant_min_trials:
            return False
        row.treatment_resistant_min_trials = treatment_resistant_min_trials
        row.save(update_fields=["treatment_resistant_min_trials"])
        record(
            "patient.chart_settings",
            by=by,
            request=request,
            obj=clinic,
            before={"treatment_resistant_min_trials": before},
            after={"treatment_resistant_min_trials": treatment_resistant_min_trials},
        )
    return True
