"""Forms of the scheduling screens. Times are typed in the clinic's zone (the access
middleware activates it); the actions get aware datetimes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import STAFF_ROLES, Membership
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.scheduling.actions.setup import SETTINGS_FIELDS
from ketaclinic.scheduling.models import Chair, SchedulingSettings, Weekday

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


class ChairChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PatientChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.mrn})"


def bookable_patients(clinic: Clinic) -> QuerySet[Patient]:
    return (
        Patient.objects.filter(clinic=clinic)
        .exclude(status__in=[PatientStatus.NOT_ELIGIBLE, PatientStatus.INACTIVE])
        .order_by("legal_family_name", "legal_given_name", "id")
    )


def active_chairs(clinic: Clinic) -> QuerySet[Chair]:
    return Chair.objects.filter(clinic=clinic, is_active=True)


class BookingForm(forms.Form):
    patient = PatientChoice(queryset=Patient.objects.none())
    chair = ChairChoice(queryset=Chair.objects.none())
    day = forms.DateField(widget=DATE)
    time = forms.TimeField(widget=TIME, help_text="Clinic time, 24-hour (for example 09:30).")
    infusion_minutes = forms.IntegerField(min_value=5, max_value=240)
    recovery_minutes = forms.IntegerField(min_value=0, max_value=480)

    def __init__(self, clinic: Clinic, chosen: SchedulingSettings, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["patient"].queryset = bookable_patients(clinic)  # type: ignore[attr-defined]
        self.fields["chair"].queryset = active_chairs(clinic)  # type: ignore[attr-defined]
        self.fields["infusion_minutes"].initial = chosen.default_infusion_minutes
        self.fields["recovery_minutes"].initial = chosen.min_observation_minutes
        self.fields["recovery_minutes"].help_text = (
            f"At least the clinic's minimum observation, {chosen.min_observation_minutes} "
            "minutes (a clinic setting; its source is on the scheduling settings page)."
        )

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["day"], data["time"], clinic_zone(self.clinic))


class MoveForm(forms.Form):
    chair = ChairChoice(queryset=Chair.objects.none())
    day = forms.DateField(widget=DATE)
    time = forms.TimeField(widget=TIME, help_text="Clinic time, 24-hour.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["chair"].queryset = active_chairs(clinic)  # type: ignore[attr-defined]

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["day"], data["time"], clinic_zone(self.clinic))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ChairForm(forms.Form):
    name = forms.CharField(max_length=60)
    is_active = forms.BooleanField(label="Takes bookings", required=False, initial=True)


class HoursForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int)
    opens_at = forms.TimeField(label="Opens", widget=TIME)
    closes_at = forms.TimeField(label="Closes", widget=TIME)


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label="First day", widget=DATE)
    ends_on = forms.DateField(label="Last day", widget=DATE)
    chair = ChairChoice(
        queryset=Chair.objects.none(), required=False, empty_label="The whole clinic"
    )
    reason = forms.CharField(max_length=200)

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = Chair.objects.filter(clinic=clinic)  # type: ignore[attr-defined]


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.get_role_display()})"


class DutyForm(forms.Form):
    day = forms.DateField(widget=DATE)
    membership = MemberChoice(queryset=Membership.objects.none(), label="Staff member")
    note = forms.CharField(max_length=100, required=False)

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(
                clinic=clinic, is_active=True, role__in=[r.value for r in STAFF_ROLES]
            )
            .select_related("user")
            .order_by("user__full_name", "id")
        )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SchedulingSettings
        fields = list(SETTINGS_FIELDS)

    def changes(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in self.changed_data}
