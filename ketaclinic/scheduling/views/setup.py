"""The schedule's set-up: chairs, opening hours, closures, staff on duty, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.scheduling import actions, models, policies
from ketaclinic.scheduling.availability import settings_for
from ketaclinic.scheduling.forms import ChairForm, ClosureForm, DutyForm, HoursForm, SettingsForm


def _page(request: ClinicRequest, **forms: Any) -> HttpResponse:
    clinic = request.clinic
    today = clinic_today(clinic)
    can_edit = policies.can_edit_setup(request.membership, clinic.pk)
    chairs = list(models.Chair.objects.filter(clinic=clinic))
    context = {
        "can_edit": can_edit,
        "chairs": [
            (c, ChairForm(initial={"name": c.name, "is_active": c.is_active}, prefix=f"c{c.pk}"))
            for c in chairs
        ],
        "hours": list(models.OpeningHours.objects.filter(clinic=clinic)),
        "closures": list(
            models.Closure.objects.filter(clinic=clinic, ends_on__gte=today)
            .select_related("chair")
            .order_by("starts_on", "id")
        ),
        "duty": list(
            models.DutyAssignment.objects.filter(clinic=clinic, day__gte=today)
            .select_related("membership__user")
            .order_by("day", "id")[:50]
        ),
        "chosen": settings_for(clinic),
        "chair_form": forms.get("chair_form") or ChairForm(),
        "hours_form": forms.get("hours_form") or HoursForm(),
        "closure_form": forms.get("closure_form") or ClosureForm(clinic),
        "duty_form": forms.get("duty_form") or DutyForm(clinic, initial={"day": today}),
    }
    return render(request, "scheduling/setup.html", context)


@roles(*policies.SETUP_READ_ROLES)
@require_safe
def setup(request: ClinicRequest) -> HttpResponse:
    return _page(request)


def _done(request: ClinicRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("scheduling:setup")


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def chair_add(request: ClinicRequest) -> HttpResponse:
    form = ChairForm(request.POST)
    if form.is_valid():
        try:
            chair = actions.add_chair(
                request.membership, request.clinic, name=form.cleaned_data["name"], request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, f"{chair.name} added.")
    return _page(request, chair_form=form)


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def chair_edit(request: ClinicRequest, pk: int) -> HttpResponse:
    chair = get_object_or_404(clinic_scoped(models.Chair.objects.all(), request), pk=pk)
    form = ChairForm(request.POST, prefix=f"c{chair.pk}")
    if form.is_valid():
        try:
            changed = actions.update_chair(
                request.membership, chair, name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("scheduling:setup")
        return _done(request, f"{chair.name} saved." if changed else "Nothing changed.")
    messages.error(request, "Give the chair a name.")
    return redirect("scheduling:setup")


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def hours_add(request: ClinicRequest) -> HttpResponse:
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            actions.add_opening_hours(
                request.membership, request.clinic, **form.cleaned_data, request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, "Opening hours added.")
    return _page(request, hours_form=form)


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def hours_remove(request: ClinicRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(clinic_scoped(models.OpeningHours.objects.all(), request), pk=pk)
    actions.remove_opening_hours(request.membership, row, request=request)
    return _done(request, f"{row} removed.")


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def closure_add(request: ClinicRequest) -> HttpResponse:
    form = ClosureForm(request.clinic, request.POST)
    if form.is_valid():
        try:
            closure, inside = actions.add_closure(
                request.membership, request.clinic, **form.cleaned_data, request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            if inside:
                messages.warning(
                    request,
                    f"{inside} booking(s) fall in this closure; they are not cancelled. "
                    "Move or cancel each one with the patient.",
                )
            return _done(request, f"Closure added: {closure.reason}.")
    return _page(request, closure_form=form)


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def closure_withdraw(request: ClinicRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(clinic_scoped(models.Closure.objects.all(), request), pk=pk)
    try:
        actions.withdraw_closure(request.membership, closure, request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("scheduling:setup")
    return _done(request, "Closure withdrawn.")


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def duty_add(request: ClinicRequest) -> HttpResponse:
    form = DutyForm(request.clinic, request.POST)
    if form.is_valid():
        try:
            actions.put_on_duty(
                request.membership, request.clinic, **form.cleaned_data, request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, "On duty.")
    return _page(request, duty_form=form)


@roles(*policies.SETUP_EDIT_ROLES)
@require_POST
def duty_remove(request: ClinicRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(clinic_scoped(models.DutyAssignment.objects.all(), request), pk=pk)
    actions.take_off_duty(request.membership, row, request=request)
    return _done(request, "Taken off duty.")


@roles(*policies.SETUP_READ_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: ClinicRequest) -> HttpResponse:
    chosen = settings_for(request.clinic)
    can_edit = policies.can_edit_setup(request.membership, request.clinic.pk)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=chosen)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the clinic admin and coordinators change these.")
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, "Nothing changed.")
                return redirect("scheduling:settings")
            try:
                actions.update_settings(
                    request.membership, request.clinic, changes, request=request
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Scheduling settings saved.")
                return redirect("scheduling:settings")
    return render(
        request,
        "scheduling/settings.html",
        {
            "form": form,
            "can_edit": can_edit,
            "fields": [
                (form[name], f"Default {default}. {source}.")
                for name, (default, source) in models.SOURCES.items()
            ],
        },
    )
