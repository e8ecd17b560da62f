"""The public "learn more" form."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.actions import Submission
from ketaclinic.inquiries.models import (
    MESSAGE_MAX_CHARS,
    Condition,
    ContactMethod,
    PreferredTime,
    Professional,
)

PHONE_CHARS = re.compile(r"^\+?[0-9()\-. ]+$")
NEED_CONTACT = "Please give an email address or a phone number (or both) so we can reply."
NEED_METHOD = "Please choose how we should contact you: in writing, by a call or by a text."
HONEYPOT = "website"
# Worded without "email", "phone" or "message" so that each of those words labels one input.
CONTACT_CHOICES = [
    (ContactMethod.EMAIL.value, "Write to me"),
    (ContactMethod.PHONE.value, "Call me"),
    (ContactMethod.TEXT.value, "Send me a text"),
]


def validate_phone(value: str) -> None:
    digits = re.sub(r"\D", "", value)
    if not PHONE_CHARS.match(value) or not 7 <= len(digits) <= 15:
        raise forms.ValidationError(
            "Enter a phone number of 7 to 15 digits; spaces and + ( ) - . are fine, "
            "e.g. (555) 010-0100.",
            code="invalid_phone",
        )


def consent_wording(clinic: Clinic) -> str:
    return (
        f"I agree to be contacted by {clinic.name} about this inquiry, by the contact details "
        "and method I gave."
    )


class InquiryForm(forms.Form):
    """What a visitor sends: only what we need to call back is required, the rest is optional.

    The required part (name, email or phone, how to contact, consent) comes first, in one group
    on the page; ``field_order`` keeps the error summary in the order the page shows the fields.
    """

    field_order = [
        "name", "email", "phone", "preferred_contact", "preferred_time", "consent",
        "conditions", "other_condition",
        "professional", "professional_name", "professional_contact",
        "message", "heard_about",
        "website",
    ]  # fmt: skip

    name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Please tell us your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=40,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=CONTACT_CHOICES,
        error_messages={"required": NEED_METHOD},
        widget=forms.RadioSelect,
    )
    preferred_time = forms.ChoiceField(
        label="When is a good time?",
        required=False,
        choices=PreferredTime.choices,
        initial=PreferredTime.ANY,
        widget=forms.RadioSelect,
    )
    conditions = forms.MultipleChoiceField(
        label="What would you like help with?",
        help_text="Tick any that apply. You do not need to give details here.",
        required=False,
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    other_condition = forms.CharField(
        label="If other, what?",
        required=False,
        max_length=200,
    )
    professional = forms.ChoiceField(
        label="Do you already work with a therapist or other mental-health professional?",
        help_text=(
            "Treatment here pairs our physician, who gives the infusion, with a mental-health "
            "professional who guides the therapeutic work."
        ),
        required=False,
        choices=Professional.choices,
        widget=forms.RadioSelect,
    )
    professional_name = forms.CharField(
        label="Their name (optional)", required=False, max_length=200
    )
    professional_contact = forms.CharField(
        label="How to reach them (optional)", required=False, max_length=200
    )
    heard_about = forms.CharField(
        label="How did you hear about us?", required=False, max_length=200
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=MESSAGE_MAX_CHARS,
        help_text=(
            f"Questions or anything you would like us to know (up to {MESSAGE_MAX_CHARS:,} "
            "characters)."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    consent = forms.BooleanField(
        label="I agree to be contacted",  # replaced with the clinic's wording in __init__
        error_messages={"required": "Please tick this box so that we may contact you."},
    )
    # Honeypot: hidden from people by a CSS class; bots that fill every field reveal themselves.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["consent"].label = consent_wording(clinic)

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"]).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if Condition.OTHER in data.get("conditions", []) and not data.get("other_condition"):
            self.add_error("other_condition", "You ticked Other: please say what it is.")
        if "email" not in self.errors and "phone" not in self.errors:
            email, phone = data.get("email"), data.get("phone")
            if not email and not phone:
                self.add_error("email", NEED_CONTACT)
                self.add_error("phone", NEED_CONTACT)
            else:
                method = data.get("preferred_contact")
                if method == ContactMethod.EMAIL and not email:
                    self.add_error("email", "You chose email: please add your email address.")
                if method in (ContactMethod.PHONE, ContactMethod.TEXT) and not phone:
                    self.add_error("phone", "You chose phone or text: please add your number.")
        return data

    @property
    def is_spam(self) -> bool:
        """True if the hidden honeypot field was filled (call after ``is_valid``)."""
        return bool(self.data.get(HONEYPOT, "").strip())

    def to_submission(self) -> Submission:
        data = self.cleaned_data
        return Submission(
            name=data["name"],
            email=data.get("email", ""),
            phone=data.get("phone", "").strip(),
            preferred_contact=data.get("preferred_contact", ""),
            preferred_time=data.get("preferred_time") or PreferredTime.ANY,
            conditions=list(data.get("conditions", [])),
            other_condition=data.get("other_condition", "").strip(),
            professional=data.get("professional", ""),
            professional_name=data.get("professional_name", "").strip(),
            professional_contact=data.get("professional_contact", "").strip(),
            heard_about=data.get("heard_about", "").strip(),
            message=data.get("message", ""),
            consent_wording=consent_wording(self.clinic),
        )
