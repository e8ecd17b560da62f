"""One patient's care team, the directory filtered for them, and their referrals.

The team page is the chart's "Care team" tab (inside the chart layout); the directory and
referral pages under /patients/<pk>/care-team/ stand alone and link back to it. Staff who
read charts by role see and change the team; an outside professional whose live sharing
consent includes the summary sees the team only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Role
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.audit.log import record_view
from ketaclinic.careteam import actions, policies, queries
from ketaclinic.careteam.forms import (
    EndMembershipForm,
    PhysicianForm,
    ProfessionalMemberForm,
    ReferralStepForm,
    StaffMemberForm,
    SuggestForm,
)
from ketaclinic.careteam.models import (
    CareTeamMember,
    OutsideProfessional,
    Referral,
    Specialty,
    TeamRole,
)
from ketaclinic.patients import sections
from ketaclinic.patients.access import chart_viewer
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import chart_context

READERS = (*policies.TEAM_ROLES, Role.OUTSIDE_PROFESSIONAL)
TAB_SLUG = "care-team"  # the chart tab registered in careteam.apps


def _patient(request: ClinicRequest, pk: int) -> Patient:
    return get_object_or_404(
        clinic_scoped(Patient.objects.select_related("clinic"), request), pk=pk
    )


def _page(request: ClinicRequest, patient: Patient, **forms: Any) -> HttpResponse:
    viewer = chart_viewer(request, patient)
    if not viewer.sees(sections.SUMMARY):
        raise Http404("No such patient.")
    context: dict[str, Any] = chart_context(request, patient, viewer, TAB_SLUG)
    record_view(request, patient, "care_team", patient_ref=patient.pk)
    clinic = request.clinic
    can_manage = policies.can_manage_team(request.membership, patient)
    context.update(
        {
            "team": queries.live_team(patient),
            "can_manage": can_manage,
        }
    )
    if can_manage:
        context.update(
            {
                "former": queries.former_members(patient),
                "referrals": queries.referrals_of(patient),
                "physician_form": forms.get("physician_form") or PhysicianForm(clinic=clinic),
                "staff_form": forms.get("staff_form") or StaffMemberForm(clinic=clinic),
                "professional_form": forms.get("professional_form")
                or ProfessionalMemberForm(clinic=clinic),
                "end_form": EndMembershipForm(),
                "step_form": forms.get("step_form") or ReferralStepForm(),
                "step_for": forms.get("step_for"),
                "directory_url": reverse("careteam:directory", args=[patient.pk]),
            }
        )
    return render(request, "careteam/team.html", context)


@roles(*READERS)
@require_safe
def care_team(request: ClinicRequest, pk: int) -> HttpResponse:
    return _page(request, _patient(request, pk))


def _back(patient: Patient) -> HttpResponse:
    return redirect("careteam:team", pk=patient.pk)


@roles(*policies.TEAM_ROLES)
@require_POST
def set_physician(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    form = PhysicianForm(request.POST, clinic=request.clinic)
    if form.is_valid():
        try:
            actions.set_physician_of_record(
                request.membership, patient, form.cleaned_data["user"], request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Physician of record changed.")
            return _back(patient)
    return _page(request, patient, physician_form=form)


@roles(*policies.TEAM_ROLES)
@require_POST
def add_staff(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    form = StaffMemberForm(request.POST, clinic=request.clinic)
    if form.is_valid():
        try:
            actions.add_team_member(
                request.membership,
                patient,
                role=form.cleaned_data["role"],
                user=form.cleaned_data["user"],
                request=request,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Added to the care team.")
            return _back(patient)
    return _page(request, patient, staff_form=form)


@roles(*policies.TEAM_ROLES)
@require_POST
def add_professional(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    form = ProfessionalMemberForm(request.POST, clinic=request.clinic)
    if form.is_valid():
        try:
            actions.add_team_member(
                request.membership,
                patient,
                role=TeamRole.OUTSIDE_PROFESSIONAL,
                professional=form.cleaned_data["professional"],
                request=request,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Added to the care team.")
            return _back(patient)
    return _page(request, patient, professional_form=form)


@roles(*policies.TEAM_ROLES)
@require_POST
def end_member(request: ClinicRequest, pk: int, member_pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    member = get_object_or_404(CareTeamMember, pk=member_pk, patient=patient)
    form = EndMembershipForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.end_team_membership(request.membership, member, reason=reason, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Taken off the care team; the membership is kept in the history.")
    return _back(patient)


@roles(*policies.TEAM_ROLES)
@require_safe
def directory(request: ClinicRequest, pk: int) -> HttpResponse:
    """The clinic's directory filtered for this patient: in the directory, accepting
    referrals, and (unless the staff member widens it) matching the patient's needs."""
    patient = _patient(request, pk)
    needs = queries.needs_of(patient)
    chosen = request.GET.get("specialty", "")
    specialty = chosen if chosen in Specialty.values else ""
    wanted = [specialty] if specialty else ([] if chosen == "any" else needs)
    record_view(request, patient, "care_team", patient_ref=patient.pk)
    return render(
        request,
        "careteam/directory.html",
        {
            "patient": patient,
            "team_url": reverse("careteam:team", args=[patient.pk]),
            "needs": [Specialty(n).label for n in needs],
            "wanted": [Specialty(w).label for w in wanted],
            "specialties": Specialty.choices,
            "current": specialty or ("any" if chosen == "any" else ""),
            "rows": queries.directory_for(patient, wanted),
            "suggest_form": SuggestForm(),
        },
    )


@roles(*policies.TEAM_ROLES)
@require_POST
def suggest(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    form = SuggestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a professional from the directory.")
        return redirect("careteam:directory", pk=patient.pk)
    professional = get_object_or_404(
        clinic_scoped(OutsideProfessional.objects.all(), request),
        pk=form.cleaned_data["professional"],
    )
    try:
        actions.suggest_referral(
            request.membership,
            patient,
            professional,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("careteam:directory", pk=patient.pk)
    messages.success(request, f"{professional.display_name} suggested.")
    return _back(patient)


@roles(*policies.TEAM_ROLES)
@require_POST
def referral_step(request: ClinicRequest, pk: int, referral_pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    referral = get_object_or_404(
        Referral.objects.select_related("patient", "professional"), pk=referral_pk, patient=patient
    )
    form = ReferralStepForm(request.POST)
    if form.is_valid():
        try:
            actions.record_referral_step(
                request.membership,
                referral,
                form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Referral marked {referral.get_status_display().lower()}.")
            return _back(patient)
    return _page(request, patient, step_form=form, step_for=referral.pk)
