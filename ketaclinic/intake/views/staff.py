"""The staff side: a patient's intake status (the chart's Intake tab), "Send intake link",
and completing the intake on the patient's behalf (the same steps, in the staff layout, saved
with the staff member as ``by``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Role
from ketaclinic.audit.log import record_view
from ketaclinic.intake import actions, policies
from ketaclinic.intake import messages as intake_messages
from ketaclinic.intake.chart import TAB
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.status import IntakeStatus, intake_status
from ketaclinic.intake.steps import BY_KEY, REVIEW
from ketaclinic.intake.views import flow
from ketaclinic.patients.access import chart_viewer
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import chart_context

SENDERS = (Role.COORDINATOR, Role.NURSE, Role.PHYSICIAN)
ON_BEHALF = (Role.PHYSICIAN, Role.NURSE)
CHANNEL_CHOICES = [("email", "Email"), ("sms", "Text message")]


class SendForm(forms.Form):
    via = forms.MultipleChoiceField(
        label="Send by",
        choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose email, text message or both."},
    )
    message = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=600,
        help_text="The link and the date it works until are added after your message.",
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        choices = []
        if patient.email:
            choices.append(("email", f"Email to {patient.email}"))
        if patient.phone_mobile:
            choices.append(("sms", f"Text message to {patient.phone_mobile}"))
        field = self.fields["via"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices
        self.fields["message"].initial = intake_messages.default_text(patient.clinic)


def _patient(request: ClinicRequest, pk: int) -> Patient:
    return get_object_or_404(Patient.objects.select_related("clinic"), pk=pk, clinic=request.clinic)


def _status_page(
    request: ClinicRequest, patient: Patient, form: SendForm, status: int = 200
) -> HttpResponse:
    state: IntakeStatus = intake_status(patient)
    context = chart_context(request, patient, chart_viewer(request, patient), TAB.slug)
    context |= {
        "state": state,
        "form": form,
        "can_complete": policies.can_complete_on_behalf(request.membership, patient),
        "complete_url": reverse("intake:staff_step", args=[patient.pk, state.next_step])
        if state.next_step != REVIEW
        else reverse("intake:staff_review", args=[patient.pk]),
    }
    return render(request, "intake/staff_status.html", context, status=status)


@roles(*SENDERS)
@require_safe
def status(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    record_view(request, patient, "patient_intake", patient_ref=patient.pk)
    return _status_page(request, patient, SendForm(patient=patient))


@roles(*SENDERS)
@require_POST
def send(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    form = SendForm(request.POST, patient=patient)
    if not form.is_valid():
        return _status_page(request, patient, form)
    try:
        sent = actions.send_intake_link(
            request.membership,
            patient,
            via=form.cleaned_data["via"],
            message=form.cleaned_data["message"],
            link_url=lambda token: request.build_absolute_uri(
                reverse("intake:start", args=[token])
            ),
            request=request,
        )
    except ValidationError as problem:
        form.add_error(None, problem)
        return _status_page(request, patient, form)
    names = dict(CHANNEL_CHOICES)
    if sent.via:
        went = " and ".join(names[c].lower() for c in sent.via)
        messages.success(request, f"Intake link sent by {went}.")
    if sent.failed:
        failed = " and ".join(names[c].lower() for c in sent.failed)
        messages.error(
            request, f"The {failed} could not be sent (see the server log). Try again later."
        )
    return redirect("intake:patient", pk=patient.pk)


def _on_behalf(request: ClinicRequest, pk: int) -> tuple[Patient, IntakeSubmission, flow.Side]:
    patient = _patient(request, pk)
    if not policies.can_complete_on_behalf(request.membership, patient):
        raise PermissionDenied
    submission = actions.open_submission(patient)
    if submission is None:
        if request.method != "POST":
            # Nothing to show yet: the first save starts it.
            submission = IntakeSubmission(clinic=patient.clinic, patient=patient, answers={})
        else:
            submission = actions.start_intake(request.membership, patient, request=request)
    submission.patient = patient

    def step_url(key: str) -> str:
        if key == REVIEW:
            return reverse("intake:staff_review", args=[patient.pk])
        return reverse("intake:staff_step", args=[patient.pk, key])

    side = flow.Side(
        by=request.membership,
        link=None,
        step_url=step_url,
        done_url=reverse("intake:patient", args=[patient.pk]),
        layout="base.html",
        context={"status_url": reverse("intake:patient", args=[patient.pk])},
    )
    return patient, submission, side


@roles(*ON_BEHALF)
@require_http_methods(["GET", "HEAD", "POST"])
def staff_step(request: ClinicRequest, pk: int, step: str) -> HttpResponse:
    found = BY_KEY.get(step)
    if found is None:
        return redirect("intake:patient", pk=pk)
    patient, submission, side = _on_behalf(request, pk)
    if request.method != "POST":
        record_view(request, patient, "intake_step", patient_ref=patient.pk)
    return flow.step_page(request, side, submission, found)


@roles(*ON_BEHALF)
@require_http_methods(["GET", "HEAD", "POST"])
def staff_review(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, submission, side = _on_behalf(request, pk)
    if submission.pk is None or submission.is_submitted:
        return redirect("intake:patient", pk=pk)
    if request.method != "POST":
        record_view(request, patient, "intake_step", patient_ref=patient.pk)
    response = flow.review_page(request, side, submission)
    if response.status_code == 302 and submission.is_submitted:
        messages.success(request, "Intake submitted to the record; the patient is in screening.")
    return response
