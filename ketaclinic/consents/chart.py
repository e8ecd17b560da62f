"""The consents part of a patient's chart: a header item and a tab (``patients.chart``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ketaclinic.patients.chart import ChartTab, HeaderItem, register_header_item, register_tab

if TYPE_CHECKING:
    from ketaclinic.patients.access import ChartViewer
    from ketaclinic.patients.models import Patient

# Not a sharing section (patients.sections.SHAREABLE): outside professionals never see it.
SECTION = "consents"
TAB_SLUG = "consents"


def header_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any] | None:
    from ketaclinic.consents import policies, queries

    if viewer.is_outside:
        return None
    latest = queries.latest_versions(patient.clinic)
    shown = [
        {"consent": c, "reconsent": queries.reconsent_reasons(c, latest)}
        for c in queries.live_consents(patient)
        if policies.sees_kind(viewer.part2, c.template.kind)
    ]
    return {"live_consents": shown, "patient": patient}


def register() -> None:
    from ketaclinic.consents.policies import READ_ROLES

    register_header_item(
        HeaderItem(
            key="consents",
            order=50,
            template="consents/_chart_header.html",
            context=header_context,
            section=SECTION,
        )
    )
    register_tab(
        ChartTab(
            slug=TAB_SLUG,
            label="Consents",
            order=60,
            url_name="consents:list",
            section=SECTION,
            roles=frozenset(str(r) for r in READ_ROLES),
        )
    )
