"""The clinic's outside professionals: the list, adding, editing, archiving, inviting.

A professional's name and practice are the clinic's address book, not patient data, so the
list's search may travel in the URL (unlike the patient and inquiry searches).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Invitation
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.careteam import actions, policies
from ketaclinic.careteam.forms import BOOL_FILTERS, ProfessionalFilterForm, ProfessionalForm
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.careteam.validation import display_phone

PAGE_SIZE = 25


def _professional(request: ClinicRequest, pk: int) -> OutsideProfessional:
    qs = clinic_scoped(OutsideProfessional.objects.select_related("user"), request)
    return get_object_or_404(qs, pk=pk)


def filtered(qs: QuerySet[OutsideProfessional], data: dict[str, Any]) -> QuerySet[Any]:
    q = str(data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(practice__icontains=q))
    specialty = data.get("specialty")
    if specialty:
        # JSON list membership, portable across SQLite and PostgreSQL: the quoted key.
        qs = qs.filter(specialties__icontains=f'"{specialty}"')
    if data.get("accepting"):
        qs = qs.filter(accepting_referrals=True)
    if data.get("in_directory"):
        qs = qs.filter(in_directory=True)
    return qs.filter(archived_at__isnull=not data.get("archived"))


@roles(*policies.DIRECTORY_READ_ROLES)
@require_safe
def professional_list(request: ClinicRequest) -> HttpResponse:
    form = ProfessionalFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = filtered(clinic_scoped(OutsideProfessional.objects.all(), request), data)
    page = Paginator(rows.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in data.items() if v}
    kept.update({k: "on" for k in BOOL_FILTERS if data.get(k)})
    return render(
        request,
        "careteam/professional_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(p, display_phone(p.phone)) for p in page.object_list],
            "page_qs": urlencode(kept),
            "filtered": bool(kept),
            "can_edit": policies.can_edit_directory(request.membership),
        },
    )


@roles(*policies.DIRECTORY_EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def professional_create(request: ClinicRequest) -> HttpResponse:
    form = ProfessionalForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            professional = actions.create_professional(
                request.membership, values=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"{professional.display_name} added.")
            return redirect("careteam:professional_detail", pk=professional.pk)
    return render(
        request,
        "careteam/professional_form.html",
        {"form": form, "heading": "Add an outside professional", "back_url": _list_url()},
    )


def _list_url() -> str:
    return reverse("careteam:professional_list")


@roles(*policies.DIRECTORY_READ_ROLES)
@require_safe
def professional_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    professional = _professional(request, pk)
    can_invite = policies.can_invite_professional(request.membership, professional)
    invitation = None
    if can_invite:
        invitation = (
            Invitation.objects.filter(
                clinic=request.clinic,
                subject_type=ContentType.objects.get_for_model(OutsideProfessional),
                subject_id=str(professional.pk),
            )
            .order_by("-created_at", "-id")
            .first()
        )
    return render(
        request,
        "careteam/professional_detail.html",
        {
            "professional": professional,
            "phone": display_phone(professional.phone),
            "can_edit": policies.can_edit_professional(request.membership, professional),
            "can_invite": can_invite and not professional.is_archived,
            "invitation": invitation,
            "back_url": _list_url(),
        },
    )


@roles(*policies.DIRECTORY_EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def professional_edit(request: ClinicRequest, pk: int) -> HttpResponse:
    professional = _professional(request, pk)
    if professional.is_archived:
        messages.info(request, "This professional is archived; their record is kept as it was.")
        return redirect("careteam:professional_detail", pk=professional.pk)
    form = ProfessionalForm(
        request.POST if request.method == "POST" else None,
        initial=ProfessionalForm.initial_for(professional),
    )
    if form.is_valid():
        try:
            actions.update_professional(
                request.membership, professional, form.cleaned_data, request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("careteam:professional_detail", pk=professional.pk)
    return render(
        request,
        "careteam/professional_form.html",
        {
            "form": form,
            "heading": f"Edit {professional.display_name}",
            "back_url": reverse("careteam:professional_detail", args=[professional.pk]),
        },
    )


@roles(*policies.DIRECTORY_EDIT_ROLES)
@require_POST
def professional_archive(request: ClinicRequest, pk: int) -> HttpResponse:
    professional = _professional(request, pk)
    try:
        actions.archive_professional(
            request.membership,
            professional,
            reason=request.POST.get("reason", "")[:500],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{professional.display_name} archived.")
    return redirect("careteam:professional_detail", pk=professional.pk)


@roles(*policies.INVITE_ROLES)
@require_POST
def professional_invite(request: ClinicRequest, pk: int) -> HttpResponse:
    professional = _professional(request, pk)
    try:
        actions.invite_professional(request.membership, professional, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation sent to {professional.email}.")
    return redirect("careteam:professional_detail", pk=professional.pk)
