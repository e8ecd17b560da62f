"""The staff page for a patient's questionnaire schedule (a tab page of the chart,
"questionnaires"): the rules as a form, saved through ``schedules.save_schedule``, the next
planned sends, and pausing or resuming through ``schedules.set_active``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.audit.log import record_view
from ketaclinic.measurement import forms, policies, schedules
from ketaclinic.measurement.models import DueSend, QuestionnaireSchedule, SendStatus
from ketaclinic.measurement.questionnaires import self_report_instruments
from ketaclinic.measurement.views.staff import _add_errors, _base

SENDERS = tuple(str(r) for r in policies.ENTER_ROLES)  # policies.can_send
SHOWN_SENDS = 5
FORM_FIELDS = tuple(f for f in schedules.FIELDS if f not in ("active", "infusion_times"))


def _initial(schedule: QuestionnaireSchedule | None, patient: Any) -> dict[str, Any]:
    if schedule is not None:
        return {name: getattr(schedule, name) for name in FORM_FIELDS}
    defaults = QuestionnaireSchedule(patient=patient)
    via = [c for c, have in (("email", patient.email), ("sms", patient.phone_mobile)) if have]
    return {
        **{name: getattr(defaults, name) for name in FORM_FIELDS},
        "instruments": ["phq9"],
        "via": via,
        "start_on": clinic_today(patient.clinic),
        "send_time": dt.time(9, 0),
    }


def _page(
    request: ClinicRequest,
    context: dict[str, Any],
    schedule: QuestionnaireSchedule | None,
    form: forms.ScheduleForm,
) -> HttpResponse:
    upcoming = (
        list(
            DueSend.objects.filter(
                schedule__patient=context["patient"], status=SendStatus.PENDING
            ).order_by("due_at", "id")[:SHOWN_SENDS]
        )
        if schedule is not None
        else []
    )
    context.update(schedule=schedule, form=form, upcoming=upcoming)
    return render(request, "measurement/schedule.html", context)


@roles(*SENDERS)
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, _viewer, context = _base(request, pk)
    existing = schedules.schedule_for(patient)
    offered = self_report_instruments()
    if request.method != "POST":
        record_view(request, patient, "patient_questionnaires", patient_ref=patient.pk)
        form = forms.ScheduleForm(initial=_initial(existing, patient), instruments=offered)
        return _page(request, context, existing, form)
    form = forms.ScheduleForm(request.POST, instruments=offered)
    if not form.is_valid():
        return _page(request, context, existing, form)
    values = {name: form.cleaned_data[name] for name in FORM_FIELDS}
    try:
        schedules.save_schedule(
            request.membership,
            patient,
            values,
            site_url=request.build_absolute_uri("/"),
            request=request,
        )
    except ValidationError as problem:
        _add_errors(form, problem)
        return _page(request, context, existing, form)
    messages.success(request, "Questionnaire schedule saved.")
    return redirect("measurement:schedule", pk=pk)


@roles(*SENDERS)
@require_POST
def schedule_active(request: ClinicRequest, pk: int) -> HttpResponse:
    """Pause an active schedule, resume a paused one (no schedule yet: back to the form)."""
    patient, _viewer, _context = _base(request, pk)
    existing = schedules.schedule_for(patient)
    if existing is None:
        messages.error(request, "There is no schedule to pause yet: save one first.")
        return redirect("measurement:schedule", pk=pk)
    resume = not existing.active
    schedules.set_active(request.membership, existing, resume, request=request)
    messages.success(request, "Schedule resumed." if resume else "Schedule paused.")
    return redirect("measurement:schedule", pk=pk)
