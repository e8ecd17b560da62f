"""The coordinators' list of inquiries: filters, counts per status, paging."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.inquiries import policies, queries
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.staff_forms import FilterForm

PAGE_SIZE = 25


@roles(*policies.READ_ROLES)
@require_GET
def inquiry_list(request: HttpRequest) -> HttpResponse:
    clinic = request.clinic  # type: ignore[attr-defined]
    today = queries.clinic_today(clinic)
    form = FilterForm(request.GET or None, clinic=clinic)
    # An invalid filter is shown as an error and dropped; the valid ones still apply.
    data = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    base = queries.apply_filters(clinic_scoped(Inquiry.objects.all(), request), data, today)
    counts = queries.status_counts(base)
    status = data.get("status") or ""
    rows = base.filter(status=status) if status else base
    rows = queries.annotate_flags(rows.select_related("owner"), today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))

    # Query strings for status tabs and paging keep the other filters.
    kept = {k: v for k, v in data.items() if v not in (None, "", False) and k != "status"}
    kept = {k: ("on" if v is True else v) for k, v in kept.items()}
    with timezone.override(queries.clinic_zone(clinic)):
        return render(
            request,
            "inquiries/list.html",
            {
                "form": form,
                "page": page,
                "counts": counts,
                "total": sum(n for _, _, n in counts),
                "current_status": status,
                "filters_qs": urlencode(kept),
                "page_qs": urlencode({**kept, **({"status": status} if status else {})}),
                "today": today,
            },
        )
