"""The eligibility tab and header badge on a patient's chart (registered in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from ketaclinic.accounts.models import Role
from ketaclinic.eligibility.models import Decision, ScreeningStatus
from ketaclinic.eligibility.screening import current_decision, screen
from ketaclinic.patients import sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.chart import ChartTab, HeaderItem
from ketaclinic.patients.models import Patient

TAB = ChartTab(
    slug="eligibility",
    label="Eligibility",
    order=30,
    url_name="eligibility:tab",
    section=sections.ELIGIBILITY,
    roles=frozenset({Role.PHYSICIAN.value, Role.NURSE.value, Role.COORDINATOR.value}),
)

STATUS_TONES = {
    ScreeningStatus.NOT_ELIGIBLE: "danger",
    ScreeningStatus.PHYSICIAN_REVIEW: "warning",
    ScreeningStatus.INCOMPLETE: "info",
    ScreeningStatus.ELIGIBLE: "success",
}


def badge(patient: Patient) -> dict[str, str]:
    """What the header says: the live decision when there is one (or "Decision out of date"),
    else the screening status."""
    result = screen(patient)
    decision = current_decision(patient)
    if decision is not None:
        if decision.is_stale or decision.fingerprint != result.fingerprint:
            return {"label": "Decision out of date", "tone": "warning"}
        tone = {
            Decision.ELIGIBLE: "success",
            Decision.ELIGIBLE_WITH_CONDITIONS: "success",
            Decision.NOT_ELIGIBLE: "danger",
        }[Decision(decision.decision)]
        return {"label": decision.get_decision_display(), "tone": tone}
    status = ScreeningStatus(result.status)
    return {"label": status.label, "tone": STATUS_TONES[status]}


def header_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any] | None:
    if not viewer.sees(sections.ELIGIBILITY):
        return None
    return {"eligibility": badge(patient), "patient": patient}


HEADER = HeaderItem(
    key="eligibility",
    order=30,
    template="eligibility/_header_item.html",
    context=header_context,
    section=sections.ELIGIBILITY,
)
