"""The eligibility screens: a patient's screening and decisions (the chart's Eligibility tab),
the physician's signature, and the clinic's eligibility settings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.access.policy import clinic_scoped, has_role, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.actions.credentials import confirm_password, password_locked
from ketaclinic.accounts.models import STAFF_ROLES, Role
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.accounts.views.security import _signed_out_locked as signed_out_locked
from ketaclinic.audit.log import record_view
from ketaclinic.eligibility import actions, policies
from ketaclinic.eligibility.chart import TAB
from ketaclinic.eligibility.forms import SettingsForm, SignForm
from ketaclinic.eligibility.models import EligibilityDecision
from ketaclinic.eligibility.rules import RULES, RULESET_VERSION
from ketaclinic.eligibility.screening import current_decision, screen, settings_for
from ketaclinic.patients import sections
from ketaclinic.patients.access import chart_viewer
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import chart_context
from ketaclinic.web.clinic_rules import back_link

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def _patient(request: HttpRequest, pk: int, **kwargs: Any) -> Patient:
    return get_object_or_404(
        clinic_scoped(Patient.objects.select_related("clinic"), request), pk=pk
    )


def chart_readers(view: ViewFunc) -> ViewFunc:
    """The chart's readers (physician, nurse, coordinator); other staff by break-glass; an
    outside professional through to the view, which shows only what a live grant shares
    (``patients.access.chart_viewer`` answers 404 when nothing is)."""
    staff_view = break_glass_or_roles(*policies.READ_ROLES, target=_patient)(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if has_role(request, [Role.OUTSIDE_PROFESSIONAL]):
            return view(request, *args, **kwargs)
        return staff_view(request, *args, **kwargs)

    return roles(*STAFF_ROLES, Role.OUTSIDE_PROFESSIONAL)(wrapped)  # type: ignore[return-value]


def _tab(request: ClinicRequest, patient: Patient, form: SignForm | None = None) -> HttpResponse:
    viewer = chart_viewer(request, patient)
    if not viewer.sees(sections.ELIGIBILITY):
        raise Http404("No such patient.")
    context = chart_context(request, patient, viewer, TAB.slug)
    record_view(request, patient, "eligibility", patient_ref=patient.pk)
    result = screen(patient)
    decisions = list(
        EligibilityDecision.objects.filter(patient=patient)
        .select_related("signed_by")
        .order_by("-signed_at", "-id")
    )
    live = decisions[0] if decisions else None
    can_sign = policies.can_sign(request.membership, patient)
    if can_sign and form is None:
        form = SignForm()
    shown = [r for r in result.reasons if viewer.part2 or not r.part2]
    context.update(
        {
            "result": result,
            "absolute": [r for r in result.absolute if r in shown],
            "relative": [r for r in result.relative if r in shown],
            "reasons_withheld": len(result.reasons) - len(shown),
            "decisions": decisions,
            "live": live,
            "live_stale": live is not None
            and (live.is_stale or live.fingerprint != result.fingerprint),
            "sees_part2": viewer.part2,
            "form": form if can_sign else None,
            "ruleset_version": RULESET_VERSION,
        }
    )
    return render(request, "eligibility/tab.html", context)


@chart_readers
@require_http_methods(["GET", "HEAD"])
def tab(request: ClinicRequest, pk: int) -> HttpResponse:
    return _tab(request, _patient(request, pk))


@roles(Role.PHYSICIAN)
@require_POST
@sensitive_post_parameters("password")
def sign(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _tab(request, patient, form)
    if not confirm_password(request, form.cleaned_data["password"]):
        if password_locked(request):
            return signed_out_locked(request)
        form.add_error("password", "That password is not right.")
        return _tab(request, patient, form)
    try:
        actions.sign_decision(
            request.membership,
            patient,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            conditions=form.cleaned_data["conditions"],
            request=request,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _tab(request, patient, form)
    decided = current_decision(patient)
    label = decided.get_decision_display() if decided else ""
    messages.success(request, f"Decision signed: {label}.")
    return redirect("eligibility:tab", pk=patient.pk)


@roles(*policies.SETTINGS_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def clinic_settings(request: ClinicRequest) -> HttpResponse:
    chosen = settings_for(request.clinic)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=chosen)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if changes:
            try:
                actions.update_settings(
                    request.membership, request.clinic, changes, request=request
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, "Eligibility settings saved; every patient rescreened.")
                return redirect("eligibility:settings")
        else:
            messages.info(request, "Nothing changed.")
            return redirect("eligibility:settings")
    return render(
        request,
        "eligibility/settings.html",
        {
            "form": form,
            "chosen": chosen,
            "rules": RULES,
            "ruleset_version": RULESET_VERSION,
            **dict(zip(("back_url", "back_label"), back_link(request), strict=True)),
        },
    )
