"""Forms of the treatment screens: a plan (draft and change), signing, protocol edit, settings."""

from __future__ import annotations

from typing import Any

from django import forms

from ketaclinic.patients.models import BodyMeasurement, Patient
from ketaclinic.scheduling.models import Chair
from ketaclinic.treatment import library
from ketaclinic.treatment.models import (
    BORROW_SOURCE,
    MG_CEILING_SOURCE,
    MODEL_SOURCE,
    OBSERVATION_SOURCE,
    THRESHOLD_SOURCE,
    Basis,
    ProtocolVersion,
    TreatmentSettings,
)

PASSWORD = forms.CharField(
    label="Your password",
    required=False,
    strip=False,
    widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    help_text="Signing is confirmed with your password, as on the security pages.",
)


def _dose_choices(versions: list[ProtocolVersion]) -> list[tuple[str, str]]:
    doses = sorted({float(d) for v in versions for d in v.data["ladder_mg_per_kg"]})
    return [(f"{d:g}", f"{d:g} mg/kg") for d in doses]


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.protocol.title} (version {obj.number})"


class WeightChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.weight_kg} kg on {obj.measured_on:%Y-%m-%d} ({obj.get_method_display()})"


class PlanForm(forms.Form):
    protocol_version = VersionChoice(
        queryset=ProtocolVersion.objects.none(), label="Protocol", empty_label=None
    )
    dose_mg_per_kg = forms.TypedChoiceField(
        coerce=float, label="Dose", help_text="A step of the protocol's ladder."
    )
    measurement = WeightChoice(
        queryset=BodyMeasurement.objects.none(), label="Weight used", empty_label=None
    )
    product_key = forms.ChoiceField(label="Product", required=False)
    series_count = forms.IntegerField(
        label="Infusions planned", min_value=1, max_value=40, required=False
    )
    goals = forms.CharField(label="Goals", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    goal_phq9_remission = forms.BooleanField(
        label="PHQ-9 remission (below 5) by the end of induction", required=False
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label="Reason to go above the clinic's mg ceiling",
        required=False,
        help_text="Only when the dose is above the ceiling: a physician's override.",
    )
    sign = forms.BooleanField(
        label="Sign this version now",
        required=False,
        help_text="A step up the ladder is signed as it is made.",
    )
    password = PASSWORD

    def __init__(
        self, *args: Any, patient: Patient, versions: list[ProtocolVersion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["protocol_version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ProtocolVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        ).select_related("protocol")
        dose = self.fields["dose_mg_per_kg"]
        assert isinstance(dose, forms.TypedChoiceField)
        dose.choices = _dose_choices(versions)
        weights = self.fields["measurement"]
        assert isinstance(weights, forms.ModelChoiceField)
        weights.queryset = BodyMeasurement.objects.filter(
            patient=patient, struck_at__isnull=True, weight_kg__isnull=False
        ).order_by("-measured_on", "-id")
        products = self.fields["product_key"]
        assert isinstance(products, forms.ChoiceField)
        products.choices = [("", "The protocol's first stocked product")] + [
            (p["key"], p["label"]) for p in library.PRODUCTS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sign") and not data.get("password"):
            self.add_error("password", "Enter your password to sign.")
        return data


class SignForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Signing is confirmed with your password, as on the security pages.",
    )


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.replace(";", ",").split(",") if x.strip()]


class BookSeriesForm(forms.Form):
    """The signed plan's series: where it starts; the count, spacing and minutes are the plan's."""

    first_day = forms.DateField(
        label="First day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first visit is on this day or the first day after it that fits.",
    )
    chair = forms.ModelChoiceField(
        label="Chair (optional)",
        queryset=Chair.objects.none(),
        required=False,
        empty_label="Any chair",
        help_text="Preferred; another chair is used when this one is taken.",
    )
    earliest_time = forms.TimeField(
        label="Earliest time (optional)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = Chair.objects.filter(  # type: ignore[attr-defined]
            clinic_id=clinic_id, is_active=True
        ).order_by("position", "name")


class ProtocolForm(forms.Form):
    ladder = forms.CharField(
        label="Dose ladder (mg/kg, lowest first, comma-separated)",
        help_text=library.LADDER_SOURCE,
    )
    weight_basis = forms.ChoiceField(choices=Basis.choices, label="Weight basis")
    bmi_trigger_at = forms.FloatField(
        label="Use another weight basis from this BMI",
        required=False,
        min_value=10,
        max_value=80,
    )
    bmi_trigger_basis = forms.ChoiceField(
        choices=[("ideal", Basis.IDEAL.label), ("adjusted", Basis.ADJUSTED.label)],
        label="Weight basis at or above that BMI",
    )
    mg_ceiling = forms.FloatField(label="mg ceiling", required=False, min_value=1, max_value=1000)
    series_count = forms.IntegerField(label="Induction infusions", min_value=1, max_value=40)
    spacing_min_days = forms.IntegerField(
        label="Shortest spacing (days)", min_value=1, max_value=60
    )
    spacing_max_days = forms.IntegerField(label="Longest spacing (days)", min_value=1, max_value=90)
    products = forms.MultipleChoiceField(
        label="Products the clinic stocks",
        widget=forms.CheckboxSelectMultiple,
        choices=[(p["key"], p["label"]) for p in library.PRODUCTS],
    )
    change_note = forms.CharField(
        label="What changed and why", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, data_from: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = data_from
        self.fields["bmi_trigger_at"].help_text = data_from["bmi_trigger_source"]
        self.fields["mg_ceiling"].help_text = data_from["mg_ceiling_source"]
        self.fields["weight_basis"].help_text = data_from["weight_basis_source"]
        self.fields["series_count"].help_text = data_from["series"]["source"]
        if not self.is_bound:
            trigger = data_from.get("bmi_trigger") or {}
            self.initial = {
                "ladder": ", ".join(f"{d:g}" for d in data_from["ladder_mg_per_kg"]),
                "weight_basis": data_from["weight_basis"],
                "bmi_trigger_at": trigger.get("bmi_at_least"),
                "bmi_trigger_basis": trigger.get("basis", "ideal"),
                "mg_ceiling": data_from.get("mg_ceiling"),
                "series_count": data_from["series"]["count"],
                "spacing_min_days": data_from["series"]["spacing_min_days"],
                "spacing_max_days": data_from["series"]["spacing_max_days"],
                "products": [p["key"] for p in data_from["products"]],
            }

    def clean_ladder(self) -> list[float]:
        try:
            return _floats(self.cleaned_data["ladder"])
        except ValueError:
            raise forms.ValidationError("Numbers separated by commas, e.g. 0.5, 0.6.") from None

    def protocol_data(self) -> dict[str, Any]:
        """The new version's data: the last version's with this form's changes."""
        c = self.cleaned_data
        data = dict(self.base)
        data["ladder_mg_per_kg"] = c["ladder"]
        data["weight_basis"] = c["weight_basis"]
        data["bmi_trigger"] = (
            {"bmi_at_least": c["bmi_trigger_at"], "basis": c["bmi_trigger_basis"]}
            if c.get("bmi_trigger_at")
            else None
        )
        data["mg_ceiling"] = c.get("mg_ceiling")
        data["series"] = {
            **data["series"],
            "count": c["series_count"],
            "spacing_min_days": c["spacing_min_days"],
            "spacing_max_days": c["spacing_max_days"],
        }
        data["products"] = [p for p in library.PRODUCTS if p["key"] in c["products"]]
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = TreatmentSettings
        fields = [
            "pk_model_id",
            "borrow_bsv",
            "threshold_ng_per_ml",
            "minimum_observation_min",
            "mg_ceiling",
        ]
        labels = {
            "pk_model_id": "Pharmacokinetic model for previews",
            "borrow_bsv": "Borrow Herd 2007's variability for a model without its own",
            "threshold_ng_per_ml": "Concentration for 'time above' (ng/mL)",
            "minimum_observation_min": "Minimum observation after an infusion (min)",
            "mg_ceiling": "Default mg ceiling (when a protocol sets none)",
        }
        help_texts = {
            "pk_model_id": MODEL_SOURCE,
            "borrow_bsv": BORROW_SOURCE,
            "threshold_ng_per_ml": THRESHOLD_SOURCE,
            "minimum_observation_min": OBSERVATION_SOURCE,
            "mg_ceiling": MG_CEILING_SOURCE,
        }

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}
