"""Questionnaire responses, the safety alerts they raise, and the sends that ask for them.

A ``Response`` keeps the item-level answers exactly as given (in item order, ``None`` for an
item left unanswered or unasked), the instrument id and version it was scored with, the score
the pure core (``ketaclinic.instruments``) computed at the time, who entered it and through
which channel. Responses are never edited: a wrong one is struck through with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    STAFF = "staff", "Entered by staff for the patient"
    CLINICIAN = "clinician", "Rated by a clinician"
    SELF_REPORT = "self_report", "Self-report by secure link"
    IN_CLINIC = "in_clinic", "Self-report on a clinic tablet"


class Response(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="responses"
    )
    instrument_id = models.CharField(max_length=30)
    instrument_version = models.CharField(max_length=20)
    answers = models.JSONField()  # list, item order; None where unanswered
    total = models.IntegerField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    risk_level = models.CharField(max_length=10, blank=True)
    provisional_diagnosis = models.BooleanField(null=True, blank=True)
    administered_at = models.DateTimeField(help_text="When the patient answered (clinical time).")
    entered_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    part2 = models.BooleanField(default=False)
    struck_at = models.DateTimeField(null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    struck_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument_id", "administered_at"],
                name="response_patient_instr_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} response #{self.pk}"
