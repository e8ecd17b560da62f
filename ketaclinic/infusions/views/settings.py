"""The clinic's infusion settings page (``clinic/infusions/``): the session settings with each
default's source, the threshold rules, and the rescue formulary. Every staff member reads it;
physicians and clinic admins change it (the actions refuse anyone else). Until the first
change, the rules and drugs shown are the defaults, unsaved (a GET never writes).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.access.policy import staff
from ketaclinic.access.request import ClinicRequest
from ketaclinic.infusions import defaults, policies
from ketaclinic.infusions.actions import settings as actions
from ketaclinic.infusions.formulary import LIMIT_FIELDS, drug_for, formulary_for
from ketaclinic.infusions.models import FormularyDrug, InfusionSettings, ThresholdRule
from ketaclinic.infusions.queries import settings_for
from ketaclinic.infusions.views.events import put_errors
from ketaclinic.web.clinic_rules import back_link

SETTINGS_LABELS = {
    "vitals_interval_infusing_min": "Reading interval during the infusion (min)",
    "vitals_interval_recovery_min": "Reading interval in recovery (min)",
    "late_entry_min": "An entry is late when charted this long after its time (min)",
    "max_systolic_mmhg": "Go/no-go: highest resting systolic (mmHg)",
    "max_diastolic_mmhg": "Go/no-go: highest resting diastolic (mmHg)",
    "min_spo2_percent": "Go/no-go: lowest SpO2 (%) (empty: no limit)",
    "max_heart_rate_bpm": "Go/no-go: highest heart rate (bpm) (empty: no limit)",
    "fasting_solids_h": "Fasting: solids (hours before)",
    "fasting_clear_liquids_h": "Fasting: clear liquids (hours before)",
    "benzodiazepine_hold_h": "Benzodiazepine held (hours before)",
    "alcohol_hold_h": "Last alcohol at least (hours before)",
    "aldrete_min": "Discharge: modified Aldrete at least",
    "padss_min": "Discharge: PADSS at least",
}


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = InfusionSettings
        fields = list(actions.SETTINGS_LIMITS)
        labels = SETTINGS_LABELS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name, limit in actions.SETTINGS_LIMITS.items():
            field = self.fields[name]
            default = getattr(InfusionSettings(), name)
            shown = "none (no limit)" if default is None else default
            field.help_text = (
                f"Default {shown}; {limit.low} to {limit.high}. Source: {limit.source}"
            )
            field.required = name not in actions.OPTIONAL_SETTINGS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            actions.check_settings({k: data[k] for k in actions.SETTINGS_LIMITS if k in data})
        except ValidationError as error:
            put_errors(self, error)
        return data

    def changes(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in self.changed_data if n in actions.SETTINGS_LIMITS}


class RuleForm(forms.ModelForm):
    symptom = forms.ChoiceField(
        required=False,
        choices=[("", "None"), *defaults.SYMPTOM_CHOICES],
        help_text="Only for a symptom rule.",
    )

    class Meta:
        model = ThresholdRule
        fields = [
            "name",
            "action",
            "measure",
            "comparison",
            "value",
            "symptom",
            "consecutive",
            "source",
        ]
        labels = {"value": "Value (units of the measure)", "consecutive": "Readings in a row"}
        help_texts = {
            "name": "Leave empty to name it from its parts.",
            "value": "Not for a symptom rule.",
            "source": "Where the number comes from, with its status tag, e.g. 'Clinic "
            "decision [D]'.",
        }
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "source", "value"):
            self.fields[name].required = False


class RetireForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


DRUG_FIELDS = ["name", "route", "indication", *LIMIT_FIELDS, "schedule", "cautions", "source"]
DRUG_LABELS = {
    "usual_dose_mg": "Usual dose (mg)",
    "usual_mg_per_kg": "Usual dose by weight (mg/kg)",
    "max_single_dose_mg": "Largest single dose (mg)",
    "max_mg_per_kg": "Largest single dose by weight (mg/kg)",
    "max_total_mg": "Largest total in a session (mg): past it a dose is refused",
    "min_interval_min": "Least time between doses (min)",
    "reduced_from_age": "Lower limit from this age (years)",
    "reduced_max_single_dose_mg": "Largest single dose from that age (mg); empty: a physician "
    "decides each dose",
    "repeat_needs_override": "A second dose in a session needs a physician's reason",
    "schedule": "DEA schedule (IV for benzodiazepines)",
}


class DrugForm(forms.ModelForm):
    class Meta:
        model = FormularyDrug
        fields = ["key", *DRUG_FIELDS]
        labels = DRUG_LABELS
        help_texts = {"key": "A short name in lower case, e.g. 'ketorolac'."}
        widgets = {
            "source": forms.Textarea(attrs={"rows": 3}),
            "cautions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "indication"):
            self.fields[name].required = False  # the action says what is missing

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in DRUG_FIELDS}


class DrugEditForm(DrugForm):
    class Meta(DrugForm.Meta):
        fields = [*DRUG_FIELDS, "is_active"]
        labels = {**DRUG_LABELS, "is_active": "Offered at the chair (active)"}

    def changes(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.changed_data}


def _rules(request: ClinicRequest) -> tuple[list[ThresholdRule], bool]:
    rows = list(ThresholdRule.objects.filter(clinic=request.clinic))
    if rows:
        return rows, True
    unsaved = [
        ThresholdRule(clinic=request.clinic, position=i, **{"symptom": "", **spec})
        for i, spec in enumerate(defaults.DEFAULT_RULES)
    ]
    return unsaved, False


def _editor(request: ClinicRequest) -> None:
    """Refuse a change from a role that only reads (before any form is judged)."""
    if not policies.can_change_settings(request.membership, request.clinic.pk):
        raise PermissionDenied(actions.DENIED)


def _page(request: ClinicRequest, status: int = 200, **bound: Any) -> HttpResponse:
    chosen = InfusionSettings.objects.select_related("updated_by").filter(
        clinic=request.clinic
    ).first() or InfusionSettings(clinic=request.clinic)
    rules, rules_installed = _rules(request)
    drugs = formulary_for(request.clinic)
    context = {
        "chosen": chosen,
        "can_change": policies.can_change_settings(request.membership, request.clinic.pk),
        "form": bound.get("form") or SettingsForm(instance=chosen),
        "rules": rules,
        "rules_installed": rules_installed,
        "rule_form": bound.get("rule_form") or RuleForm(),
        "retire_rule": bound.get("retire_rule"),
        "drugs": drugs,
        "formulary_installed": any(d.pk is not None for d in drugs),
        "drug_form": bound.get("drug_form") or DrugForm(),
        "back": back_link(request),
    }
    return render(request, "infusions/settings.html", context, status=status)


@staff
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: ClinicRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    _editor(request)
    chosen = settings_for(request.clinic)
    form = SettingsForm(
        request.POST,
        instance=InfusionSettings(
            clinic=request.clinic,
            **{k: getattr(chosen, k) for k in actions.SETTINGS_LIMITS},
            version=chosen.version,
        ),
    )
    if form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect("infusions:settings")
        try:
            actions.update_settings(
                request.membership,
                request.clinic,
                changes,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Infusion settings saved.")
            return redirect("infusions:settings")
    return _page(request, form=form)


@staff
@require_POST
def rule_add(request: ClinicRequest) -> HttpResponse:
    _editor(request)
    form = RuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_rule(
                request.membership,
                request.clinic,
                action=data["action"],
                measure=data["measure"],
                comparison=data["comparison"],
                value=data["value"],
                symptom=data["symptom"] or "",
                consecutive=data["consecutive"] or 0,
                source=data["source"] or "",
                name=data["name"] or "",
                request=request,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Rule added.")
            return redirect(reverse("infusions:settings") + "#rules")
    return _page(request, rule_form=form)


@staff
@require_POST
def rule_retire(request: ClinicRequest) -> HttpResponse:
    _editor(request)
    form = RetireForm(request.POST)
    rule_pk, position = request.POST.get("rule", ""), request.POST.get("default", "")
    if form.is_valid():
        rule = (
            ThresholdRule.objects.filter(clinic=request.clinic, pk=int(rule_pk)).first()
            if rule_pk.isdigit()
            else None
        )
        try:
            if rule is None and not position.isdigit():
                raise ValidationError({"__all__": "Choose the rule to retire."})
            actions.retire_rule(
                request.membership,
                request.clinic,
                rule=rule,
                default_position=int(position) if rule is None else None,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Rule retired.")
            return redirect(reverse("infusions:settings") + "#rules")
    return _page(request, retire_rule={"form": form, "rule": rule_pk, "default": position})


@staff
@require_POST
def drug_add(request: ClinicRequest) -> HttpResponse:
    _editor(request)
    form = DrugForm(request.POST)
    if form.is_valid():
        try:
            actions.add_drug(
                request.membership,
                request.clinic,
                key=form.cleaned_data["key"],
                values=form.values(),
                request=request,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Drug added.")
            return redirect(reverse("infusions:settings") + "#formulary")
    return _page(request, drug_form=form)


def _drug_or_404(request: ClinicRequest, drug_key: str) -> FormularyDrug:
    drug = drug_for(request.clinic, drug_key)
    if drug is None:
        raise Http404
    return drug


@staff
@require_http_methods(["GET", "HEAD", "POST"])
def drug_edit(request: ClinicRequest, drug_key: str) -> HttpResponse:
    drug = _drug_or_404(request, drug_key)
    if request.method == "POST":
        _editor(request)
    form = DrugEditForm(request.POST if request.method == "POST" else None, instance=drug)
    retire_form = RetireForm()
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect(reverse("infusions:settings") + "#formulary")
        try:
            actions.update_drug(
                request.membership, request.clinic, drug.key, changes, request=request
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, f"{drug.name} saved.")
            return redirect(reverse("infusions:settings") + "#formulary")
    return _drug_page(request, drug, form, retire_form)


def _drug_page(
    request: ClinicRequest, drug: FormularyDrug, form: DrugEditForm, retire_form: RetireForm
) -> HttpResponse:
    return render(
        request,
        "infusions/settings_drug.html",
        {
            "drug": drug,
            "form": form,
            "retire_form": retire_form,
            "can_change": policies.can_change_settings(request.membership, request.clinic.pk),
            "installed": drug.pk is not None,
        },
    )


@staff
@require_POST
def drug_retire(request: ClinicRequest, drug_key: str) -> HttpResponse:
    _editor(request)
    drug = _drug_or_404(request, drug_key)
    retire_form = RetireForm(request.POST)
    if retire_form.is_valid():
        try:
            actions.retire_drug(
                request.membership,
                request.clinic,
                drug.key,
                reason=retire_form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            put_errors(retire_form, error)
        else:
            messages.success(request, f"{drug.name} retired.")
            return redirect(reverse("infusions:settings") + "#formulary")
    return _drug_page(request, drug, DrugEditForm(instance=drug), retire_form)


urlpatterns: list[URLPattern] = [
    path("clinic/infusions/", settings_page, name="settings"),
    path("clinic/infusions/rules/", rule_add, name="rule_add"),
    path("clinic/infusions/rules/retire/", rule_retire, name="rule_retire"),
    path("clinic/infusions/formulary/", drug_add, name="drug_add"),
    path("clinic/infusions/formulary/<slug:drug_key>/", drug_edit, name="drug"),
    path("clinic/infusions/formulary/<slug:drug_key>/retire/", drug_retire, name="drug_retire"),
]
