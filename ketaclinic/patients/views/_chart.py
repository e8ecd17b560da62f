"""What every chart page shares: loading the patient for the request, the viewer, the header
and the tabs the viewer may see, Part 2 withholding and disclosure."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from ketaclinic.access.policy import clinic_scoped
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Role
from ketaclinic.audit.log import record
from ketaclinic.patients import chart, policies
from ketaclinic.patients.access import ChartViewer, chart_viewer
from ketaclinic.patients.models import Patient

# Who reaches a chart page: the readers by role, and outside professionals (limited to what
# is shared with them by chart_viewer). Other staff come in only by break-glass.
CHART_READERS: tuple[str, ...] = (
    *[str(r) for r in policies.READ_ROLES],
    str(Role.OUTSIDE_PROFESSIONAL),
)

# The redisclosure notice that must accompany each disclosure of Part 2 records, in plain
# words (42 CFR 2.32, as revised 2024).
REDISCLOSURE_NOTICE = (
    "This record contains information protected by federal confidentiality rules for "
    "substance use disorder records (42 CFR part 2). Those rules prohibit you from making any "
    "further disclosure of it unless the patient has given written consent that permits it, "
    "or unless part 2 otherwise allows it. A general authorization for the release of medical "
    "or other information is not sufficient. The rules also restrict using this information "
    "to investigate or prosecute the patient for a crime (42 CFR 2.12(d)(1), 2.32)."
)


def chart_target(request: ClinicRequest, pk: int, **kwargs: Any) -> Patient:
    """The patient if of the request's clinic; 404 otherwise (never another clinic's)."""
    return get_object_or_404(
        clinic_scoped(Patient.objects.select_related("clinic"), request), pk=pk
    )


def open_chart(request: ClinicRequest, pk: int) -> tuple[Patient, ChartViewer]:
    patient = chart_target(request, pk)
    return patient, chart_viewer(request, patient)


def visible_tabs(viewer: ChartViewer) -> list[chart.ChartTab]:
    """The tabs this viewer may open: staff by their role or, where the tab's view admits it,
    by break-glass; outside professionals by the sections shared with them."""
    role = viewer.membership.role
    return [
        t
        for t in chart.tabs()
        if viewer.sees(t.section)
        and (
            not t.roles
            or viewer.is_outside
            or role in t.roles
            or (viewer.break_glass and t.break_glass)
        )
    ]


def header(request: ClinicRequest, patient: Patient, viewer: ChartViewer) -> list[dict[str, Any]]:
    """The header items this viewer may see, each rendered with its own context (the keys of
    its ``context`` dict are the template's variables). Items that are summary-list rows are
    grouped into one list; any other markup stands on its own."""
    segments: list[dict[str, Any]] = []
    for item in chart.header_items():
        if not viewer.sees(item.section):
            continue
        context = item.context(patient, viewer)
        if context is None:
            continue
        html = render_to_string(item.template, {"patient": patient, **context}, request=request)
        if html.lstrip().startswith('<div class="summary-list__row"'):
            if not segments or "rows" not in segments[-1]:
                segments.append({"rows": []})
            segments[-1]["rows"].append(mark_safe(html))  # noqa: S308 - our own templates' output
        else:
            segments.append({"block": mark_safe(html)})  # noqa: S308 - our own templates' output
    return segments


def chart_context(
    request: ClinicRequest, patient: Patient, viewer: ChartViewer, slug: str
) -> dict[str, Any]:
    """The context every tab page starts from; 404 when ``slug`` is not a tab this viewer sees
    (a tab whose section is not shared does not exist for them)."""
    tabs = visible_tabs(viewer)
    current = next((t for t in tabs if t.slug == slug), None)
    if current is None:
        raise Http404("No such page.")
    return {
        "patient": patient,
        "viewer": viewer,
        "header_segments": header(request, patient, viewer),
        "tabs": [
            {
                "label": t.label,
                "url": reverse(t.url_name, args=[patient.pk]),
                "current": t.slug == slug,
            }
            for t in tabs
        ],
        "tab": current,
        "can_edit_clinical": not viewer.is_outside
        and policies.can_edit_clinical(viewer.membership, patient),
        "can_edit_demographics": not viewer.is_outside
        and policies.can_edit_demographics(viewer.membership, patient),
        "list_url": reverse("patients:list"),
    }


def disclose(
    request: ClinicRequest, viewer: ChartViewer, patient: Patient, rows: list[Any], where: str
) -> bool:
    """Record a 42 CFR Part 2 disclosure when an outside professional is shown Part 2 rows;
    True when the redisclosure notice must be shown."""
    count = sum(1 for r in rows if getattr(r, "part2", False))
    if not count or not viewer.is_outside:
        return False
    record(
        "patient.part2_disclosure",
        request=request,
        obj=patient,
        patient_ref=patient.pk,
        after={"where": where, "rows": count},
    )
    return True
