"""The Outcomes tab of the patient chart, its trajectory plots, and the export of responses.

Who sees them: the chart's readers by role (physician, nurse, coordinator), outside
professionals whose sharing grant names the ``outcomes`` section (``patients.access``), other
staff only by break-glass (the tab is not theirs, so they get 404 there too). 42 CFR Part 2
responses are withheld unless ``viewer.part2``. Openings and downloads are audited; a download
is a disclosure (``responses.export``), and Part 2 rows shown to an outside professional are
recorded as ``patient.part2_disclosure`` with the redisclosure notice (42 CFR 2.32).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Role
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.audit.log import record, record_view
from ketaclinic.instruments import INSTRUMENTS, Instrument
from ketaclinic.instruments.scales import band
from ketaclinic.measurement import export
from ketaclinic.measurement.outcome_settings import Rules, clinic_rules
from ketaclinic.measurement.outcomes import Outcome, infusions_of, patient_outcomes
from ketaclinic.measurement.plots import describe, trajectory_svg
from ketaclinic.patients import sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.chart import ChartTab, register_tab
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import (
    CHART_READERS,
    REDISCLOSURE_NOTICE,
    chart_context,
    chart_target,
    open_chart,
    visible_tabs,
)

TAB = ChartTab(
    "outcomes",
    "Outcomes",
    60,
    "outcomes:page",
    sections.OUTCOMES,
    roles=frozenset({Role.PHYSICIAN.value, Role.NURSE.value, Role.COORDINATOR.value}),
)


def register_chart_tab() -> None:
    register_tab(TAB)


def _opened(request: ClinicRequest, pk: int) -> tuple[Patient, ChartViewer]:
    """The patient and viewer; 404 unless this viewer sees the Outcomes tab."""
    patient, viewer = open_chart(request, pk)
    if not any(t.slug == TAB.slug for t in visible_tabs(viewer)):
        raise Http404("No such page.")
    return patient, viewer


def _disclosed(
    request: ClinicRequest, viewer: ChartViewer, patient: Patient, count: int, where: str
) -> bool:
    """Record the disclosure of ``count`` Part 2 responses to an outside professional; True
    when the redisclosure notice must accompany them (any Part 2 row shown or exported)."""
    if count and viewer.is_outside:
        record(
            "patient.part2_disclosure",
            request=request,
            obj=patient,
            patient_ref=patient.pk,
            after={"where": where, "rows": count},
        )
    return count > 0


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("Yes" if value else "No")


def _summary(o: Outcome, rules: Rules, pk: int) -> dict[str, Any]:
    inst, zone = o.instrument, o.zone
    pct = o.percent_change
    response_rule, remission_rule = o.response_rule, o.remission_rule
    return {
        "id": inst.id,
        "name": inst.name,
        "baseline": o.baseline,
        "baseline_on": o.baseline.at.astimezone(zone).date(),
        "latest": o.latest,
        "latest_on": o.latest.at.astimezone(zone).date(),
        "follow_up": o.has_follow_up,
        "change": f"{o.change:+d}" if o.has_follow_up else "—",
        "percent": f"{pct:+.0f}%" if pct is not None and o.has_follow_up else "—",
        "responding": _yes_no(o.responding),
        "remitted": _yes_no(o.remitted),
        "days_to_response": o.days_to_response,
        "lost_on": o.lost_since.at.astimezone(zone).date() if o.lost_since else None,
        "response_rule": response_rule,
        "remission_rule": remission_rule,
        "remission_chosen": inst.id in rules.chosen,
        "threshold": o.response_threshold,
        "points": [
            {
                "on": p.at.astimezone(zone).date(),
                "total": p.total,
                "severity": band(inst.bands, p.total) or "—",
                "baseline": p is o.baseline,
            }
            for p in o.points
        ],
        "plot_url": reverse("outcomes:plot", args=[pk, inst.id]),
        "alt": describe(o),
        "day_after": o.day_after,
    }


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def outcomes_page(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, viewer = open_chart(request, pk)
    context = chart_context(request, patient, viewer, TAB.slug)
    record_view(request, patient, "patient_outcomes", patient_ref=patient.pk)
    rules = clinic_rules(patient.clinic)
    infusions = infusions_of(patient)
    data = patient_outcomes(patient, part2=viewer.part2, rules=rules, infusions=infusions)
    context.update(
        summaries=[_summary(o, rules, patient.pk) for o in data.outcomes],
        withheld=data.withheld,
        notice=_disclosed(request, viewer, patient, data.shown_part2, "outcomes"),
        redisclosure_notice=REDISCLOSURE_NOTICE,
        infusions=infusions,
        zone=clinic_zone(patient.clinic),
    )
    return render(request, "measurement/outcomes.html", context)


def _instrument(instrument_id: str) -> Instrument:
    inst = INSTRUMENTS.get(instrument_id)
    if inst is None:
        raise Http404("No such instrument.")
    return inst


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def plot(request: ClinicRequest, pk: int, instrument_id: str) -> HttpResponse:
    """The trajectory SVG, as an image of its own (its style attributes may not be inline)."""
    patient, viewer = _opened(request, pk)
    inst = _instrument(instrument_id)
    infusions = infusions_of(patient)
    data = patient_outcomes(
        patient, part2=viewer.part2, rules=clinic_rules(patient.clinic), infusions=infusions
    )
    found = next((o for o in data.outcomes if o.instrument.id == inst.id), None)
    if found is None:
        raise Http404("No scores of that instrument.")
    record_view(
        request, patient, "outcome_plot", patient_ref=patient.pk, after={"instrument": inst.id}
    )
    response = HttpResponse(trajectory_svg(found, infusions), content_type="image/svg+xml")
    return response


def _export(request: ClinicRequest, pk: int, fmt: str) -> tuple[Patient, list[Any], bool]:
    patient, viewer = _opened(request, pk)
    rows, withheld = export.exported_rows(patient, part2=viewer.part2)
    part2_rows = sum(1 for r in rows if r.part2)
    record(
        "responses.export",
        request=request,
        obj=patient,
        patient_ref=patient.pk,
        after={"format": fmt, "responses": len(rows), "part2": part2_rows, "withheld": withheld},
    )
    notice = _disclosed(request, viewer, patient, part2_rows, f"export {fmt}")
    return patient, rows, notice


def _filename(patient: Patient, ext: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f'attachment; filename="responses-{patient.mrn}-{stamp}.{ext}"'


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def export_csv(request: ClinicRequest, pk: int) -> HttpResponse:
    import csv
    import io

    patient, rows, notice = _export(request, pk, "csv")
    buf = io.StringIO()
    writer = csv.writer(buf)
    zone = clinic_zone(patient.clinic)
    writer.writerows(
        export.csv_rows(patient, rows, zone, notice=REDISCLOSURE_NOTICE if notice else None)
    )
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(patient, "csv")
    return response


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def export_fhir(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, rows, _notice = _export(request, pk, "fhir")
    bundle = export.fhir_bundle(
        patient, rows, generated_at=timezone.now(), notice=REDISCLOSURE_NOTICE
    )
    response = HttpResponse(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        content_type="application/fhir+json; charset=utf-8",
    )
    response["Content-Disposition"] = _filename(patient, "fhir.json")
    return response
