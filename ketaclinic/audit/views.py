"""The audit report for clinic admins: filter, page through, print, export as CSV.

A filter may name a patient, and patient data stays out of URLs (server logs, browser history,
Referer headers). So the filter form is POSTed (with CSRF), the valid filters are kept in the
session under a key per clinic, and the browser is redirected to the report (post/redirect/get,
as the inquiry list does); only the page number travels in the URL. The CSV export is a GET that
reads the same kept filters, so its link carries none.

Both reads are themselves audited: opening the report records a ``view.audit_report`` entry
with the filters in effect, an export an ``audit.export`` entry with the filters used.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Role
from ketaclinic.audit import present
from ketaclinic.audit import report as rep
from ketaclinic.audit.forms import AuditFilterForm
from ketaclinic.audit.log import record, record_view
from ketaclinic.clinics.models import Clinic

PER_PAGE = 50
INVALID = {"invalid": "filters were not valid"}


def session_key(clinic: Clinic) -> str:
    # One key per clinic: someone who administers two clinics keeps separate filters for each.
    return f"audit_report_filters:{clinic.pk}"


def _kept_form(request: HttpRequest, clinic: Clinic) -> AuditFilterForm:
    """The form bound to the filters kept for this clinic (none kept: all entries)."""
    kept = request.session.get(session_key(clinic))
    return AuditFilterForm(kept if isinstance(kept, dict) else {}, clinic=clinic)


def _audit_view(request: HttpRequest, form: AuditFilterForm) -> None:
    after = form.summary() if form.is_valid() else INVALID
    record_view(request, None, "audit_report", object_type="audit.report", after=after)


def _render_report(request: HttpRequest, clinic: Clinic, form: AuditFilterForm) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "clinic": clinic,
        "clinic_tz": clinic_zone(clinic),
        "generated_at": timezone.now(),
    }
    if not form.is_valid():
        return render(request, "audit/report.html", context, status=400)
    paginator = Paginator(rep.filtered_entries(clinic, form), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context.update(
        page=page,
        rows=present.rows(page.object_list),
        filters=form.summary(),
        shown_filters=form.described(),
        # Filters kept in the session from an earlier visit are shown as in force, with a
        # one-click clear, so nobody reads a filtered report as the whole trail.
        filters_kept=bool(request.session.get(session_key(clinic))),
    )
    return render(request, "audit/report.html", context)


def _keep_filters(request: HttpRequest, clinic: Clinic) -> HttpResponse:
    if "clear" in request.POST:
        request.session.pop(session_key(clinic), None)
        return redirect("audit:report")
    form = AuditFilterForm(request.POST, clinic=clinic)
    if not form.is_valid():
        # Shown with the errors and what was typed; the filters kept before stay as they were.
        _audit_view(request, form)
        return _render_report(request, clinic, form)
    request.session[session_key(clinic)] = form.kept()
    return redirect("audit:report")


@roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def report(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    if request.method == "POST":
        return _keep_filters(request, clinic)
    # Filter values in the query string (an old bookmark) are ignored, never echoed.
    form = _kept_form(request, clinic)
    _audit_view(request, form)
    return _render_report(request, clinic, form)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@roles(Role.CLINIC_ADMIN)
@require_GET
def export(request: ClinicRequest) -> HttpResponseBase:
    clinic = request.clinic
    form = _kept_form(request, clinic)
    if not form.is_valid():
        _audit_view(request, form)
        return _render_report(request, clinic, form)
    record("audit.export", request=request, object_type="audit.report", after=form.summary())
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow(row)
        for row in rep.csv_rows(rep.filtered_entries(clinic, form), clinic_zone(clinic))
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{clinic.slug}-{stamp}.csv"'
    return response
