"""The charting forms: preparation, a vitals reading, a rate change, a response to a firing,
a strike-through. The actions check everything again; the forms only parse what was typed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions import defaults
from ketaclinic.infusions.actions.charting import RESPONSES


def new_key() -> str:
    return uuid.uuid4().hex


def _number(label: str, *, required: bool = True, decimal: bool = False, **extra: Any) -> Any:
    attrs = {"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off", **extra}
    if decimal:
        return forms.FloatField(label=label, required=required, widget=forms.TextInput(attrs))
    return forms.IntegerField(label=label, required=required, widget=forms.TextInput(attrs))


class PrepForm(forms.Form):
    # Ids prefixed per form: several forms share the session screen.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "prep_%s")
        super().__init__(*args, **kwargs)

    drug_name = forms.CharField(label="Drug", max_length=80, initial="Ketamine HCl")
    vial_lot = forms.CharField(label="Vial lot", max_length=40)
    vial_expiry = forms.DateField(label="Vial expiry", widget=forms.DateInput({"type": "date"}))
    container_drug_mg = _number(
        "Ketamine in the bag or syringe (mg)", decimal=True,
    )  # fmt: skip
    container_volume_ml = _number("Total volume, drug and diluent (mL)", decimal=True)
    ordered_dose_mg = _number(
        "Dose (mg)", decimal=True, required=False
    )  # the signed plan's when blank
    ordered_duration_min = _number("Over (min)", decimal=True, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClinicalTimeField(forms.CharField):
    """A clinic-local time: "HH:MM" today, or a datetime-local value ("YYYY-MM-DDTHH:MM")."""

    def __init__(self, clinic: Clinic | None = None, **kwargs: Any) -> None:
        self.clinic = clinic
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        zone = clinic_zone(self.clinic)
        try:
            if "T" in text or "-" in text:
                naive = dt.datetime.fromisoformat(text.replace(" ", "T"))
            else:
                now = timezone.now().astimezone(zone)
                at = dt.datetime.combine(now.date(), dt.time.fromisoformat(text), zone)
                # Just after midnight, "23:55" is last night's reading charted late.
                return at - dt.timedelta(days=1) if at > now + dt.timedelta(hours=1) else at
        except ValueError:
            raise forms.ValidationError("Enter the time as HH:MM.") from None
        return naive.replace(tzinfo=zone) if naive.tzinfo is None else naive


class ReadingForm(forms.Form):
    """Field names are :func:`infusions.actions.charting.record_reading`'s keywords."""

    systolic_mmhg = _number("Systolic (mmHg)")
    diastolic_mmhg = _number("Diastolic (mmHg)")
    heart_rate_bpm = _number("Heart rate (bpm)")
    spo2_percent = _number("SpO2 (%)")
    resp_rate_per_min = _number("Respiratory rate (/min)")
    temperature_c = _number("Temperature (°C)", required=False, decimal=True)
    moaas = _number("MOAA/S sedation (0-5)", required=False)
    dissociation = _number("Dissociation, CADSS-6 (0-24)", required=False)
    symptoms = forms.MultipleChoiceField(
        label="Symptoms reported",
        required=False,
        choices=defaults.SYMPTOM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    on_oxygen = forms.BooleanField(label="On oxygen", required=False)
    clinical_at = ClinicalTimeField(
        label="Time taken",
        required=False,
        help_text="Leave blank for now; for a reading charted late, its real time (HH:MM).",
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off",
                                "placeholder": "HH:MM"}),
    )  # fmt: skip
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, clinic: Clinic | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reading_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["clinical_at"]
        assert isinstance(field, ClinicalTimeField)
        field.clinic = clinic
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class RateForm(forms.Form):
    rate_ml_per_h = _number("New rate (mL/h)", decimal=True)
    reason = forms.CharField(label="Reason", max_length=500)
    firing = forms.TypedChoiceField(
        label="Because of the alert", required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, firings: list[Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "rate_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["firing"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None")] + [(f.pk, f.rule.name) for f in firings or []]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        label="What was done", choices=list(RESPONSES.items()), widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False, max_length=500)


class StrikeForm(forms.Form):
    reason = forms.CharField(label="Why is it wrong?", max_length=500)
