"""Forms of the clinic admin's staff pages. The checks here say early what the actions in
``actions/staff.py`` would refuse; the actions check again (under row locks), and a refusal
that only the action sees is shown at the same field by ``show_refusal``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketaclinic.accounts.actions.staff import LAST_ADMIN, invite_refusal
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic


def show_refusal(form: forms.Form, error: ValidationError) -> None:
    """Put an action's refusal at the field it names (else at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class InviteForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="The invitation goes here; it is also the address they sign in with.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="What each role can do is listed on this page.",
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        self.clinic = clinic
        super().__init__(*args, **kwargs)

    def clean_full_name(self) -> str:
        name = str(self.cleaned_data["full_name"]).strip()
        if not name:
            raise ValidationError("Enter the person's name.")
        return name

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        refusal = invite_refusal(self.clinic, email)
        if refusal:
            raise ValidationError(refusal)
        return email


class MembershipForm(forms.Form):
    """The role and whether it is on, for one person in this clinic."""

    role = forms.ChoiceField(label="Role", choices=Role.choices)
    is_active = forms.BooleanField(
        label="Role is on in this clinic",
        required=False,
        help_text=(
            "Turn it off to stop their access here; their account, their history and any "
            "other clinic's role stay. Their sessions in this clinic end with a change."
        ),
    )

    def __init__(self, *args: Any, membership: Membership, acting: Membership, **kw: Any) -> None:
        self.membership = membership
        self.acting = acting
        kw.setdefault("initial", {"role": membership.role, "is_active": membership.is_active})
        super().__init__(*args, **kw)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role is None:
            return data
        demotes_self = self.membership.user_id == self.acting.user_id and (
            role != Role.CLINIC_ADMIN or not data.get("is_active")
        )
        if demotes_self:
            others = Membership.objects.filter(
                clinic_id=self.membership.clinic_id,
                role=Role.CLINIC_ADMIN,
                is_active=True,
                user__is_active=True,
            ).exclude(pk=self.membership.pk)
            if not others.exists():
                self.add_error("role", LAST_ADMIN)
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label="Search by name or email", max_length=200, required=False)
