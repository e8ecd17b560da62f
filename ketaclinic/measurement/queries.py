"""Read-side queries of the measurement app for other screens (the staff home page)."""

from __future__ import annotations

from ketaclinic.clinics.models import Clinic
from ketaclinic.measurement.models import SafetyAlert
from ketaclinic.web.queues import SECTION_LIMIT, Queue


def open_safety_alerts(clinic: Clinic) -> Queue[SafetyAlert]:
    """Unacknowledged alerts of the clinic, oldest first (the one waiting longest is the most
    urgent): two queries however many."""
    qs = SafetyAlert.objects.filter(clinic=clinic, acknowledged_at__isnull=True)
    items = list(
        qs.select_related("patient", "response").order_by("opened_at", "id")[:SECTION_LIMIT]
    )
    return Queue(qs.count(), items)
