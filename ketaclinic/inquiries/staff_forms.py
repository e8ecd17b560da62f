"""Forms of the coordinators' lead pipeline: list filters, status, contact log, follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from ketaclinic.accounts.models import User
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import policies
from ketaclinic.inquiries.models import NOTE_MAX_CHARS, Channel, Inquiry, Outcome, Status
from ketaclinic.inquiries.queries import SORTS

# A contact logged a few minutes "in the future" is clock skew, not a mistake worth refusing.
FUTURE_SLACK = dt.timedelta(minutes=5)


class FilterForm(forms.Form):
    """The list's filters. Invalid values are reported and ignored."""

    q = forms.CharField(label="Search name, email or phone", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )
    urgent = forms.ChoiceField(
        label="Urgent",
        required=False,
        choices=[("", "Urgent or not"), ("yes", "Urgent only"), ("no", "Not urgent")],
    )
    owner = forms.ChoiceField(label="Owner", required=False)
    mine = forms.BooleanField(label="Assigned to me", required=False)
    due_today = forms.BooleanField(label="Follow-up due today", required=False)
    overdue = forms.BooleanField(label="Overdue follow-ups only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("", "Most urgent first"),
            *((key, label) for key, (label, _) in SORTS.items()),
            *((f"-{key}", f"{label}, reversed") for key, (label, _) in SORTS.items()),
        ],
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = [(str(u.pk), str(u)) for u in policies.staff_of(clinic)]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", "Anyone"), ("none", "Nobody yet"), *owners]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Status.choices)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inquiry = inquiry
        # The control shows where the inquiry is now, so submitting it untouched is a no-op
        # (the view says so) rather than a move back to the first choice.
        self.fields["status"].initial = inquiry.status

    def is_unchanged(self) -> bool:
        return str(self.cleaned_data["status"]) == self.inquiry.status


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label="How", choices=Channel.choices)
    contacted_at = forms.DateTimeField(
        label="When",
        help_text="In the clinic's time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    mark_contacted = forms.BooleanField(
        label="Also move this inquiry to Contacted",
        required=False,
        initial=True,
        help_text="It is still New; logging the first contact usually means it was contacted.",
    )

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        # Its own ids: the status form on the same page also has a "note".
        kwargs.setdefault("auto_id", "id_contact_%s")
        super().__init__(*args, **kwargs)
        if inquiry.status != Status.NEW:
            del self.fields["mark_contacted"]

    def clean_contacted_at(self) -> dt.datetime:
        when: dt.datetime = self.cleaned_data["contacted_at"]
        if when > timezone.now() + FUTURE_SLACK:
            raise forms.ValidationError("That time is in the future.")
        return when


class FollowUpForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="Nobody"
    )
    next_action_on = forms.DateField(
        label="Next action on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = policies.staff_of(clinic)  # type: ignore[attr-defined]
