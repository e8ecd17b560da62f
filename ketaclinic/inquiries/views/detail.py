"""One inquiry: everything it holds, its history, and the coordinators' changes to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.audit.log import record_view
from ketaclinic.inquiries import actions, policies, queries
from ketaclinic.inquiries.models import Inquiry, Status
from ketaclinic.inquiries.staff_forms import ContactForm, FollowUpForm, StatusForm
from ketaclinic.patients import policies as patient_policies


def _inquiry(request: ClinicRequest, pk: int) -> Inquiry:
    """The inquiry if it belongs to the request's clinic; 404 otherwise (never another's)."""
    qs = clinic_scoped(Inquiry.objects.select_related("clinic", "owner"), request)
    return get_object_or_404(qs, pk=pk)


def _render(request: ClinicRequest, inquiry: Inquiry, **forms: Any) -> HttpResponse:
    """The detail page: opened, or drawn again after a form error. Either shows the record, so
    either is audited as an opening."""
    record_view(request, inquiry)
    clinic = inquiry.clinic
    can_edit = policies.can_edit(request.membership, clinic)
    context: dict[str, Any] = {
        "inquiry": inquiry,
        "heading": f"Inquiry #{inquiry.pk}: {inquiry.name}",
        "list_url": reverse("inquiries:list"),
        "can_edit": can_edit,
        # "Convert to patient" (the patients app's form, prefilled); once converted the
        # record number shows instead (converted_reference), with no query for the patient.
        "can_convert": patient_policies.can_create(request.membership)
        and not inquiry.converted_reference,
        "overdue": inquiry.is_open
        and inquiry.next_action_on is not None
        and inquiry.next_action_on < clinic_today(clinic),
        "history": inquiry.status_changes.select_related("changed_by"),
        "contacts": inquiry.contacts.select_related("by"),
        "duplicates": queries.duplicates_of(inquiry).order_by("-received_at")[:20],
    }
    if can_edit:
        context["status_form"] = forms.get("status_form") or StatusForm(inquiry=inquiry)
        context["contact_form"] = forms.get("contact_form") or ContactForm(
            inquiry=inquiry,
            initial={"contacted_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        context["follow_up_form"] = forms.get("follow_up_form") or FollowUpForm(
            clinic=clinic,
            initial={"owner": inquiry.owner_id, "next_action_on": inquiry.next_action_on},
        )
    return render(request, "inquiries/detail.html", context)


@roles(*policies.READ_ROLES)
@require_GET
def inquiry_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    return _render(request, _inquiry(request, pk))


@roles(*policies.EDIT_ROLES)
@require_POST
def change_status(request: ClinicRequest, pk: int) -> HttpResponse:
    inquiry = _inquiry(request, pk)
    form = StatusForm(request.POST, inquiry=inquiry)
    if form.is_valid() and form.is_unchanged():
        messages.info(
            request, f"Nothing changed: the inquiry is still {inquiry.get_status_display()}."
        )
        return redirect("inquiries:detail", pk=inquiry.pk)
    if form.is_valid():
        try:
            actions.change_status(
                request.membership,
                inquiry,
                form.cleaned_data["status"],
                form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("status", exc)
        else:
            messages.success(request, f"Status changed to {inquiry.get_status_display()}.")
            return redirect("inquiries:detail", pk=inquiry.pk)
    return _render(request, inquiry, status_form=form)


@roles(*policies.EDIT_ROLES)
@require_POST
def add_contact(request: ClinicRequest, pk: int) -> HttpResponse:
    inquiry = _inquiry(request, pk)
    # The datetime-local value is read in the clinic's time zone (the middleware's).
    form = ContactForm(request.POST, inquiry=inquiry)
    if form.is_valid():
        with transaction.atomic():
            actions.add_contact(
                request.membership,
                inquiry,
                channel=form.cleaned_data["channel"],
                contacted_at=form.cleaned_data["contacted_at"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                request=request,
            )
            moved = form.cleaned_data.get("mark_contacted") and inquiry.status == Status.NEW
            if moved:
                actions.change_status(
                    request.membership,
                    inquiry,
                    Status.CONTACTED,
                    "First contact logged.",
                    request=request,
                )
        messages.success(
            request, "Contact logged; moved to Contacted." if moved else "Contact logged."
        )
        return redirect("inquiries:detail", pk=inquiry.pk)
    return _render(request, inquiry, contact_form=form)


@roles(*policies.EDIT_ROLES)
@require_POST
def follow_up(request: ClinicRequest, pk: int) -> HttpResponse:
    inquiry = _inquiry(request, pk)
    form = FollowUpForm(request.POST, clinic=inquiry.clinic)
    if form.is_valid():
        changed = actions.set_follow_up(
            request.membership,
            inquiry,
            owner=form.cleaned_data["owner"],
            next_action_on=form.cleaned_data["next_action_on"],
            request=request,
        )
        messages.success(request, "Follow-up saved." if changed else "Nothing changed.")
        return redirect("inquiries:detail", pk=inquiry.pk)
    return _render(request, inquiry, follow_up_form=form)
