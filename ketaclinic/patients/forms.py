"""Forms of the patient record. Every check reports at its field and keeps what was typed.

Ranges are plausibility limits for catching typing mistakes, not clinical thresholds: height
50-250 cm and weight 2-400 kg (the human range with margin); age 0-120; blood pressure
systolic 50-300 and diastolic 20-200 mmHg, heart rate 20-250 bpm (readings outside these are
almost certainly mistyped; screening limits are the eligibility app's per-clinic settings).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

from ketaclinic.patients.actions.history import ICD10_CM, normalise_icd10
from ketaclinic.patients.actions.record import DEMOGRAPHIC_FIELDS
from ketaclinic.patients.conditions import ConditionCode, TriState
from ketaclinic.patients.models import (
    AllergySeverity,
    MeasurementMethod,
    MedicationFlag,
    Patient,
    PatientStatus,
    SubstanceUsePattern,
)
from ketaclinic.patients.queries import SORTS

PHONE_REGION = "US"
PHONE_FIELDS = ("phone_mobile", "phone_other", "emergency_contact_phone", "escort_phone")
MAX_AGE_YEARS = 120


def to_e164(raw: str, region: str = PHONE_REGION) -> str:
    """A phone number as typed, in E.164 (``+14155550123``); ValidationError if not a number."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a phone number, like (415) 555-0123 or +44 20 7946 0958."
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("That is not a valid phone number: check the digits and area code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value: Any) -> str:
        return to_e164(str(super().clean(value) or ""))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("+"):
            try:
                parsed = phonenumbers.parse(value, None)
            except phonenumbers.NumberParseException:
                return value
            fmt = (
                phonenumbers.PhoneNumberFormat.NATIONAL
                if phonenumbers.region_code_for_number(parsed) == PHONE_REGION
                else phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
            return phonenumbers.format_number(parsed, fmt)
        return value


def check_date_of_birth(value: dt.date, today: dt.date) -> None:
    if value > today:
        raise ValidationError("The date of birth cannot be in the future.")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age > MAX_AGE_YEARS:
        raise ValidationError(f"That makes the patient older than {MAX_AGE_YEARS}: check the year.")


class PatientForm(forms.ModelForm):
    """Identity, contact, emergency contact and escort. ``version`` is the row version the form
    was opened at (update_patient refuses a stale one)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    phone_mobile = PhoneField(label="Mobile phone")
    phone_other = PhoneField(label="Other phone")
    emergency_contact_phone = PhoneField(label="Emergency contact's phone")
    escort_phone = PhoneField(label="Escort's phone")

    class Meta:
        model = Patient
        fields = [f for f in DEMOGRAPHIC_FIELDS]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address like name@example.com."
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_date_of_birth(self) -> dt.date:
        value: dt.date = self.cleaned_data["date_of_birth"]
        check_date_of_birth(value, self.today)
        return value

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email") or "").strip().lower()

    def values(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in DEMOGRAPHIC_FIELDS if f in self.cleaned_data}

    FIELDSETS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("Identity", DEMOGRAPHIC_FIELDS[:8]),
        ("Contact", DEMOGRAPHIC_FIELDS[8:14]),
        ("Emergency contact and escort", DEMOGRAPHIC_FIELDS[14:20]),
        ("Mental-health professional", DEMOGRAPHIC_FIELDS[20:]),
    )

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[n] for n in names]) for legend, names in self.FIELDSETS]


class ConfirmDuplicateForm(forms.Form):
    create_anyway = forms.BooleanField(
        label="None of these is the same person: create a new record anyway", required=False
    )


class FilterForm(forms.Form):
    q = forms.CharField(
        label="Search name, date of birth or record number", required=False, max_length=100
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PatientStatus.choices]
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("", "Name"),
            *((key, label) for key, (label, _) in SORTS.items()),
            *((f"-{key}", f"{label}, reversed") for key, (label, _) in SORTS.items()),
        ],
    )


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(50),
        max_value=Decimal(250),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(2),
        max_value=Decimal(400),
    )
    method = forms.ChoiceField(
        choices=MeasurementMethod.choices, initial=MeasurementMethod.MEASURED
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["height_cm"].error_messages.update(
            min_value="A height under 50 cm is not a person's: check the number (in cm).",
            max_value="A height over 250 cm is not a person's: check the number (in cm).",
        )
        self.fields["weight_kg"].error_messages.update(
            min_value="A weight under 2 kg is not plausible: check the number (in kg).",
            max_value="A weight over 400 kg is not plausible: check the number (in kg).",
        )

    def clean_measured_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["measured_on"]
        if value > self.today:
            raise ValidationError("The date cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and data.get("height_cm") is None and data.get("weight_kg") is None:
            self.add_error("weight_kg", "Give a height, a weight, or both.")
        return data


class BloodPressureForm(forms.Form):
    measured_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    systolic_mmhg = forms.IntegerField(label="Systolic (upper, mmHg)", min_value=50, max_value=300)
    diastolic_mmhg = forms.IntegerField(
        label="Diastolic (lower, mmHg)", min_value=20, max_value=200
    )
    heart_rate_bpm = forms.IntegerField(
        label="Heart rate (beats a minute)", required=False, min_value=20, max_value=250
    )
    method = forms.ChoiceField(
        choices=MeasurementMethod.choices, initial=MeasurementMethod.MEASURED
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        s, d = data.get("systolic_mmhg"), data.get("diastolic_mmhg")
        if s is not None and d is not None and d >= s:
            self.add_error("diastolic_mmhg", "The lower number must be below the upper one.")
        return data


class AllergyForm(forms.Form):
    substance = forms.CharField(max_length=200)
    reaction = forms.CharField(max_length=200, required=False)
    severity = forms.ChoiceField(choices=AllergySeverity.choices, initial=AllergySeverity.UNKNOWN)


class MedicationForm(forms.Form):
    name = forms.CharField(max_length=200)
    dose_text = forms.CharField(label="Dose and how often", max_length=200, required=False)
    flag = forms.ChoiceField(
        label="Matters with ketamine", choices=MedicationFlag.choices, required=False
    )
    lorazepam_equivalent_mg_per_day = forms.DecimalField(
        label="Lorazepam equivalent (mg a day)",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        help_text="For benzodiazepines: the daily dose converted to lorazepam mg.",
    )
    started_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("lorazepam_equivalent_mg_per_day") is not None
            and data.get("flag") != MedicationFlag.BENZODIAZEPINE
        ):
            self.add_error(
                "lorazepam_equivalent_mg_per_day",
                "A lorazepam equivalent is for benzodiazepines only.",
            )
        if (
            data.get("flag") == MedicationFlag.BENZODIAZEPINE
            and data.get("lorazepam_equivalent_mg_per_day") is None
        ):
            self.add_error(
                "lorazepam_equivalent_mg_per_day", "Give the daily dose as lorazepam mg."
            )
        return data


class StopMedicationForm(forms.Form):
    stopped_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class DiagnosisForm(forms.Form):
    icd10_code = forms.CharField(label="ICD-10-CM code", max_length=8, help_text="Such as F33.2")
    description = forms.CharField(max_length=200)
    is_primary = forms.BooleanField(label="Primary diagnosis", required=False)
    diagnosed_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_icd10_code(self) -> str:
        code = normalise_icd10(self.cleaned_data["icd10_code"])
        if not ICD10_CM.match(code):
            raise ValidationError(
                "Enter an ICD-10-CM code: a letter, two digits, then optionally a dot and up to "
                "four characters (F33.2, F43.10)."
            )
        return code


class PsychiatricHistoryForm(forms.Form):
    adequate_antidepressant_trials = forms.IntegerField(
        label="Adequate antidepressant trials", min_value=0, max_value=50
    )
    prior_ect = forms.BooleanField(label="Has had ECT", required=False)
    prior_tms = forms.BooleanField(label="Has had TMS", required=False)
    prior_esketamine = forms.BooleanField(label="Has had esketamine (Spravato)", required=False)
    prior_ketamine = forms.BooleanField(label="Has had ketamine treatment", required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MedicalAnswersForm(forms.Form):
    """One yes / no / not known per condition; unanswered ones are left out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ConditionCode.choices:
            self.fields[code] = forms.ChoiceField(
                label=label, required=False, choices=[("", "Not asked"), *TriState.choices]
            )

    def answers(self) -> dict[str, str]:
        return {c: v for c, v in self.cleaned_data.items() if v}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.values()):
            raise ValidationError("Answer at least one question.")
        return data


class SubstanceUseForm(forms.Form):
    substance = forms.CharField(max_length=60)
    pattern = forms.ChoiceField(label="Use", choices=SubstanceUsePattern.choices)
    last_used_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    in_treatment = forms.BooleanField(label="In treatment for it", required=False)
    notes = forms.CharField(max_length=300, required=False)


class ReproductiveStatusForm(forms.Form):
    pregnant = forms.ChoiceField(choices=TriState.choices)
    breastfeeding = forms.ChoiceField(choices=TriState.choices)
    as_of = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class StrikeForm(forms.Form):
    reason = forms.CharField(label="Why is this entry wrong?", max_length=500)


class SafetyFlagForm(forms.Form):
    kind = forms.CharField(label="Concern", max_length=40)
    detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ResolveFlagForm(forms.Form):
    action_taken = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))


class IbwSexForm(forms.Form):
    """For a patient whose sex at birth is intersex or not known: the clinician picks which
    Devine formula to show (not saved)."""

    ibw_sex = forms.ChoiceField(
        label="Devine formula to use",
        required=False,
        choices=[
            ("", "Choose"),
            ("male", "Male (50 kg base)"),
            ("female", "Female (45.5 kg base)"),
        ],
    )


class ChartSettingsForm(forms.Form):
    treatment_resistant_min_trials = forms.IntegerField(
        label="Adequate antidepressant trials that make a patient treatment-resistant",
        min_value=1,
        max_value=10,
        help_text=(
            "Default 2: the commonly used definition (two or more adequate trials that did not "
            "help). It is not in the clinical reference, so your clinic chooses."
        ),
    )
