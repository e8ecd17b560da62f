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


# --- outcomes: the clinic's choice of contested outcome definitions (measurement/outcomes.py) --


def _remission_choices(instrument_id: str) -> list[tuple[str, str]]:
    from ketaclinic.instruments import REMISSION_RULES

    return [
        (f"{r.comparison}{r.threshold}", f"{r.label} ({r.source})")
        for r in REMISSION_RULES[instrument_id]
    ]


class OutcomeSettings(models.Model):
    """A clinic's remission rule for the instruments whose remission is contested
    (clinical.md 6.10: MADRS [C], PCL-5 [S]). No row: the first rule of
    ``instruments.REMISSION_RULES`` (its source is shown beside it). Keys are the rule's
    comparison and threshold (``<10``), so reordering the rules never changes a choice."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="outcome_settings"
    )
    madrs_remission = models.CharField(
        "MADRS remission", max_length=8, default="<10", choices=_remission_choices("madrs")
    )
    pcl5_remission = models.CharField(
        "PCL-5 remission", max_length=8, default="<33", choices=_remission_choices("pcl5")
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Outcome settings of clinic #{self.clinic_id}"
