"""The intake's step forms. Each validates its own step, with the message at the field.

Answers are kept as JSON between steps (``to_answers``) and given back as a form's initial
values (``initial_from``), so a step reopened shows what was saved. Wording is plain: the
patient fills these in on a phone, alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketaclinic.lib.messaging import InvalidPhoneNumber, to_e164
from ketaclinic.patients.conditions import ConditionCode, TriState
from ketaclinic.patients.models import AllergySeverity, GenderIdentity, MedicationFlag

# Bounds on what a person can report as their height and weight: data-entry checks that catch
# a slip (170 typed as 17, a height in inches typed as centimetres), not clinical thresholds.
# The same plausibility limits as the record's own forms (``patients.forms``: the human range
# with margin), so nothing the intake accepts is refused when it reaches the record.
HEIGHT_CM_RANGE = (Decimal("50"), Decimal("250"))
WEIGHT_KG_RANGE = (Decimal("2"), Decimal("400"))
CM_PER_INCH = Decimal("2.54")
KG_PER_LB = Decimal("0.45359237")  # exact, by definition (international pound, 1959)
# Adequate antidepressant trials a person may report (a typo guard, not a clinical limit).
MAX_TRIALS = 40

ANSWER_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not sure")]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class StepForm(forms.Form):
    """A step's form: ``to_answers`` gives what is saved, ``initial_from`` restores it."""

    def to_answers(self) -> Any:
        return {name: _jsonable(value) for name, value in self.cleaned_data.items()}

    @classmethod
    def initial_from(cls, answers: Any) -> dict[str, Any]:
        return dict(answers) if isinstance(answers, dict) else {}


def _phone(form: forms.Form, name: str) -> str:
    raw = str(form.cleaned_data.get(name) or "").strip()
    if not raw:
        return ""
    try:
        return to_e164(raw)
    except InvalidPhoneNumber as error:
        raise ValidationError(str(error)) from error


