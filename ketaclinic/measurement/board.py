"""What the measurement app adds to the day board: questionnaires still to answer, and open
safety alerts, as things needed before the infusion starts (the pre-infusion checklist of
clinical reference section 3.3: the PHQ-9 item 9 / C-SSRS screen before each infusion; an
open safety alert blocks the session)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ketaclinic.instruments import get
from ketaclinic.measurement.models import QuestionnaireRequest, RequestStatus, SafetyAlert
from ketaclinic.scheduling.board import Check
from ketaclinic.scheduling.models import Booking


def questionnaire_checks(bookings: Sequence[Booking]) -> Mapping[int, list[Check]]:
    """Two queries for the whole day, whatever its number of visits."""
    patient_ids = {b.patient_id for b in bookings}
    if not patient_ids:
        return {}
    waiting: dict[int, list[str]] = {}
    for req in QuestionnaireRequest.objects.filter(
        patient_id__in=patient_ids, status__in=[RequestStatus.SENT, RequestStatus.STARTED]
    ).only("patient_id", "instruments"):
        waiting.setdefault(req.patient_id, []).extend(req.instruments)
    alerts = set(
        SafetyAlert.objects.filter(
            patient_id__in=patient_ids, acknowledged_at__isnull=True
        ).values_list("patient_id", flat=True)
    )
    out: dict[int, list[Check]] = {}
    for booking in bookings:
        checks = []
        if booking.patient_id in alerts:
            checks.append(
                Check("No open safety alert", False, "a clinician must acknowledge it first")
            )
        names = waiting.get(booking.patient_id)
        if names:
            short = ", ".join(dict.fromkeys(get(i).name.split(" (")[-1].rstrip(")") for i in names))
            checks.append(Check("Questionnaires answered", False, f"{short}: sent, not answered"))
        if checks:
            out[booking.pk] = checks
    return out
