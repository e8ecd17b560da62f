"""The coordinators' list of inquiries: filters, counts per status, paging.

The search text is a person's name, email or phone, so it never travels in the URL (where it
would land in server logs and browser history): the search form is POSTed, the text is kept
in the session, and the list is shown by redirecting to a URL with only the other filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.audit.log import record_view
from ketaclinic.inquiries import policies, queries
from ketaclinic.inquiries.audit_events import INQUIRY
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.staff_forms import FilterForm

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "inquiries_search"


def _url_filters(data: dict[str, object]) -> dict[str, object]:
    """The filters that may appear in a URL: everything but the search text."""
    kept = {k: v for k, v in data.items() if v not in (None, "", False) and k != "q"}
    return {k: ("on" if v is True else v) for k, v in kept.items()}


def _remember_search(request: ClinicRequest) -> HttpResponseRedirect:
    if "clear" in request.POST:
        request.session.pop(SEARCH_SESSION_KEY, None)
        return redirect("inquiries:list")
    form = FilterForm(request.POST, clinic=request.clinic)
    form.is_valid()
    text = str(form.cleaned_data.get("q") or "")
    if text:
        request.session[SEARCH_SESSION_KEY] = text
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
    query = urlencode(_url_filters(form.cleaned_data))
    return redirect(reverse("inquiries:list") + (f"?{query}" if query else ""))


def _active_filter_labels(form: FilterForm, data: dict[str, object]) -> list[str]:
    """Plain words for each filter in force (the search text is shown on its own)."""
    labels = []
    for name in ("status", "urgent", "owner"):
        value = data.get(name)
        if value:
            field = form.fields[name]
            choices = dict(getattr(field, "choices", []))
            labels.append(f"{field.label}: {choices.get(value, value)}")
    for name in ("mine", "due_today", "overdue"):
        if data.get(name):
            labels.append(str(form.fields[name].label))
    return labels


@roles(*policies.READ_ROLES)
@require_http_methods(["GET", "POST"])
def inquiry_list(request: ClinicRequest) -> HttpResponse:
    if request.method == "POST":
        return _remember_search(request)
    clinic = request.clinic
    today = clinic_today(clinic)
    params = request.GET.copy()
    params.pop("q", None)  # a search text in the URL is ignored, never echoed into links
    search_text = request.session.get(SEARCH_SESSION_KEY, "")
    if search_text:
        params["q"] = search_text
    form = FilterForm(params or None, clinic=clinic)
    # An invalid filter is shown as an error and dropped; the valid ones still apply.
    data = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    base = queries.apply_filters(
        clinic_scoped(Inquiry.objects.all(), request), data, today, user_id=request.user.pk
    )
    counts = queries.status_counts(base)
    status = data.get("status") or ""
    rows = base.filter(status=status) if status else base
    rows = queries.annotate_flags(rows.select_related("owner"), today)
    sort = str(data.get("sort") or "")
    rows = queries.sorted_by(rows, sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The list shows inquirers' names and contacts: each page shown is an opening. With a
    # search in force it is recorded as a search, without the text (patient data).
    record_view(
        request,
        None,
        "inquiry_search" if search_text else "inquiry_list",
        object_type=INQUIRY,
        after={"filters": _url_filters(data), "page": page.number},
    )

    # Query strings for status tabs and paging keep the other filters; sort links keep all
    # but the sort.
    kept = {k: v for k, v in _url_filters(data).items() if k != "status"}
    unsorted = {k: v for k, v in _url_filters(data).items() if k != "sort"}
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
            "sort_qs": urlencode(unsorted),
            "current_sort": sort,
            "sort_columns": queries.SORTS,
            "search_text": search_text,
            "active_filters": _active_filter_labels(form, data),
            "today": today,
        },
    )
