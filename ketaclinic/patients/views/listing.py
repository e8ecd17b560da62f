"""The patient list and the new-patient form (also reached from an inquiry: "Convert to
patient").

The search text is a name, a date of birth or a record number: it never travels in the URL
(server logs, browser history). The search form is POSTed, the text kept in the session, and
the list shown by redirecting to a URL with only the other filters (as the inquiries list).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ketaclinic.access.policy import acts_as, clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role, SharedAccess
from ketaclinic.audit.log import record_view
from ketaclinic.inquiries.models import Inquiry, Professional
from ketaclinic.patients import actions, forms, policies, queries
from ketaclinic.patients.audit_events import PATIENT
from ketaclinic.patients.models import Patient

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "patients_search"


def _url_filters(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", False) and k != "q"}


def _shared_with(request: ClinicRequest, qs: QuerySet[Patient]) -> QuerySet[Patient]:
    """For an outside professional: only patients a live grant shares with them."""
    now = timezone.now()
    ids = (
        SharedAccess.objects.filter(
            clinic=request.clinic,
            professional=request.user,
            content_type=ContentType.objects.get_for_model(Patient),
            revoked_at__isnull=True,
            valid_from__lte=now,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("object_id", flat=True)
    )
    return qs.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])


def _remember_search(request: ClinicRequest) -> HttpResponseRedirect:
    if "clear" in request.POST:
        request.session.pop(SEARCH_SESSION_KEY, None)
        return redirect("patients:list")
    form = forms.FilterForm(request.POST)
    form.is_valid()
    text = str(form.cleaned_data.get("q") or "")
    if text:
        request.session[SEARCH_SESSION_KEY] = text
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
    query = urlencode(_url_filters(form.cleaned_data))
    return redirect(reverse("patients:list") + (f"?{query}" if query else ""))


@roles(*policies.READ_ROLES, Role.OUTSIDE_PROFESSIONAL)
@require_http_methods(["GET", "POST"])
def patient_list(request: ClinicRequest) -> HttpResponse:
    if request.method == "POST":
        return _remember_search(request)
    params = request.GET.copy()
    params.pop("q", None)  # a search text in the URL is ignored, never echoed into links
    search_text = request.session.get(SEARCH_SESSION_KEY, "")
    if search_text:
        params["q"] = search_text
    form = forms.FilterForm(params or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    rows = clinic_scoped(Patient.objects.all(), request)
    outside = acts_as(request.membership, [Role.OUTSIDE_PROFESSIONAL])
    if outside:
        rows = _shared_with(request, rows)
    rows = queries.apply_filters(rows, data)
    sort = str(data.get("sort") or "")
    rows = queries.sorted_by(rows, sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_view(
        request,
        None,
        "patient_search" if search_text else "patient_list",
        object_type=PATIENT,
        after={"filters": _url_filters(data), "page": page.number},
    )
    kept = _url_filters(data)
    unsorted = {k: v for k, v in kept.items() if k != "sort"}
    return render(
        request,
        "patients/list.html",
        {
            "form": form,
            "page": page,
            "page_qs": urlencode(kept),
            "sort_qs": urlencode(unsorted),
            "current_sort": sort,
            "search_text": search_text,
            "filtered": bool(search_text or kept),
            "can_create": policies.can_create(request.membership) and not outside,
            "outside": outside,
        },
    )


def split_name(name: str) -> tuple[str, str]:
    """ "Cara M. Lind" -> ("Cara M.", "Lind"): the last word as the family name. A guess for
    the form to show, which staff confirm against an ID."""
    words = name.split()
    if len(words) < 2:
        return (name.strip(), "")
    return (" ".join(words[:-1]), words[-1])


def initial_from_inquiry(inquiry: Inquiry) -> dict[str, Any]:
    given, family = split_name(inquiry.name)
    phone = inquiry.phone
    try:
        phone = forms.to_e164(phone) or phone
    except ValidationError:
        pass  # kept as typed; the form says what is wrong with it
    note = ""
    if inquiry.professional == Professional.YES:
        note = ", ".join(p for p in (inquiry.professional_name, inquiry.professional_contact) if p)
    return {
        "legal_given_name": given,
        "legal_family_name": family,
        "email": inquiry.email.strip().lower(),
        "phone_mobile": phone,
        "professional_note": note,
        "wants_professional_introduction": inquiry.professional == Professional.WANTS_INTRODUCTION,
    }


def _duplicates(request: ClinicRequest, form: forms.PatientForm) -> list[Patient]:
    d = form.cleaned_data
    return list(
        queries.possible_duplicates(
            request.clinic,
            legal_given_name=d.get("legal_given_name", ""),
            legal_family_name=d.get("legal_family_name", ""),
            date_of_birth=d.get("date_of_birth"),
            email=d.get("email", ""),
            phones=[d.get("phone_mobile", ""), d.get("phone_other", "")],
        )[:20]
    )


@roles(*policies.READ_ROLES)
@require_http_methods(["GET", "POST"])
def patient_new(request: ClinicRequest) -> HttpResponse:
    """A new patient. ``?inquiry=<id>`` (or the posted ``inquiry``) prefills from an inquiry
    and links the two on create. A possible duplicate must be confirmed before creating."""
    inquiry = None
    inquiry_id = request.POST.get("inquiry") or request.GET.get("inquiry") or ""
    if inquiry_id:
        if not inquiry_id.isdigit():
            raise PermissionDenied("No such inquiry.")
        inquiry = get_object_or_404(
            clinic_scoped(Inquiry.objects.select_related("clinic"), request), pk=int(inquiry_id)
        )
        if Patient.objects.filter(inquiry=inquiry).exists():
            messages.info(request, "This inquiry already became a patient record.")
            return redirect("patients:overview", pk=Patient.objects.get(inquiry=inquiry).pk)
    today = clinic_today(request.clinic)
    duplicates: list[Patient] = []
    confirm = forms.ConfirmDuplicateForm(request.POST or None)
    if request.method == "POST":
        form = forms.PatientForm(request.POST, today=today)
        if form.is_valid():
            duplicates = _duplicates(request, form)
            confirm.is_valid()
            if duplicates and not confirm.cleaned_data.get("create_anyway"):
                messages.warning(request, "This may be someone already on record: check below.")
            else:
                try:
                    patient = actions.create_patient(
                        request.membership,
                        request.clinic,
                        values=form.values(),
                        inquiry=inquiry,
                        request=request,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, f"Patient record {patient.mrn} created.")
                    return redirect("patients:overview", pk=patient.pk)
    else:
        form = forms.PatientForm(
            initial=initial_from_inquiry(inquiry) if inquiry else None, today=today
        )
        if inquiry is not None:
            record_view(request, inquiry)
    return render(
        request,
        "patients/new.html",
        {"form": form, "inquiry": inquiry, "duplicates": duplicates, "confirm": confirm},
    )
