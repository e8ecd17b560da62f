"""Forms of the care-team pages. Values are checked at the field (phone, state, email) and
again by the actions, which are the rules; a refusal from an action is shown at its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.careteam.models import OutsideProfessional, ReferralStatus, Specialty, TeamRole
from ketaclinic.careteam.validation import (
    PHONE_MESSAGE,
    STATE_MESSAGE,
    display_phone,
    normalise_phone,
    normalise_state,
)
from ketaclinic.clinics.models import Clinic


class ProfessionalForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    credentials = forms.CharField(
        label="Credentials", max_length=100, required=False, help_text="For example LCSW, PhD."
    )
    licence_number = forms.CharField(label="Licence number", max_length=60, required=False)
    licence_state = forms.CharField(
        label="Licence state",
        max_length=2,
        required=False,
        help_text="The two-letter code of the US state that issued the licence, like MI.",
        error_messages={"max_length": STATE_MESSAGE},
    )
    practice = forms.CharField(label="Practice", max_length=200, required=False)
    email = forms.EmailField(label="Email", required=False)
    phone = forms.CharField(
        label="Phone", max_length=30, required=False, help_text="With the area code."
    )
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea({"rows": 3}))
    specialties = forms.MultipleChoiceField(
        label="Specialties",
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accepting_referrals = forms.BooleanField(label="Accepting referrals", required=False)
    in_directory = forms.BooleanField(
        label="In the clinic's directory",
        required=False,
        help_text="Professionals the clinic can introduce patients to.",
    )

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(PHONE_MESSAGE) from exc

    def clean_licence_state(self) -> str:
        return normalise_state(self.cleaned_data["licence_state"])

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    @classmethod
    def initial_for(cls, professional: OutsideProfessional) -> dict[str, Any]:
        initial = {name: getattr(professional, name) for name in cls.base_fields}
        initial["phone"] = display_phone(professional.phone)
        return initial


BOOL_FILTERS = ("accepting", "in_directory", "archived")


class ProfessionalFilterForm(forms.Form):
    q = forms.CharField(label="Name or practice", required=False, max_length=100)
    specialty = forms.ChoiceField(
        label="Specialty", required=False, choices=[("", "Any")] + list(Specialty.choices)
    )
    accepting = forms.BooleanField(label="Accepting referrals", required=False)
    in_directory = forms.BooleanField(label="In the directory", required=False)
    archived = forms.BooleanField(label="Archived ones instead", required=False)


class _PeopleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


def clinic_people(clinic: Clinic, role: str) -> Any:
    """Active people of ``clinic`` with ``role``, by name."""
    ids = Membership.objects.filter(
        clinic=clinic, role=role, is_active=True, user__is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")


class PhysicianForm(forms.Form):
    user = _PeopleChoice(label="Physician of record", queryset=User.objects.none())

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = clinic_people(clinic, Role.PHYSICIAN)  # type: ignore[attr-defined]


class StaffMemberForm(forms.Form):
    role = forms.ChoiceField(
        label="Role on the team",
        choices=[(TeamRole.NURSE, TeamRole.NURSE.label), (TeamRole.COORDINATOR, "Coordinator")],
        widget=forms.RadioSelect,
    )
    user = _PeopleChoice(label="Person", queryset=User.objects.none())

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = Membership.objects.filter(
            clinic=clinic,
            role__in=[Role.NURSE, Role.COORDINATOR],
            is_active=True,
            user__is_active=True,
        ).values("user_id")
        self.fields["user"].queryset = User.objects.filter(pk__in=ids).order_by(  # type: ignore[attr-defined]
            "full_name", "email"
        )
        self.fields["user"].help_text = "A nurse joins as nurse, a coordinator as coordinator."


class _ProfessionalChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ProfessionalMemberForm(forms.Form):
    professional = _ProfessionalChoice(
        label="Outside professional", queryset=OutsideProfessional.objects.none()
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = OutsideProfessional.objects.filter(  # type: ignore[attr-defined]
            clinic=clinic, archived_at__isnull=True
        )


class EndMembershipForm(forms.Form):
    reason = forms.CharField(label="Why they leave the team", required=False, max_length=500)


class SuggestForm(forms.Form):
    professional = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea({"rows": 2}), max_length=2000
    )


STEP_CHOICES = [
    (ReferralStatus.CONTACTED, "Contacted"),
    (ReferralStatus.ACCEPTED, "Accepted: joins the care team"),
    (ReferralStatus.DECLINED, "Declined"),
]


class ReferralStepForm(forms.Form):
    status = forms.ChoiceField(label="Step", choices=STEP_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea({"rows": 2}), max_length=2000
    )