class AboutForm(StepForm):
    preferred_name = forms.CharField(
        label="The name you like to be called", max_length=100, required=False
    )
    pronouns = forms.CharField(
        label="Your pronouns", max_length=40, required=False, help_text="For example she/her."
    )
    gender_identity = forms.ChoiceField(
        label="Your gender",
        choices=GenderIdentity.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    gender_identity_other = forms.CharField(
        label="If another identity, in your words", max_length=100, required=False
    )
    preferred_language = forms.CharField(
        label="The language you prefer for your care", max_length=60, required=False
    )
    interpreter_needed = forms.BooleanField(label="I would like an interpreter", required=False)
    address = forms.CharField(
        label="Your home address", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ContactForm(StepForm):
    email = forms.EmailField(label="Email address", required=False)
    phone_mobile = forms.CharField(label="Mobile phone", max_length=40, required=False)
    phone_other = forms.CharField(label="Other phone", max_length=40, required=False)
    emergency_contact_name = forms.CharField(
        label="Emergency contact: name", max_length=200, required=False
    )
    emergency_contact_relationship = forms.CharField(
        label="Emergency contact: how you know them", max_length=100, required=False
    )
    emergency_contact_phone = forms.CharField(
        label="Emergency contact: phone", max_length=40, required=False
    )
    escort_name = forms.CharField(
        label="Who will take you home after an infusion",
        max_length=200,
        required=False,
        help_text="You cannot drive until the next day after an infusion.",
    )
    escort_relationship = forms.CharField(label="How you know them", max_length=100, required=False)
    escort_phone = forms.CharField(label="Their phone", max_length=40, required=False)

    def clean_phone_mobile(self) -> str:
        return _phone(self, "phone_mobile")

    def clean_phone_other(self) -> str:
        return _phone(self, "phone_other")

    def clean_emergency_contact_phone(self) -> str:
        return _phone(self, "emergency_contact_phone")

    def clean_escort_phone(self) -> str:
        return _phone(self, "escort_phone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("emergency_contact_name") and not data.get("emergency_contact_phone"):
            if "emergency_contact_phone" not in self.errors:
                self.add_error("emergency_contact_phone", "Add a phone number for them.")
        return data


class BodyForm(StepForm):
    height_unit = forms.ChoiceField(
        label="Height in",
        choices=[("cm", "Centimetres"), ("ft", "Feet and inches")],
        widget=forms.RadioSelect,
        initial="ft",
    )
    height_cm = forms.DecimalField(
        label="Height (cm)", max_digits=5, decimal_places=1, required=False
    )
    height_ft = forms.IntegerField(label="Height: feet", min_value=0, max_value=8, required=False)
    height_in = forms.DecimalField(
        label="Height: inches",
        min_value=0,
        max_value=Decimal("11.9"),
        decimal_places=1,
        required=False,
    )
    weight_value = forms.DecimalField(label="Weight", max_digits=6, decimal_places=1)
    weight_unit = forms.ChoiceField(
        label="Weight in",
        choices=[("kg", "Kilograms"), ("lb", "Pounds")],
        widget=forms.RadioSelect,
        initial="lb",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        height = self._height_cm(data)
        if height is not None and not HEIGHT_CM_RANGE[0] <= height <= HEIGHT_CM_RANGE[1]:
            field = "height_cm" if data.get("height_unit") == "cm" else "height_ft"
            self.add_error(
                field,
                f"That height ({height} cm) is outside what a person can be. "
                "Check the number and the unit.",
            )
        weight = self._weight_kg(data)
        if weight is not None and not WEIGHT_KG_RANGE[0] <= weight <= WEIGHT_KG_RANGE[1]:
            self.add_error(
                "weight_value",
                f"That weight ({weight} kg) is outside what a person can weigh. "
                "Check the number and the unit.",
            )
        data["height_cm_total"] = height
        data["weight_kg_total"] = weight
        return data

    def _height_cm(self, data: dict[str, Any]) -> Decimal | None:
        if data.get("height_unit") == "cm":
            if data.get("height_cm") is None and "height_cm" not in self.errors:
                self.add_error("height_cm", "Enter your height in centimetres.")
            return data.get("height_cm")
        feet, inches = data.get("height_ft"), data.get("height_in") or Decimal(0)
        if feet is None:
            if "height_ft" not in self.errors and "height_unit" in data:
                self.add_error("height_ft", "Enter your height in feet and inches.")
            return None
        return ((Decimal(feet) * 12 + inches) * CM_PER_INCH).quantize(Decimal("0.1"))

    def _weight_kg(self, data: dict[str, Any]) -> Decimal | None:
        value = data.get("weight_value")
        if value is None:
            return None
        if data.get("weight_unit") == "lb":
            return (value * KG_PER_LB).quantize(Decimal("0.1"))
        return Decimal(value).quantize(Decimal("0.1"))


class MedicationRow(forms.Form):
    name = forms.CharField(label="Medicine", max_length=200, required=False)
    dose_text = forms.CharField(
        label="Dose and how often",
        max_length=200,
        required=False,
        help_text="For example 20 mg once a day.",
    )
    flag = forms.ChoiceField(
        label="Is it one of these? (if you know)", choices=MedicationFlag.choices, required=False
    )
    lorazepam_equivalent_mg_per_day = forms.DecimalField(
        label="If it is a benzodiazepine: total mg a day as lorazepam, if you know it",
        max_digits=6,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = any(data.get(k) not in (None, "") for k in self.fields)
        if filled and not data.get("name"):
            self.add_error("name", "Enter the medicine's name, or clear this row.")
        if (
            data.get("flag") == MedicationFlag.BENZODIAZEPINE
            and not data.get("dose_text")
            and data.get("lorazepam_equivalent_mg_per_day") is None
            and "lorazepam_equivalent_mg_per_day" not in self.errors
        ):
            self.add_error("dose_text", "For a benzodiazepine, tell us the dose and how often.")
        return data


class AllergyRow(forms.Form):
    substance = forms.CharField(label="Allergic to", max_length=200, required=False)
    reaction = forms.CharField(label="What happens", max_length=200, required=False)
    severity = forms.ChoiceField(
        label="How bad", choices=AllergySeverity.choices, required=False, initial="unknown"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("reaction")) and not data.get("substance"):
            self.add_error("substance", "Enter what you are allergic to, or clear this row.")
        return data


class MedicationsForm(StepForm):
    takes_none = forms.BooleanField(label="I take no medicines at the moment", required=False)


class AllergiesForm(StepForm):
    no_known_allergies = forms.BooleanField(label="I have no allergies I know of", required=False)


class MedicalHistoryForm(StepForm):
    """One yes / no / not sure question per condition the eligibility rules read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ConditionCode.choices:
            self.fields[code] = forms.ChoiceField(
                label=label, choices=ANSWER_CHOICES, widget=forms.RadioSelect
            )


class PsychiatricForm(StepForm):
    adequate_antidepressant_trials = forms.IntegerField(
        label="How many antidepressants have you tried, each for at least 6 weeks?",
        min_value=0,
        max_value=MAX_TRIALS,
        help_text="Count each medicine once. Write 0 if none.",
    )
    prior_ect = forms.BooleanField(
        label="I have had ECT (electroconvulsive therapy)", required=False
    )
    prior_tms = forms.BooleanField(label="I have had TMS (magnetic stimulation)", required=False)
    prior_esketamine = forms.BooleanField(label="I have had Spravato (esketamine)", required=False)
    prior_ketamine = forms.BooleanField(label="I have had ketamine treatment", required=False)
    notes = forms.CharField(
        label="Anything else about your mental-health treatment",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


# The substances asked about: (key, name on the record, the question's plain words).
SUBSTANCES = [
    ("alcohol", "Alcohol", "Alcohol"),
    ("cannabis", "Cannabis", "Cannabis"),
    ("opioids", "Opioids (not prescribed)", "Opioids not prescribed to you (such as heroin)"),
    (
        "stimulants",
        "Stimulants (not prescribed)",
        "Stimulants not prescribed to you (such as cocaine or methamphetamine)",
    ),
    (
        "sedatives",
        "Sedatives (not prescribed)",
        "Sedatives not prescribed to you (such as benzodiazepines)",
    ),
    ("ketamine_pcp", "Ketamine or PCP (not in a clinic)", "Ketamine or PCP outside a clinic"),
    ("hallucinogens", "Hallucinogens", "Hallucinogens (such as LSD or mushrooms)"),
    ("tobacco", "Tobacco or nicotine", "Tobacco or nicotine"),
]
PATTERN_CHOICES = [("never", "Never"), ("past", "In the past"), ("current", "Now")]


class SubstancesForm(StepForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, _name, label in SUBSTANCES:
            self.fields[key] = forms.ChoiceField(
                label=label, choices=PATTERN_CHOICES, widget=forms.RadioSelect
            )
        self.fields["in_treatment"] = forms.BooleanField(
            label="I am being treated for substance use now", required=False
        )


class PregnancyForm(StepForm):
    pregnant = forms.ChoiceField(
        label="Are you pregnant, or could you be?",
        choices=[(v, "Not sure" if v == TriState.UNKNOWN else lbl) for v, lbl in TriState.choices],
        widget=forms.RadioSelect,
    )
    breastfeeding = forms.ChoiceField(
        label="Are you breastfeeding?",
        choices=[(v, "Not sure" if v == TriState.UNKNOWN else lbl) for v, lbl in TriState.choices],
        widget=forms.RadioSelect,
    )


class ReviewForm(StepForm):
    confirm = forms.BooleanField(
        label="The answers above are true to the best of my knowledge", required=True
    )
