"""Forms: an instrument's items as radio groups (one fieldset per item, the error at the item),
sending, striking, acknowledging, and the clinic's measurement settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.instruments import Instrument, Item
from ketaclinic.instruments.suicide import ASKED_IF_Q2_YES
from ketaclinic.measurement.models import AnswerMode, MeasurementSettings

CHANNEL_CHOICES = [("email", "Email"), ("sms", "Text message")]


def item_label(item: Item) -> str:
    text = item.text or item.label
    return f"{item.number}. {text[0].upper()}{text[1:]}"


def _skippable(instrument: Instrument, item: Item) -> bool:
    # C-SSRS screener questions 3-5 are asked only when question 2 is yes (the scorer checks).
    return instrument.id == "cssrs-screener" and item.number in ASKED_IF_Q2_YES


def item_field(
    instrument: Instrument, item: Item, *, staff: bool, required: bool = True
) -> forms.ChoiceField:
    choices = [
        (
            str(o.value),
            f"{o.value} \u2014 {o.label}" if staff and o.label != str(o.value) else o.label,
        )
        for o in item.options
    ]
    needed = required and not item.optional and not _skippable(instrument, item)
    hint = "Optional." if item.optional else ""
    if _skippable(instrument, item):
        hint = "Only if question 2 is yes; otherwise leave it unanswered."
    return forms.ChoiceField(
        label=item_label(item),
        choices=choices,
        widget=forms.RadioSelect,
        required=needed,
        help_text=hint,
        error_messages={
            "required": f"Item {item.number}: choose an answer.",
            "invalid_choice": f"Item {item.number}: choose one of the answers shown.",
        },
    )


def typed(item: Item, text: str | None) -> Any:
    """The option value of a submitted choice ("" or None: unanswered)."""
    if text in (None, ""):
        return None
    for option in item.options:
        if str(option.value) == text:
            return option.value
    return text


class InstrumentForm(forms.Form):
    """Every item of ``instrument`` (or only ``numbers``), named ``item_<number>``."""

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        staff: bool,
        numbers: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.staff = staff
        for item in instrument.items:
            if numbers is None or item.number in numbers:
                self.fields[f"item_{item.number}"] = item_field(instrument, item, staff=staff)

    @property
    def items(self) -> list[tuple[Item, forms.BoundField]]:
        return [
            (item, self[f"item_{item.number}"])
            for item in self.instrument.items
            if f"item_{item.number}" in self.fields
        ]

    def answers(self) -> dict[int, Any]:
        return {
            item.number: typed(item, self.cleaned_data.get(f"item_{item.number}"))
            for item, _field in self.items
        }


class StaffEntryForm(InstrumentForm):
    administered_at = forms.DateTimeField(
        label="When the patient answered",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Clinic time.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, staff=True, **kwargs)
        self.order_fields(["administered_at"])
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.fields["administered_at"].initial = now

    def clean_administered_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["administered_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("This is in the future.")
        return value


class ModeForm(forms.Form):
    mode = forms.ChoiceField(
        label="How would you like to answer?",
        choices=AnswerMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to answer."},
    )


class SendForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire."},
        help_text="Only self-report questionnaires; clinician-rated scales are entered by a "
        "physician or nurse.",
    )
    via = forms.MultipleChoiceField(
        label="Send by",
        choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose email, text message or both."},
    )
    message = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=600,
        help_text="The link and the date it works until are added after your message.",
    )

    def __init__(
        self, *args: Any, patient: Any, instruments: list[Instrument], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instruments"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.id, i.name) for i in instruments]
        choices = []
        if patient.email:
            choices.append(("email", f"Email to {patient.email}"))
        if patient.phone_mobile:
            choices.append(("sms", f"Text message to {patient.phone_mobile}"))
        via = self.fields["via"]
        assert isinstance(via, forms.MultipleChoiceField)
        via.choices = choices


class StrikeForm(forms.Form):
    reason = forms.CharField(
        label="Why strike it through",
        max_length=500,
        error_messages={"required": "Say why this response is wrong."},
    )


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Who contacted the patient, when, what was agreed (for example a safety "
        "plan, a same-day visit, emergency services).",
        error_messages={"required": "Say what was done."},
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MeasurementSettings
        fields = ["safety_escalation_minutes", "on_call_physician"]
        labels = {
            "safety_escalation_minutes": "Escalate an unacknowledged safety alert after (minutes)",
            "on_call_physician": "On-call physician",
        }
        help_texts = {
            "safety_escalation_minutes": "Default 30: a product decision [D], not a clinical "
            "source. Choose what your clinic can answer for.",
            "on_call_physician": "Emailed when an alert waits too long; without one, every "
            "physician of the clinic is.",
        }

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["on_call_physician"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Membership.objects.filter(
            clinic=clinic, role=Role.PHYSICIAN, is_active=True, user__is_active=True
        ).select_related("user", "clinic")
        field.label_from_instance = _physician_name  # type: ignore[assignment,method-assign]
        minutes = self.fields["safety_escalation_minutes"]
        minutes.validators.append(_between(1, 24 * 60))


def _between(low: int, high: int) -> Any:
    def check(value: int) -> None:
        if not low <= value <= high:
            raise forms.ValidationError(f"Between {low} and {high} minutes.")

    return check


def _physician_name(membership: Membership) -> str:
    return str(membership.user.full_name or membership.user.email)


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    """A patient's questionnaire schedule (``schedules.FIELDS`` but ``active``, paused on its
    own button, and ``infusion_times``, which the infusion booking adds)."""

    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire."},
        help_text="Only self-report questionnaires.",
    )
    via = forms.MultipleChoiceField(
        label="Send by",
        choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose email, text message or both."},
    )
    start_on = forms.DateField(label="Start on", widget=_DATE)
    end_on = forms.DateField(label="End on", required=False, widget=_DATE, help_text="Optional.")
    send_time = forms.TimeField(
        label="Send at",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        help_text="Clinic time.",
        error_messages={"invalid": "Enter a time such as 09:30."},
    )
    weekly = forms.BooleanField(label="Weekly, between visits", required=False)
    weekly_weekday = forms.TypedChoiceField(
        label="Weekly on", choices=WEEKDAY_CHOICES, coerce=int, initial=0
    )
    monthly = forms.BooleanField(label="Monthly, in maintenance", required=False)
    monthly_day = forms.IntegerField(
        label="Monthly on day", min_value=1, max_value=28, help_text="1 to 28."
    )
    before_infusion = forms.BooleanField(label="Before each infusion", required=False)
    before_infusion_hours = forms.IntegerField(
        label="Hours before the infusion", min_value=1, max_value=168
    )
    day_after_infusion = forms.BooleanField(label="The day after each infusion", required=False)
    end_of_induction = forms.BooleanField(
        label="At the end of the induction series", required=False
    )
    induction_end_on = forms.DateField(
        label="Induction series ends on",
        required=False,
        widget=_DATE,
        help_text="Weekly sends run up to it, monthly ones after it.",
    )
    reminder_max = forms.IntegerField(label="Reminders", min_value=0, max_value=5)
    reminder_every_hours = forms.IntegerField(
        label="Hours between reminders", min_value=1, max_value=168
    )

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instruments"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.id, i.name) for i in instruments]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end_of_induction") and not data.get("induction_end_on"):
            self.add_error("induction_end_on", "Give the date the induction series ends.")
        return data
