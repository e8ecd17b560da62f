"""What every patients action shares: the permission checks, the row lock, the audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.patients import policies
from ketaclinic.patients.models import Patient, Source
from ketaclinic.patients.signals import record_changed


class StaleVersion(ValidationError):
    """The record changed since the form was opened; the change was not saved."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this record after you opened it. Nothing was saved: "
            "reload the page to see their change, then make yours again.",
            code="stale",
        )


def require_demographics(by: Membership | None, patient: Patient) -> Membership:
    if not policies.can_edit_demographics(by, patient):
        raise PermissionDenied("Your role cannot change this patient's details.")
    assert by is not None  # for mypy: the policy refuses None
    return by


def require_clinical(by: Membership | None, patient: Patient, source: str) -> None:
    """Physicians and nurses; or ``by=None``, the patient through an intake link the caller
    (the intake app) has verified, which must say so with ``source="intake"``."""
    if by is None:
        if source != Source.INTAKE:
            raise PermissionDenied("Only the intake may record history without a staff member.")
        return
    if not policies.can_edit_clinical(by, patient):
        raise PermissionDenied("Only physicians and nurses can record clinical history.")


def check_source(source: str) -> str:
    if source not in Source.values:
        raise ValidationError(f"Unknown source {source!r}.")
    return source


def locked(patient: Patient) -> Patient:
    """The patient row, locked until the transaction ends (two writers cannot interleave)."""
    return (
        Patient.objects.select_for_update(of=("self",)).select_related("clinic").get(pk=patient.pk)
    )


def audit(
    action: str,
    by: Membership | None,
    patient: Patient,
    *,
    request: HttpRequest | None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> None:
    record(
        action,
        request=request,
        by=by,
        clinic=patient.clinic,
        obj=patient,
        patient_ref=patient.pk,
        before=before,
        after=after,
        reason=reason,
    )


def changed(by: Membership | None, patient: Patient) -> None:
    """Tell eligibility (and any other receiver) that what it reads changed; inside the
    transaction, after the writes, so a receiver that fails rolls the change back."""
    record_changed.send(sender=Patient, patient=patient, by=by)
