"""What the measurement app adds to the patient's chart: the "Questionnaires" tab and the
"Safety alerts" header item (open alerts, shown to everyone who sees the chart summary)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.patients import queries, sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.chart import ChartTab, HeaderItem, register_header_item, register_tab
from ketaclinic.patients.models import Patient


def safety_alerts_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any] | None:
    from ketaclinic.measurement.models import SafetyAlert

    rows, withheld = queries.visible(
        SafetyAlert.objects.filter(patient=patient, acknowledged_at__isnull=True).order_by(
            "opened_at", "id"
        ),
        viewer,
    )
    if not rows and not withheld:
        return None
    return {
        "alerts": [
            {"alert": a, "url": reverse("measurement:alert", args=[patient.pk, a.pk])} for a in rows
        ],
        "withheld": withheld,
        "links": not viewer.is_outside,
    }


def register() -> None:
    register_tab(
        ChartTab(
            "questionnaires",
            "Questionnaires",
            60,
            "measurement:questionnaires",
            sections.OUTCOMES,
            roles=frozenset({str(Role.PHYSICIAN), str(Role.NURSE), str(Role.COORDINATOR)}),
        )
    )
    register_header_item(
        HeaderItem(
            "safety_alerts",
            15,
            "measurement/header_safety_alerts.html",
            safety_alerts_context,
            sections.SUMMARY,
        )
    )
