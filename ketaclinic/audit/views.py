"""The audit report for clinic admins: filter, page through, print, export as CSV.

Both views are reads (GET) and both are themselves audited: opening the report records a
``view.audit_report`` entry, an export an ``audit.export`` entry with the filters used.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketaclinic.access.policy import roles
from ketaclinic.accounts.models import Role
from ketaclinic.audit import report as rep
from ketaclinic.audit.forms import AuditFilterForm
from ketaclinic.audit.log import record, record_view
from ketaclinic.clinics.models import Clinic

PER_PAGE = 50
FILTER_FIELDS = ("user", "patient_ref", "action", "start", "end", "sort")


def _form(request: HttpRequest, clinic: Clinic) -> AuditFilterForm:
    data = {k: request.GET[k] for k in FILTER_FIELDS if k in request.GET}
    return AuditFilterForm(data, clinic=clinic)


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _render_report(request: HttpRequest, clinic: Clinic, form: AuditFilterForm) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "clinic": clinic,
        "clinic_tz": rep.clinic_tz(clinic),
        "filter_query": _filter_query(request),
        "generated_at": timezone.now(),
    }
    if not form.is_valid():
        return render(request, "audit/report.html", context, status=400)
    paginator = Paginator(rep.filtered_entries(clinic, form), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context.update(
        page=page,
        rows=rep.rows(page.object_list),
        filters=form.summary(),
    )
    return render(request, "audit/report.html", context)


@roles(Role.CLINIC_ADMIN)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    clinic: Clinic = request.clinic  # type: ignore[attr-defined]
    form = _form(request, clinic)
    filters = form.summary() if form.is_valid() else {"invalid": "filters were not valid"}
    record_view(request, None, "audit_report", object_type="audit.report", after=filters)
    return _render_report(request, clinic, form)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@roles(Role.CLINIC_ADMIN)
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    clinic: Clinic = request.clinic  # type: ignore[attr-defined]
    form = _form(request, clinic)
    if not form.is_valid():
        record_view(
            request,
            None,
            "audit_report",
            object_type="audit.report",
            after={"invalid": "filters were not valid"},
        )
        return _render_report(request, clinic, form)
    record("audit.export", request=request, object_type="audit.report", after=form.summary())
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow(row)
        for row in rep.csv_rows(rep.filtered_entries(clinic, form), rep.clinic_tz(clinic))
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{clinic.slug}-{stamp}.csv"'
    return response
