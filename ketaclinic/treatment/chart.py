"""The treatment tab and header item on a patient's chart (registered in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from ketaclinic.accounts.models import Role
from ketaclinic.patients import sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.chart import ChartTab, HeaderItem
from ketaclinic.patients.models import Patient
from ketaclinic.treatment.models import PlanVersion

TAB = ChartTab(
    slug="treatment",
    label="Treatment plan",
    order=40,
    url_name="treatment:tab",
    section=sections.TREATMENT,
    roles=frozenset({Role.PHYSICIAN.value, Role.NURSE.value, Role.COORDINATOR.value}),
)


def header_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any] | None:
    if not viewer.sees(sections.TREATMENT):
        return None
    latest = (
        PlanVersion.objects.filter(plan__patient=patient)
        .order_by("-plan__created_at", "-plan_id", "-number")
        .first()
    )
    return {"plan_version": latest, "patient": patient}


HEADER = HeaderItem(
    key="treatment",
    order=45,
    template="treatment/_header_item.html",
    context=header_context,
    section=sections.TREATMENT,
)
