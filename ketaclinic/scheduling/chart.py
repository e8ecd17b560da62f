"""The chart header's "Next visit" item (registered in ``apps.ready``): the patient's next
booked visit, for the staff who book (``policies.BOOKING_ROLES``), with a link to its day."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.patients import sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.chart import HeaderItem
from ketaclinic.patients.models import Patient
from ketaclinic.scheduling import policies
from ketaclinic.scheduling.models import Booking, BookingStatus


def header_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any] | None:
    if viewer.is_outside or not policies.can_book(viewer.membership, patient.clinic_id):
        return None
    upcoming = (
        Booking.objects.filter(
            patient=patient, status=BookingStatus.BOOKED, ends_at__gt=timezone.now()
        )
        .select_related("chair")
        .order_by("starts_at")
        .first()
    )
    starts = upcoming.starts_at.astimezone(clinic_zone(patient.clinic)) if upcoming else None
    return {"next_visit": upcoming, "next_starts": starts, "patient": patient}


# The chart header's "Next visit" row (the patients app registers none of its own).
HEADER = HeaderItem(
    key="next_appointment",
    order=90,
    template="scheduling/_header_item.html",
    context=header_context,
    section=sections.TREATMENT,
)
