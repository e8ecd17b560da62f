"""The flow and pre-check forms: typing only (the actions judge and validate what matters,
and their refusals come back at the field they name). Times are typed in the clinic's time
(the middleware activates its zone)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from ketaclinic.infusions.actions import prechecks_items as items
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.models.session import CheckItem
from ketaclinic.patients.forms import PhoneField


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    """Every form that appends carries its idempotency key, made when it is drawn."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())

    def key(self) -> str:
        return str(self.cleaned_data.get("idempotency_key") or "")

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "idempotency_key"}


def _when(label: str, hint: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, help_text=hint,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip


def _number(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class StepForm(KeyedForm):
    """One transition: the version the screen was drawn from, and a reason where needed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    rate_ml_per_h = forms.FloatField(
        label="Rate to resume at (mL/h)", required=False, min_value=0.1,
        help_text="Leave empty to resume at the last running rate.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )  # fmt: skip

    def __init__(self, *args: Any, with_rate: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_rate:
            del self.fields["rate_ml_per_h"]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="Reason to go on despite this", max_length=2000,
        help_text="A physician's decision; it shows in the session note.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ComputedForm(KeyedForm):
    """Found by the server (consents, eligibility, questionnaires): one button."""


class IdentityForm(KeyedForm):
    confirmed = forms.BooleanField(
        label="Name and date of birth match the wristband or ID", required=False
    )


class MedicationsForm(KeyedForm):
    changes = forms.CharField(
        label="Medication changes since the last visit", required=False, max_length=2000,
        help_text="Benzodiazepines, sedative-hypnotics, stimulants, MAOIs, opioids, "
        "theophylline (§3.3). Leave empty for none.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    benzodiazepine_taken = forms.ChoiceField(
        label="Benzodiazepine taken recently?", required=False,
        choices=[("no", "No"), ("yes", "Yes")], widget=forms.RadioSelect,
    )  # fmt: skip
    benzodiazepine_at = _when("Last benzodiazepine dose", "Only if yes.")
    alcohol_none = forms.BooleanField(label="No alcohol recently", required=False)
    alcohol_at = _when("Last alcohol", "Leave empty if none recently.")

    def answers(self) -> dict[str, Any]:
        out = super().answers()
        out["benzodiazepine_taken"] = {"yes": True, "no": False}.get(out["benzodiazepine_taken"])
        return out


class PregnancyForm(KeyedForm):
    status = forms.ChoiceField(
        label="Pregnancy", required=False, choices=list(items.PREGNANCY.items()),
        widget=forms.RadioSelect,
    )  # fmt: skip


class FastingForm(KeyedForm):
    solids_at = _when("Last solid food")
    clear_liquids_at = _when("Last clear liquid")


class VitalsForm(KeyedForm):
    systolic_mmhg = _number("Systolic BP (mmHg)")
    diastolic_mmhg = _number("Diastolic BP (mmHg)")
    heart_rate_bpm = _number("Heart rate (bpm)")
    spo2_percent = _number("SpO2 (%)")
    resp_rate_per_min = _number("Respiratory rate (/min)")
    temperature_c = forms.DecimalField(
        label="Temperature (°C, optional)", required=False, max_digits=4, decimal_places=1,
        min_value=30, max_value=45,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )  # fmt: skip


class EscortForm(KeyedForm):
    name = forms.CharField(label="Escort's name", required=False, max_length=120)
    relationship = forms.CharField(label="Relationship", required=False, max_length=60)
    phone = PhoneField(label="Escort's phone")


class EquipmentForm(KeyedForm):
    oxygen = forms.BooleanField(label="Oxygen", required=False)
    suction = forms.BooleanField(label="Suction", required=False)
    airway_adjuncts = forms.BooleanField(label="Airway adjuncts", required=False)
    bag_valve_mask = forms.BooleanField(label="Bag-valve-mask", required=False)
    aed_crash_cart = forms.BooleanField(label="AED / crash cart", required=False)
    rescue_drugs = forms.BooleanField(label="Rescue drugs", required=False)


CHECK_FORMS: dict[str, type[KeyedForm]] = {
    CheckItem.IDENTITY: IdentityForm,
    CheckItem.CONSENTS: ComputedForm,
    CheckItem.ELIGIBILITY: ComputedForm,
    CheckItem.MEDICATIONS: MedicationsForm,
    CheckItem.PREGNANCY: PregnancyForm,
    CheckItem.FASTING: FastingForm,
    CheckItem.VITALS: VitalsForm,
    CheckItem.QUESTIONNAIRES: ComputedForm,
    CheckItem.ESCORT: EscortForm,
    CheckItem.EQUIPMENT: EquipmentForm,
}


def check_form(item: str, session: InfusionSession, data: Any = None) -> KeyedForm:
    """The item's form (bound to ``data`` when given); the escort prefilled from the session,
    else the patient record."""
    initial: dict[str, Any] = {}
    if item == CheckItem.ESCORT:
        p = session.patient
        initial = {
            "name": session.escort_name or p.escort_name,
            "relationship": session.escort_relationship or p.escort_relationship,
            "phone": session.escort_phone or p.escort_phone,
        }
    return CHECK_FORMS[item](data, prefix=f"check-{item}", initial=initial)
