"""Adding to a chart and striking entries through. POST only; a form error shows the tab
again with the form as typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.patients import actions, forms, policies
from ketaclinic.patients.models import (
    Allergy,
    BloodPressureReading,
    BodyMeasurement,
    Diagnosis,
    HistoryEntry,
    MedicalHistoryAnswer,
    Medication,
    Patient,
    PsychiatricHistory,
    ReproductiveStatus,
    SafetyFlag,
    SubstanceUse,
)
from ketaclinic.patients.views._chart import chart_target, open_chart
from ketaclinic.patients.views.chart import render_tab


@dataclass(frozen=True)
class Kind:
    tab: str
    form: Callable[..., djforms.Form]
    save: Callable[[ClinicRequest, Patient, dict[str, Any]], object]
    done: str
    clinical: bool = True


KINDS: dict[str, Kind] = {
    "measurement": Kind(
        "weight",
        forms.MeasurementForm,
        lambda r, p, d: actions.record_measurement(r.membership, p, request=r, **d),
        "Measurement recorded.",
    ),
    "blood_pressure": Kind(
        "weight",
        forms.BloodPressureForm,
        lambda r, p, d: actions.record_blood_pressure(r.membership, p, request=r, **d),
        "Blood pressure recorded.",
    ),
    "allergy": Kind(
        "medications",
        forms.AllergyForm,
        lambda r, p, d: actions.add_allergy(r.membership, p, request=r, **d),
        "Allergy recorded.",
    ),
    "medication": Kind(
        "medications",
        forms.MedicationForm,
        lambda r, p, d: actions.add_medication(r.membership, p, request=r, **d),
        "Medication recorded.",
    ),
    "diagnosis": Kind(
        "diagnoses",
        forms.DiagnosisForm,
        lambda r, p, d: actions.add_diagnosis(r.membership, p, request=r, **d),
        "Diagnosis recorded.",
    ),
    "psychiatric": Kind(
        "history",
        forms.PsychiatricHistoryForm,
        lambda r, p, d: actions.record_psychiatric_history(r.membership, p, request=r, **d),
        "Psychiatric history recorded.",
    ),
    "medical_answers": Kind(
        "history",
        forms.MedicalAnswersForm,
        lambda r, p, d: actions.record_medical_answers(
            r.membership, p, {c: v for c, v in d.items() if v}, request=r
        ),
        "Medical history answers recorded.",
    ),
    "substance_use": Kind(
        "history",
        forms.SubstanceUseForm,
        lambda r, p, d: actions.record_substance_use(r.membership, p, request=r, **d),
        "Substance use recorded.",
    ),
    "reproductive": Kind(
        "history",
        forms.ReproductiveStatusForm,
        lambda r, p, d: actions.record_reproductive_status(r.membership, p, request=r, **d),
        "Pregnancy and breastfeeding status recorded.",
    ),
    "safety_flag": Kind(
        "overview",
        forms.SafetyFlagForm,
        lambda r, p, d: actions.raise_safety_flag(r.membership, p, request=r, **d),
        "Safety flag raised.",
        clinical=False,
    ),
}

STRIKABLE: dict[str, tuple[type[HistoryEntry], str]] = {
    "measurement": (BodyMeasurement, "weight"),
    "blood_pressure": (BloodPressureReading, "weight"),
    "allergy": (Allergy, "medications"),
    "medication": (Medication, "medications"),
    "diagnosis": (Diagnosis, "diagnoses"),
    "psychiatric": (PsychiatricHistory, "history"),
    "medical_answer": (MedicalHistoryAnswer, "history"),
    "substance_use": (SubstanceUse, "history"),
    "reproductive": (ReproductiveStatus, "history"),
}


def _make_form(kind: Kind, data: Any, patient: Patient) -> djforms.Form:
    today = clinic_today(patient.clinic)
    if kind.form in (forms.MeasurementForm,):
        return kind.form(data, today=today)
    return kind.form(data)


@require_POST  # outermost: a GET is refused before the patient is looked up (the mark is copied)
@break_glass_or_roles(*policies.READ_ROLES, target=chart_target)
def add_entry(request: ClinicRequest, pk: int, kind: str) -> HttpResponse:
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404("No such entry.")
    patient, viewer = open_chart(request, pk)
    allowed = (
        policies.can_edit_clinical(request.membership, patient)
        if spec.clinical
        else policies.can_read(request.membership, patient)
    )
    if not allowed:
        raise PermissionDenied("Your role cannot add this to a chart.")
    form = _make_form(spec, request.POST, patient)
    if form.is_valid():
        try:
            spec.save(request, patient, dict(form.cleaned_data))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, spec.done)
            return redirect(f"patients:{spec.tab}", pk=patient.pk)
    return render_tab(request, patient, viewer, spec.tab, {kind: form})


@require_POST  # outermost: a GET is refused before the patient is looked up (the mark is copied)
@break_glass_or_roles(*policies.READ_ROLES, target=chart_target)
def no_known_allergies(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, _viewer = open_chart(request, pk)
    if not policies.can_edit_clinical(request.membership, patient):
        raise PermissionDenied("Only physicians and nurses record allergies.")
    try:
        actions.record_no_known_allergies(request.membership, patient, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Recorded: no known allergies.")
    return redirect("patients:medications", pk=patient.pk)


@require_POST  # outermost: a GET is refused before the patient is looked up (the mark is copied)
@break_glass_or_roles(*policies.READ_ROLES, target=chart_target)
def strike(request: ClinicRequest, pk: int, kind: str, entry_pk: int) -> HttpResponse:
    spec = STRIKABLE.get(kind)
    if spec is None:
        raise Http404("No such entry.")
    model, tab = spec
    patient, _viewer = open_chart(request, pk)
    entry = get_object_or_404(
        model._default_manager.select_related("patient__clinic"), pk=entry_pk, patient=patient
    )
    if not policies.can_edit_clinical(request.membership, patient):
        raise PermissionDenied("Only physicians and nurses can strike entries.")
    form = forms.StrikeForm(request.POST)
    if form.is_valid():
        try:
            actions.strike_entry(
                request.membership, entry, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, "Entry struck through; it stays on the chart with your reason."
            )
    else:
        messages.error(request, "Say why the entry is wrong: nothing was struck.")
    return redirect(f"patients:{tab}", pk=patient.pk)


@require_POST  # outermost: a GET is refused before the patient is looked up (the mark is copied)
@break_glass_or_roles(*policies.READ_ROLES, target=chart_target)
def stop_medication(request: ClinicRequest, pk: int, entry_pk: int) -> HttpResponse:
    patient, _viewer = open_chart(request, pk)
    medication = get_object_or_404(
        Medication.objects.select_related("patient__clinic"), pk=entry_pk, patient=patient
    )
    if not policies.can_edit_clinical(request.membership, patient):
        raise PermissionDenied("Only physicians and nurses can stop medications.")
    form = forms.StopMedicationForm(request.POST)
    if form.is_valid():
        try:
            actions.stop_medication(
                request.membership,
                medication,
                stopped_on=form.cleaned_data["stopped_on"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{medication.name} marked as stopped.")
    else:
        messages.error(request, "Give the date it stopped: nothing was changed.")
    return redirect("patients:medications", pk=patient.pk)


@require_POST  # outermost: a GET is refused before the patient is looked up (the mark is copied)
@break_glass_or_roles(*policies.READ_ROLES, target=chart_target)
def resolve_flag(request: ClinicRequest, pk: int, flag_pk: int) -> HttpResponse:
    patient, _viewer = open_chart(request, pk)
    flag = get_object_or_404(
        SafetyFlag.objects.select_related("patient__clinic"), pk=flag_pk, patient=patient
    )
    if not policies.can_edit_clinical(request.membership, patient):
        raise PermissionDenied("Only physicians and nurses can resolve safety flags.")
    form = forms.ResolveFlagForm(request.POST)
    if form.is_valid():
        try:
            actions.resolve_safety_flag(
                request.membership,
                flag,
                action_taken=form.cleaned_data["action_taken"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Safety flag resolved.")
    else:
        messages.error(request, "Say what was done: the flag is still open.")
    return redirect("patients:overview", pk=patient.pk)
