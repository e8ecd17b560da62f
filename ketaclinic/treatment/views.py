"""The treatment screens: the protocol library, a patient's plan (the chart's Treatment tab with
its PK preview), signing, and the clinic's treatment settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.accounts.actions.credentials import confirm_password, password_locked
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.accounts.views.security import _signed_out_locked as signed_out_locked
from ketaclinic.audit.log import record_view
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import (
    CHART_READERS,
    chart_context,
    chart_target,
    open_chart,
    visible_tabs,
)
from ketaclinic.scheduling import policies as scheduling_policies
from ketaclinic.scheduling.actions.series import book_series as book_patient_series
from ketaclinic.scheduling.models import Booking, BookingStatus
from ketaclinic.treatment import actions, library, policies
from ketaclinic.treatment import preview as pv
from ketaclinic.treatment.forms import (
    BookSeriesForm,
    PlanForm,
    ProtocolForm,
    SettingsForm,
    SignForm,
)
from ketaclinic.treatment.models import PlanVersion, Protocol, ProtocolVersion, TreatmentPlan
from ketaclinic.treatment.queries import chair_minutes, preview_kwargs, settings_for
from ketaclinic.treatment.rules import patient_inputs, signing_blockers
from ketaclinic.web.clinic_rules import back_link

# --- protocols ---------------------------------------------------------------------------


def _protocol(request: ClinicRequest, pk: int) -> Protocol:
    return get_object_or_404(Protocol.objects.filter(clinic=request.clinic), pk=pk)


@roles(*policies.PROTOCOL_READ_ROLES)
@require_safe
def protocol_list(request: ClinicRequest) -> HttpResponse:
    ours = list(
        Protocol.objects.filter(clinic=request.clinic).annotate(latest=Max("versions__number"))
    )
    return render(
        request,
        "treatment/protocols.html",
        {
            "ours": ours,
            "builtins": list(library.BUILTIN.values()),
            "can_edit": policies.can_edit_protocols(request.membership, request.clinic),
            "back": back_link(request),
        },
    )


@roles(*policies.PROTOCOL_READ_ROLES)
@require_safe
def builtin_detail(request: ClinicRequest, builtin_id: str) -> HttpResponse:
    if builtin_id not in library.BUILTIN:
        raise Http404("No such protocol.")
    return render(
        request,
        "treatment/protocol_detail.html",
        {
            "data": library.builtin(builtin_id),
            "builtin_id": builtin_id,
            "can_edit": policies.can_edit_protocols(request.membership, request.clinic),
        },
    )


@roles(*policies.PROTOCOL_EDIT_ROLES)
@require_POST
def protocol_copy(request: ClinicRequest, builtin_id: str) -> HttpResponse:
    if builtin_id not in library.BUILTIN:
        raise Http404("No such protocol.")
    protocol = actions.copy_protocol(
        request.membership, request.clinic, builtin_id, request=request
    )
    messages.success(
        request, f"{protocol.title}: copied for the clinic as version 1. Open it to edit it."
    )
    return redirect("treatment:protocols")


@roles(*policies.PROTOCOL_READ_ROLES)
@require_safe
def protocol_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    protocol = _protocol(request, pk)
    versions = list(protocol.versions.select_related("created_by").order_by("-number"))
    return render(
        request,
        "treatment/protocol_detail.html",
        {
            "protocol": protocol,
            "data": versions[0].data,
            "version": versions[0],
            "versions": versions,
            "can_edit": policies.can_edit_protocols(request.membership, request.clinic),
        },
    )


@roles(*policies.PROTOCOL_EDIT_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def protocol_edit(request: ClinicRequest, pk: int) -> HttpResponse:
    protocol = _protocol(request, pk)
    last = protocol.versions.order_by("-number").first()
    assert last is not None
    form = ProtocolForm(request.POST if request.method == "POST" else None, data_from=last.data)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_protocol(
                request.membership,
                protocol,
                form.protocol_data(),
                change_note=form.cleaned_data["change_note"],
                request=request,
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, "Saved as a new version; plans keep the version they use.")
            return redirect("treatment:protocol", pk=protocol.pk)
    return render(
        request, "treatment/protocol_edit.html", {"protocol": protocol, "form": form, "last": last}
    )


def _errors_to(form: Form, exc: ValidationError) -> None:
    names = {"ladder_mg_per_kg": "ladder", "bmi_trigger": "bmi_trigger_at"}
    for field, errors in exc.message_dict.items():
        field = names.get(field, field)
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# --- the plan (chart tab) ----------------------------------------------------------------


def _latest_versions(patient: Patient) -> list[ProtocolVersion]:
    """The newest version of each of the clinic's protocols (what a plan is drafted from)."""
    latest = (
        ProtocolVersion.objects.filter(protocol__clinic_id=patient.clinic_id)
        .select_related("protocol")
        .order_by("protocol__title", "protocol_id", "-number")
    )
    seen: dict[int, ProtocolVersion] = {}
    for v in latest:
        seen.setdefault(v.protocol_id, v)
    return list(seen.values())


