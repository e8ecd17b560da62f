"""The forms of recovery, discharge and the note (``novalidate``; errors at the field)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketaclinic.instruments.session_scales import AFTER_EFFECT_SYMPTOMS

ACTIVITY = [(2, "Moves 4 extremities"), (1, "Moves 2 extremities"), (0, "Moves none")]
RESPIRATION = [
    (2, "Breathes deeply, coughs freely"),
    (1, "Dyspnoea or limited breathing"),
    (0, "Apnoeic"),
]
CONSCIOUSNESS = [(2, "Fully awake"), (1, "Arousable on calling"), (0, "Not responding")]
SEVERITY_3 = [(2, "Minimal"), (1, "Moderate"), (0, "Severe")]
AFTER_EFFECT_OPTIONS = [(0, "None"), (1, "Mild"), (2, "Moderate"), (3, "Severe")]


def new_key() -> str:
    return uuid.uuid4().hex


def _choice(label: str, choices: list[tuple[int, str]], **kw: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, widget=forms.RadioSelect, **kw
    )


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class AssessmentForm(KeyedForm):
    activity = _choice("Activity", ACTIVITY)
    respiration = _choice("Respiration", RESPIRATION)
    consciousness = _choice("Consciousness", CONSCIOUSNESS)
    on_oxygen = forms.BooleanField(
        label="On supplemental oxygen", required=False, help_text="Scores the SpO2 item."
    )
    oriented = forms.BooleanField(label="Oriented to person, place and time", required=False)
    steady_gait = forms.BooleanField(label="Steady gait", required=False)
    pain_nausea = _choice("Pain, nausea or vomiting", SEVERITY_3)
    bleeding = _choice(
        "Bleeding",
        SEVERITY_3,
        initial=2,
        help_text="Minimal by default for a non-surgical infusion (clinical reference §5.2) [D].",
    )
    took_fluids = forms.BooleanField(label="Took fluids", required=False)
    voided = forms.BooleanField(label="Voided", required=False)


class AfterEffectsForm(KeyedForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n, name in enumerate(AFTER_EFFECT_SYMPTOMS, start=1):
            self.fields[f"item_{n}"] = _choice(
                "Other" if name == "other" else name.capitalize(), AFTER_EFFECT_OPTIONS, initial=0
            )

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, len(AFTER_EFFECT_SYMPTOMS) + 1)]


class DischargeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    escort_name = forms.CharField(label="Escort's name", max_length=120, required=False)
    escort_relationship = forms.CharField(label="Relationship", max_length=60, required=False)
    escort_phone = forms.CharField(
        label="Escort's phone", max_length=30, required=False, help_text="For example 415 555 0123."
    )
    override_reason = forms.CharField(
        label="Discharge despite unmet criteria: your reason (physician)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Signing locks the note; corrections afterwards are addenda.",
    )


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))


def errors_to(form: forms.Form, exc: ValidationError) -> None:
    """An action's refusal onto the form: at the field it names, else the form's."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)
