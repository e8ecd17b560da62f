"""The physician's sign form and the clinic's eligibility settings form."""

from __future__ import annotations

from typing import Any

from django import forms

from ketaclinic.eligibility import models as m
from ketaclinic.eligibility.models import Decision, EligibilitySettings, RuleClass


class SignForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, in a sentence or two; it is kept with the screening you decided on.",
        max_length=4000,
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only for “eligible with conditions”: what must hold, such as "
        "“blood pressure under 160/95 on the day”.",
        max_length=4000,
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Signing is confirmed with your password, as on the security pages.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("decision") == Decision.ELIGIBLE_WITH_CONDITIONS
            and not (cleaned.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "Say what the conditions are.")
        return cleaned


def _class_help(default: str, source: str) -> str:
    return f"Default: {RuleClass(default).label.lower()}. {source}"


PSYCHOSIS_SOURCE = (
    "Contested [C]: “relative → absolute by clinic” (Miller's Anesthesia; Spravato caution; trial "
    "exclusions; the 2017 consensus pre-evaluation includes psychosis history; clinical "
    "reference §3.1)."
)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = EligibilitySettings
        fields = [
            "current_psychosis_class",
            "past_psychosis_class",
            "resting_systolic_limit_mmhg",
            "resting_diastolic_limit_mmhg",
            "benzodiazepine_limit_lorazepam_mg_per_day",
        ]
        widgets = {
            "current_psychosis_class": forms.RadioSelect,
            "past_psychosis_class": forms.RadioSelect,
        }
        help_texts = {
            "current_psychosis_class": _class_help(
                m.DEFAULT_CURRENT_PSYCHOSIS_CLASS, PSYCHOSIS_SOURCE
            ),
            "past_psychosis_class": _class_help(m.DEFAULT_PAST_PSYCHOSIS_CLASS, PSYCHOSIS_SOURCE),
            "resting_systolic_limit_mmhg": (
                f"Default: {m.DEFAULT_SYSTOLIC_LIMIT_MMHG} (a resting reading above "
                f"{m.DEFAULT_SYSTOLIC_LIMIT_MMHG}/{m.DEFAULT_DIASTOLIC_LIMIT_MMHG} is "
                "uncontrolled hypertension, an absolute contraindication: Swiss Ketalar label "
                f"[E], clinical reference §2.4). Alternative: {m.ALTERNATIVE_BP_LIMIT}."
            ),
            "resting_diastolic_limit_mmhg": (
                f"Default: {m.DEFAULT_DIASTOLIC_LIMIT_MMHG} (Swiss Ketalar label [E]). "
                f"Alternative: {m.ALTERNATIVE_BP_LIMIT}."
            ),
            "benzodiazepine_limit_lorazepam_mg_per_day": (
                f"Default: {m.DEFAULT_BENZODIAZEPINE_LIMIT_MG} mg/day (a daily dose above it "
                "needs physician review: PMC10812090 trial exclusion [S], clinical reference "
                f"§3.1). Alternative: {m.ALTERNATIVE_BENZODIAZEPINE_LIMIT}."
            ),
        }

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}