def _plan_form(
    request: ClinicRequest, patient: Patient, latest: PlanVersion | None, bound: bool
) -> PlanForm:
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {
            "protocol_version": latest.protocol_version_id,
            "dose_mg_per_kg": f"{latest.dose_mg_per_kg:g}",
            "measurement": latest.weight_measurement_id,
            "product_key": latest.product_key,
            "series_count": latest.series_count,
            "goals": latest.goals,
            "goal_phq9_remission": latest.goal_phq9_remission,
        }
    versions = _latest_versions(patient)
    if latest is not None and latest.protocol_version not in versions:
        versions.append(latest.protocol_version)
    return PlanForm(
        request.POST if bound else None, patient=patient, versions=versions, initial=initial
    )


def _tab(
    request: ClinicRequest,
    patient: Patient,
    viewer: Any,
    form: PlanForm | None = None,
    sign_form: SignForm | None = None,
    series_form: BookSeriesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = chart_context(request, patient, viewer, "treatment")
    record_view(request, patient, "treatment", patient_ref=patient.pk)
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-created_at", "-id").first()
    versions = (
        list(plan.versions.select_related("created_by", "signed_by", "protocol_version__protocol"))
        if plan
        else []
    )
    latest = versions[0] if versions else None
    can_write = not viewer.is_outside and policies.can_write_plan(request.membership, patient)
    if can_write and form is None:
        form = _plan_form(request, patient, latest, bound=False)
    if can_write and latest is not None and not latest.is_signed and sign_form is None:
        sign_form = SignForm()
    can_book = (
        latest is not None
        and latest.is_signed
        and not viewer.is_outside
        and scheduling_policies.can_book(request.membership, patient.clinic_id)
    )
    if can_book and series_form is None:
        series_form = BookSeriesForm(
            initial={"first_day": clinic_today(patient.clinic) + dt.timedelta(days=1)},
            clinic_id=patient.clinic_id,
        )
    upcoming = (
        list(
            Booking.objects.filter(
                patient=patient, status=BookingStatus.BOOKED, starts_at__gte=timezone.now()
            )
            .select_related("chair")
            .order_by("starts_at", "id")
        )
        if not viewer.is_outside
        else []
    )
    context.update(
        {
            # Shown when the plan may be booked, or again with the errors of a refused post.
            "series_form": series_form
            if can_book or (series_form and series_form.errors)
            else None,
            "upcoming": upcoming,
            "plan": plan,
            "latest": latest,
            "versions": versions,
            "computed": latest.computed if latest else None,
            "blockers": signing_blockers(patient) if latest and not latest.is_signed else [],
            "form": form if can_write else None,
            "sign_form": sign_form if can_write and latest and not latest.is_signed else None,
            "has_protocols": bool(form.fields["protocol_version"].queryset) if form else True,  # type: ignore[attr-defined]
            "eligibility_url": reverse("eligibility:tab", args=[patient.pk]),
            "consents_url": reverse("consents:list", args=[patient.pk]),
            "protocols_url": reverse("treatment:protocols"),
        }
    )
    return render(request, "treatment/tab.html", context, status=status)


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def tab(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, viewer = open_chart(request, pk)
    return _tab(request, patient, viewer)


def _password_ok(request: ClinicRequest, form: Form, password: str) -> HttpResponse | None | bool:
    """True when right; a response when the account is now locked; False otherwise."""
    if confirm_password(request, password):
        return True
    if password_locked(request):
        return signed_out_locked(request)
    form.add_error("password", "That password is not right.")
    return False


def _plan_post(request: ClinicRequest, pk: int, *, new: bool) -> HttpResponse:
    patient, viewer = open_chart(request, pk)
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-created_at", "-id").first()
    if not new and plan is None:
        raise Http404("No plan to change.")
    form = _plan_form(request, patient, None if new else plan.latest, bound=True)  # type: ignore[union-attr]
    if not form.is_valid():
        return _tab(request, patient, viewer, form=form, status=200)
    c = form.cleaned_data
    if c["sign"]:
        ok = _password_ok(request, form, c["password"])
        if isinstance(ok, HttpResponse):
            return ok
        if not ok:
            return _tab(request, patient, viewer, form=form)
    values = {k: c[k] for k in ("protocol_version", "dose_mg_per_kg", "measurement")}
    values.update(
        product_key=c["product_key"],
        goals=c["goals"],
        goal_phq9_remission=c["goal_phq9_remission"],
    )
    if c.get("series_count"):
        values["series_count"] = c["series_count"]
    common = {
        "reason": c["reason"],
        "sign": c["sign"],
        "override_reason": c["override_reason"],
        "request": request,
    }
    try:
        if new or plan is None:
            actions.draft_plan(request.membership, patient, **common, **values)
        else:
            actions.change_plan(request.membership, plan, **common, **values)
    except ValidationError as exc:
        _errors_to(form, exc)
        return _tab(request, patient, viewer, form=form)
    messages.success(request, "Plan saved as a new version." if not new else "Plan drafted.")
    return redirect("treatment:tab", pk=patient.pk)


@roles(*policies.PLAN_WRITE_ROLES)
@require_POST
@sensitive_post_parameters("password")
def plan_draft(request: ClinicRequest, pk: int) -> HttpResponse:
    return _plan_post(request, pk, new=True)


@roles(*policies.PLAN_WRITE_ROLES)
@require_POST
@sensitive_post_parameters("password")
def plan_change(request: ClinicRequest, pk: int) -> HttpResponse:
    return _plan_post(request, pk, new=False)


@roles(*policies.PLAN_WRITE_ROLES)
@require_POST
@sensitive_post_parameters("password")
def plan_sign(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, viewer = open_chart(request, pk)
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-created_at", "-id").first()
    if plan is None:
        raise Http404("No plan to sign.")
    form = SignForm(request.POST)
    if not form.is_valid():
        return _tab(request, patient, viewer, sign_form=form)
    ok = _password_ok(request, form, form.cleaned_data["password"])
    if isinstance(ok, HttpResponse):
        return ok
    if not ok:
        return _tab(request, patient, viewer, sign_form=form)
    try:
        actions.sign_plan(request.membership, plan.latest, request=request)
    except ValidationError as exc:
        _errors_to(form, exc)
        return _tab(request, patient, viewer, sign_form=form)
    messages.success(request, f"Plan version {plan.latest.number} signed.")
    return redirect("treatment:tab", pk=patient.pk)


@roles(*scheduling_policies.BOOKING_ROLES)
@require_POST
def book_series(request: ClinicRequest, pk: int) -> HttpResponse:
    """Book the signed plan's induction series: its count, spacing and chair minutes."""
    patient, viewer = open_chart(request, pk)
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-created_at", "-id").first()
    if plan is None:
        raise Http404("No plan to book.")
    form = BookSeriesForm(request.POST, clinic_id=patient.clinic_id)
    if not form.is_valid():
        return _tab(request, patient, viewer, series_form=form)
    version = plan.latest
    if not version.is_signed:
        form.add_error(None, "The plan is not signed yet: a physician signs it first.")
        return _tab(request, patient, viewer, series_form=form)
    infusion, recovery = chair_minutes(plan)
    c = form.cleaned_data
    try:
        made = book_patient_series(
            request.membership,
            patient,
            chair=c["chair"],
            first_day=c["first_day"],
            count=version.series_count,
            min_spacing_days=version.spacing_min_days,
            max_spacing_days=version.spacing_max_days,
            infusion_minutes=infusion,
            recovery_minutes=recovery,
            earliest_time=c["earliest_time"],
            request=request,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            _errors_to(form, exc)
        else:
            form.add_error(None, exc.messages)
        return _tab(request, patient, viewer, series_form=form)
    zone = clinic_zone(patient.clinic)
    dates = ", ".join(f"{b.starts_at.astimezone(zone):%a %d %b %H:%M}" for b in made)
    messages.success(request, f"Series booked, {len(made)} visits: {dates}.")
    return redirect("treatment:tab", pk=patient.pk)


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def preview_svg(request: ClinicRequest, pk: int) -> HttpResponse:
    """The newest plan version's PK preview as an SVG image (never inline: the page's CSP)."""
    patient, viewer = open_chart(request, pk)
    if not any(t.slug == "treatment" for t in visible_tabs(viewer)):
        raise Http404("No such page.")
    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-created_at", "-id").first()
    if plan is None:
        raise Http404("No plan.")
    version = plan.latest
    chosen = settings_for(patient.clinic)
    kwargs = preview_kwargs(chosen)
    kwargs["model_id"] = version.computed.get("model", kwargs["model_id"])
    result = pv.preview(
        version.protocol_version.data,
        dose_mg_per_kg=version.dose_mg_per_kg,
        basis=version.weight_basis,
        product_key=version.product_key,
        **patient_inputs(patient, version.weight_measurement),
        **kwargs,
    )
    response = HttpResponse(pv.preview_svg(result), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# --- settings ------------------------------------------------------------------------------


@roles(*policies.SETTINGS_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def clinic_settings(request: ClinicRequest) -> HttpResponse:
    chosen = settings_for(request.clinic)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=chosen)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if changes:
            actions.update_settings(request.membership, request.clinic, changes, request=request)
            messages.success(request, "Treatment settings saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("treatment:settings")
    return render(
        request,
        "treatment/settings.html",
        {
            "form": form,
            "chosen": chosen,
            "back": back_link(request),
        },
    )
