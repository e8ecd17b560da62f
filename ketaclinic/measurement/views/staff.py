"""The staff side: a patient's questionnaires (responses, open sends, safety alerts), entering a
response for the patient, striking one through, sending questionnaires by secure link, and
acknowledging a safety alert. Each page is a tab of the patient's chart ("questionnaires")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.audit.log import record_view
from ketaclinic.instruments import INSTRUMENTS
from ketaclinic.measurement import actions, forms, policies, safety
from ketaclinic.measurement import questionnaires as sends
from ketaclinic.measurement.models import (
    Channel,
    QuestionnaireRequest,
    QuestionnaireSchedule,
    RequestStatus,
    Response,
    SafetyAlert,
    SendStatus,
)
from ketaclinic.patients import queries as patient_queries
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import chart_context, open_chart

READERS = tuple(str(r) for r in policies.ENTER_ROLES)
CLINICIANS = tuple(str(r) for r in policies.CLINICIANS)
TAB = "questionnaires"


def _base(request: ClinicRequest, pk: int) -> tuple[Patient, ChartViewer, dict[str, Any]]:
    patient, viewer = open_chart(request, pk)
    context = chart_context(request, patient, viewer, TAB)
    return patient, viewer, context


def _render(
    request: ClinicRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"measurement/{template}", context, status=status)


def _list_page(
    request: ClinicRequest,
    patient: Patient,
    viewer: ChartViewer,
    context: dict[str, Any],
    *,
    strike_forms: dict[int, forms.StrikeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = Response.objects.filter(patient=patient).select_related("entered_by", "struck_by")
    responses, withheld = patient_queries.visible(rows, viewer)
    alerts, alerts_withheld = patient_queries.visible(
        SafetyAlert.objects.filter(patient=patient).select_related("acknowledged_by", "response"),
        viewer,
    )
    sends = list(
        QuestionnaireRequest.objects.filter(
            patient=patient, status__in=[RequestStatus.SENT, RequestStatus.STARTED]
        ).select_related("link")
    )
    for send in sends:
        send.names = [INSTRUMENTS[i].name for i in send.instruments if i in INSTRUMENTS]  # type: ignore[attr-defined]
    for row in responses:
        row.instrument = INSTRUMENTS.get(row.instrument_id)  # type: ignore[attr-defined]
        row.strike_form = (strike_forms or {}).get(row.pk) or forms.StrikeForm(  # type: ignore[attr-defined]
            prefix=f"strike-{row.pk}"
        )
    schedule = (
        QuestionnaireSchedule.objects.filter(patient=patient)
        .annotate(next_due=Min("due_sends__due_at", filter=Q(due_sends__status=SendStatus.PENDING)))
        .order_by("id")
        .first()
    )
    context.update(
        schedule=schedule,
        responses=responses,
        withheld=withheld + alerts_withheld,
        alerts=alerts,
        sends=sends,
        can_strike=policies.can_strike(request.membership, patient),
        can_acknowledge=policies.can_acknowledge(request.membership, patient),
    )
    return _render(request, "questionnaires.html", context, status)


@roles(*READERS)
@require_safe
def questionnaires(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, viewer, context = _base(request, pk)
    record_view(request, patient, "patient_questionnaires", patient_ref=patient.pk)
    return _list_page(request, patient, viewer, context)


def _enterable(request: ClinicRequest, patient: Patient) -> list[Any]:
    return [i for i in INSTRUMENTS.values() if policies.can_enter(request.membership, patient, i)]


@roles(*READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def enter(request: ClinicRequest, pk: int) -> HttpResponse:
    """Pick an instrument (``?instrument=``), then every item as a radio group."""
    patient, viewer, context = _base(request, pk)
    choosable = _enterable(request, patient)
    chosen_id = request.POST.get("instrument") or request.GET.get("instrument") or ""
    instrument = INSTRUMENTS.get(chosen_id)
    context.update(choosable=choosable, instrument=instrument)
    if instrument is None:
        if request.method == "POST":
            raise Http404("No such questionnaire.")
        record_view(request, patient, "patient_questionnaires", patient_ref=patient.pk)
        return _render(request, "enter_pick.html", context)
    if instrument not in choosable:
        raise PermissionDenied(
            f"{instrument.name} is clinician-rated: only a physician or nurse enters it."
        )
    if request.method != "POST":
        context["form"] = forms.StaffEntryForm(instrument=instrument)
        return _render(request, "enter.html", context)
    form = forms.StaffEntryForm(request.POST, instrument=instrument)
    context["form"] = form
    if not form.is_valid():
        return _render(request, "enter.html", context)
    answers = form.answers()
    channel = Channel.CLINICIAN if instrument.clinician_rated else Channel.STAFF
    try:
        response = actions.record_response(
            request.membership,
            patient,
            instrument.id,
            [answers.get(it.number) for it in instrument.items],
            administered_at=form.cleaned_data["administered_at"],
            channel=channel,
            request=request,
            site_url=request.build_absolute_uri("/"),
        )
    except ValidationError as problem:
        _add_errors(form, problem)
        return _render(request, "enter.html", context)
    if response.safety_alerts.exists():
        messages.error(
            request,
            "Safety alert opened: this answer needs a clinician now. The care team was emailed.",
        )
    messages.success(request, f"{instrument.name.split(' (')[0]} recorded.")
    return redirect("measurement:questionnaires", pk=pk)


def _add_errors(form: Any, problem: ValidationError) -> None:
    if hasattr(problem, "error_dict"):
        for name, errors in problem.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, problem)


@roles(*CLINICIANS)
@require_POST
def strike(request: ClinicRequest, pk: int, response_pk: int) -> HttpResponse:
    patient, viewer, context = _base(request, pk)
    response = get_object_or_404(Response, pk=response_pk, patient=patient)
    if response.part2 and not viewer.part2:
        raise Http404
    form = forms.StrikeForm(request.POST, prefix=f"strike-{response.pk}")
    if form.is_valid():
        try:
            actions.strike_response(
                request.membership, response, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as problem:
            _add_errors(form, problem)
        else:
            messages.success(request, "Response struck through.")
            return redirect("measurement:questionnaires", pk=pk)
    return _list_page(request, patient, viewer, context, strike_forms={response.pk: form})


@roles(*READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def send(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, viewer, context = _base(request, pk)
    offered = sends.self_report_instruments()
    if request.method != "POST":
        form = forms.SendForm(
            patient=patient,
            instruments=offered,
            initial={"message": sends.default_text(patient), "instruments": ["phq9"]},
        )
        context["form"] = form
        return _render(request, "send.html", context)
    form = forms.SendForm(request.POST, patient=patient, instruments=offered)
    context["form"] = form
    if not form.is_valid():
        return _render(request, "send.html", context)
    try:
        sent = sends.send_questionnaire(
            request.membership,
            patient,
            form.cleaned_data["instruments"],
            via=form.cleaned_data["via"],
            message=form.cleaned_data["message"],
            link_url=lambda token: request.build_absolute_uri(
                reverse("measurement:public_start", args=[token])
            ),
            request=request,
        )
    except ValidationError as problem:
        _add_errors(form, problem)
        return _render(request, "send.html", context)
    names = dict(forms.CHANNEL_CHOICES)
    if sent.via:
        went = " and ".join(names[c].lower() for c in sent.via)
        messages.success(request, f"Questionnaire link sent by {went}.")
    if sent.failed:
        failed = " and ".join(names[c].lower() for c in sent.failed)
        messages.error(request, f"The {failed} could not be sent. Try again later.")
    return redirect("measurement:questionnaires", pk=pk)


@roles(*READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def alert(request: ClinicRequest, pk: int, alert_pk: int) -> HttpResponse:
    """One safety alert: why, when, who was told; acknowledge it with the action taken."""
    patient, viewer, context = _base(request, pk)
    found = get_object_or_404(
        SafetyAlert.objects.select_related("response", "acknowledged_by", "flag"),
        pk=alert_pk,
        patient=patient,
    )
    if found.part2 and not viewer.part2:
        raise Http404
    can_ack = policies.can_acknowledge(request.membership, patient)
    context.update(
        alert=found,
        can_acknowledge=can_ack,
        due_at=safety.escalation_due_at(found),
        minutes=safety.settings_for(patient.clinic).safety_escalation_minutes,
    )
    if request.method != "POST":
        record_view(request, found, "safety_alert", patient_ref=patient.pk)
        context["form"] = forms.AcknowledgeForm()
        return _render(request, "alert.html", context)
    if not can_ack:
        raise PermissionDenied("Only physicians and nurses can acknowledge safety alerts.")
    form = forms.AcknowledgeForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return _render(request, "alert.html", context)
    try:
        safety.acknowledge_alert(
            request.membership,
            found,
            action_taken=form.cleaned_data["action_taken"],
            request=request,
        )
    except ValidationError as problem:
        _add_errors(form, problem)
        return _render(request, "alert.html", context)
    messages.success(request, "Safety alert acknowledged; the safety flag is resolved.")
    return redirect("measurement:questionnaires", pk=pk)
