"""The chart: one page per tab, each with its add forms (for those who may add) and every
entry, struck-through ones included (with who struck them and why)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.audit.log import record_view
from ketaclinic.patients import actions, forms, policies, queries, sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import Patient, SexAtBirth
from ketaclinic.patients.views._chart import (
    CHART_READERS,
    REDISCLOSURE_NOTICE,
    chart_context,
    chart_target,
    disclose,
    open_chart,
)
from ketaclinic.patients.weights import derived_weights

Forms = dict[str, Any]


def _by(qs: Any) -> Any:
    return qs.select_related("recorded_by", "struck_by")


def _overview(
    request: ClinicRequest, patient: Patient, viewer: ChartViewer, f: Forms, today: Any
) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "sees_contact": viewer.sees(sections.CONTACT),
        "age": patient.age_on(today),
        "inquiry": patient.inquiry if not viewer.is_outside else None,
    }
    flags, withheld = queries.visible(
        patient.safety_flags.select_related("raised_by", "resolved_by"), viewer
    )
    ctx.update(flags=flags, flags_withheld=withheld)
    ctx["flag_form"] = f.get("safety_flag") or forms.SafetyFlagForm()
    ctx["resolve_form"] = forms.ResolveFlagForm()
    ctx["notice"] = disclose(request, viewer, patient, flags, "overview")
    return ctx


def _weight(
    request: ClinicRequest, patient: Patient, viewer: ChartViewer, f: Forms, today: Any
) -> dict[str, Any]:
    rows, withheld = queries.visible(_by(patient.measurements.all()), viewer)
    bps, bp_withheld = queries.visible(_by(patient.blood_pressures.all()), viewer)
    live = [r for r in rows if not r.is_struck]
    height = next((r.height_cm for r in live if r.height_cm is not None), None)
    weight = next((r.weight_kg for r in live if r.weight_kg is not None), None)
    sex = patient.sex_at_birth
    picker = None
    if sex not in (SexAtBirth.MALE, SexAtBirth.FEMALE):
        picker = forms.IbwSexForm(request.GET or None)
        if picker.is_valid() and picker.cleaned_data["ibw_sex"]:
            sex = picker.cleaned_data["ibw_sex"]
    return {
        "measurements": rows,
        "withheld": withheld + bp_withheld,
        "blood_pressures": bps,
        "derived": derived_weights(height, weight, sex),
        "ibw_picker": picker,
        "measurement_form": f.get("measurement")
        or forms.MeasurementForm(today=today, initial={"measured_on": today}),
        "bp_form": f.get("blood_pressure")
        or forms.BloodPressureForm(
            initial={"measured_at": timezone.localtime().replace(second=0, microsecond=0)}
        ),
        "notice": disclose(request, viewer, patient, [*rows, *bps], "weight"),
    }


def _medications(
    request: ClinicRequest, patient: Patient, viewer: ChartViewer, f: Forms, today: Any
) -> dict[str, Any]:
    meds, withheld = queries.visible(_by(patient.medications.select_related("stopped_by")), viewer)
    allergies: list[Any] = []
    allergy_withheld = 0
    if viewer.sees(sections.ALLERGIES):
        allergies, allergy_withheld = queries.visible(_by(patient.allergies.all()), viewer)
    current_benzo = [
        m
        for m in meds
        if not m.is_struck
        and m.stopped_on is None
        and m.lorazepam_equivalent_mg_per_day is not None
    ]
    return {
        "medications": meds,
        "sees_allergies": viewer.sees(sections.ALLERGIES),
        "allergies": allergies,
        "withheld": withheld + allergy_withheld,
        "lorazepam_total": sum(m.lorazepam_equivalent_mg_per_day for m in current_benzo)
        if current_benzo
        else None,
        "medication_form": f.get("medication") or forms.MedicationForm(),
        "allergy_form": f.get("allergy") or forms.AllergyForm(),
        "stop_form": forms.StopMedicationForm(initial={"stopped_on": today}),
        "notice": disclose(request, viewer, patient, [*meds, *allergies], "medications"),
    }


def _diagnoses(
    request: ClinicRequest, patient: Patient, viewer: ChartViewer, f: Forms, today: Any
) -> dict[str, Any]:
    rows, withheld = queries.visible(_by(patient.diagnoses.all()), viewer)
    return {
        "diagnoses": rows,
        "withheld": withheld,
        "diagnosis_form": f.get("diagnosis") or forms.DiagnosisForm(),
        "notice": disclose(request, viewer, patient, rows, "diagnoses"),
    }


def _history(
    request: ClinicRequest, patient: Patient, viewer: ChartViewer, f: Forms, today: Any
) -> dict[str, Any]:
    psych, w1 = queries.visible(_by(patient.psychiatric_histories.all()), viewer)
    answers, w2 = queries.visible(_by(patient.medical_answers.all()), viewer)
    substance, w3 = queries.visible(_by(patient.substance_uses.all()), viewer)
    repro, w4 = queries.visible(_by(patient.reproductive_statuses.all()), viewer)
    current_psych = next((p for p in psych if not p.is_struck), None)
    min_trials = queries.trd_min_trials(patient.clinic)
    labels = dict(ConditionCode.choices)
    current: dict[str, Any] = {}
    for a in answers:
        if not a.is_struck:
            current.setdefault(a.condition, a)
    return {
        "psychiatric": psych,
        "current_psych": current_psych,
        "trd_min_trials": min_trials,
        "can_change_settings": not viewer.is_outside
        and policies.can_change_settings(viewer.membership),
        "treatment_resistant": queries.is_treatment_resistant(current_psych, min_trials),
        "answers": answers,
        "current_answers": [(labels[c], current.get(c)) for c in ConditionCode.values],
        "substance_uses": substance,
        "reproductive": repro,
        "withheld": w1 + w2 + w3 + w4,
        "psych_form": f.get("psychiatric") or forms.PsychiatricHistoryForm(),
        "answers_form": f.get("medical_answers") or forms.MedicalAnswersForm(),
        "substance_form": f.get("substance_use") or forms.SubstanceUseForm(),
        "repro_form": f.get("reproductive")
        or forms.ReproductiveStatusForm(initial={"as_of": today}),
        "notice": disclose(
            request, viewer, patient, [*psych, *answers, *substance, *repro], "history"
        ),
    }


TABS: dict[str, Callable[[ClinicRequest, Patient, ChartViewer, Forms, Any], dict[str, Any]]] = {
    "overview": _overview,
    "weight": _weight,
    "medications": _medications,
    "diagnoses": _diagnoses,
    "history": _history,
}


def render_tab(
    request: ClinicRequest,
    patient: Patient,
    viewer: ChartViewer,
    slug: str,
    bound: Forms | None = None,
) -> HttpResponse:
    context = chart_context(request, patient, viewer, slug)
    record_view(request, patient, "patient_chart", patient_ref=patient.pk, after={"tab": slug})
    context.update(TABS[slug](request, patient, viewer, bound or {}, clinic_today(patient.clinic)))
    context["redisclosure_notice"] = REDISCLOSURE_NOTICE
    return render(request, f"patients/chart/{slug}.html", context, status=200)


def _tab_view(slug: str) -> Callable[..., HttpResponse]:
    @break_glass_or_roles(*CHART_READERS, target=chart_target)
    @require_safe
    def view(request: ClinicRequest, pk: int) -> HttpResponse:
        patient, viewer = open_chart(request, pk)
        return render_tab(request, patient, viewer, slug)

    view.__name__ = f"chart_{slug}"
    view.__qualname__ = view.__name__
    return view


overview = _tab_view("overview")
weight = _tab_view("weight")
medications = _tab_view("medications")
diagnoses = _tab_view("diagnoses")
history = _tab_view("history")


@break_glass_or_roles(*policies.READ_ROLES, target=chart_target)
@require_http_methods(["GET", "POST"])
def edit(request: ClinicRequest, pk: int) -> HttpResponse:
    """Identity, contact, emergency contact and escort, with the version check."""
    patient, viewer = open_chart(request, pk)
    if not policies.can_edit_demographics(request.membership, patient):
        raise PermissionDenied("Your role cannot change this patient's details.")
    today = clinic_today(patient.clinic)
    stale = False
    if request.method == "POST":
        form = forms.PatientForm(
            request.POST, instance=Patient.objects.get(pk=patient.pk), today=today
        )
        if form.is_valid():
            try:
                saved = actions.update_patient(
                    request.membership,
                    patient,
                    form.values(),
                    expected_version=form.cleaned_data.get("version"),
                    request=request,
                )
            except actions.StaleVersion as exc:
                form.add_error(None, exc)
                stale = True
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Details saved." if saved else "Nothing changed.")
                return redirect("patients:overview", pk=patient.pk)
    else:
        form = forms.PatientForm(instance=patient, today=today)
    record_view(request, patient, "patient_chart", patient_ref=patient.pk, after={"tab": "edit"})
    return render(
        request,
        "patients/edit.html",
        {"patient": patient, "form": form, "stale": stale},
        status=200,
    )
