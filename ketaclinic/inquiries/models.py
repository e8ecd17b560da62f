"""Inquiries ("learn more" leads), their status history and the coordinators' contact log.

An inquiry is not a patient record. It is kept ready to be converted into one: the "became
patient" status stamps ``converted_at``, and ``converted_reference`` is left for the patients
app to fill with the new record's reference when that record exists.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models

MESSAGE_MAX_CHARS = 5000
NOTE_MAX_CHARS = 2000


class Status(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    CONSULT_BOOKED = "consult_booked", "Consult booked"
    BECAME_PATIENT = "became_patient", "Became patient"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    CLOSED = "closed", "Closed"


# Statuses that still need a coordinator's follow-up; only these can be overdue.
OPEN_STATUSES = frozenset({Status.NEW, Status.CONTACTED, Status.CONSULT_BOOKED})


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class PreferredTime(models.TextChoices):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"
    ANY = "any", "Any time"


class Condition(models.TextChoices):
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety"
    PTSD = "ptsd", "PTSD (post-traumatic stress)"
    ADDICTION = "addiction", "Addiction"
    OTHER = "other", "Other"


class Professional(models.TextChoices):
    YES = "yes", "Yes, I work with a mental-health professional"
    WANTS_INTRODUCTION = "wants_introduction", "No, and I would like an introduction"
    NOT_NOW = "not_now", "No, not at the moment"


class Channel(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    TEXT = "text", "Text"


class Outcome(models.TextChoices):
    REACHED = "reached", "Spoke with them / they replied"
    LEFT_MESSAGE = "left_message", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    SENT = "sent", "Sent, awaiting reply"
    WRONG_DETAILS = "wrong_details", "Wrong number or address"


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Digits only, with a North American leading country code 1 dropped (+1 555 … == 555 …)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


class Inquiry(models.Model):
    """One "learn more" submission from the public page, and where the clinic is with it."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(db_index=True)

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Normalised copies for search and duplicate detection.
    email_normalised = models.CharField(max_length=254, blank=True, db_index=True)
    phone_normalised = models.CharField(max_length=40, blank=True, db_index=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    preferred_time = models.CharField(
        max_length=10, choices=PreferredTime.choices, default=PreferredTime.ANY
    )
    conditions = models.JSONField(default=list, blank=True)
    other_condition = models.CharField(max_length=200, blank=True)
    professional = models.CharField(max_length=20, choices=Professional.choices, blank=True)
    professional_name = models.CharField(max_length=200, blank=True)
    professional_contact = models.CharField(max_length=200, blank=True)
    heard_about = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True, max_length=MESSAGE_MAX_CHARS)
    consent_to_contact = models.BooleanField()
    consent_wording = models.TextField(help_text="The consent sentence exactly as shown.")

    is_urgent = models.BooleanField(default=False, db_index=True)
    urgent_phrases = models.JSONField(default=list, blank=True)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_inquiries",
    )
    next_action_on = models.DateField(null=True, blank=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True)

    # Filled when the person becomes a patient (see the module docstring).
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_reference = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["clinic", "status"], name="inquiry_clinic_status")]

    def __str__(self) -> str:
        return f"Inquiry #{self.pk}"

    def condition_labels(self) -> list[str]:
        labels = dict(Condition.choices)
        return [str(labels.get(c, c)) for c in self.conditions]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class StatusChange(models.Model):
    """One status change; the first row (``from_status`` blank) is the submission itself."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX_CHARS)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ContactAttempt(models.Model):
    """A call, email or text to the person who inquired: when, by whom, how it went."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contacted_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX_CHARS)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["contacted_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.contacted_at:%Y-%m-%d %H:%M}"
