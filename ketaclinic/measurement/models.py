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
    # The send it answers (self-report by secure link); None for staff entry.
    questionnaire_request = models.ForeignKey(
        "QuestionnaireRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
    )

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

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None


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


class AnswerMode(models.TextChoices):
    WHOLE = "whole", "All the questions of a questionnaire on one page"
    ONE = "one", "One question at a time"


class RequestStatus(models.TextChoices):
    SENT = "sent", "Sent, not started"
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Answers sent"
    WITHDRAWN = "withdrawn", "Withdrawn"


class QuestionnaireRequest(models.Model):
    """A send of one or more self-report instruments to a patient, answered through a link.

    ``progress`` holds the answers saved so far, server-side, per instrument (a list in item
    order, ``None`` where not answered yet), so the patient can leave and come back; the
    final submit turns each instrument's answers into one :class:`Response`.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_requests"
    )
    instruments = models.JSONField()  # instrument ids, in the order asked
    link = models.ForeignKey(
        "securelinks.SecureLink",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    mode = models.CharField(max_length=8, choices=AnswerMode.choices, default=AnswerMode.WHOLE)
    progress = models.JSONField(default=dict, blank=True)
    # Set the moment a saved answer calls for crisis resources (PHQ-9 item 9, C-SSRS): every
    # later page of this request shows them at the top.
    crisis_shown_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Questionnaire request #{self.pk}"


class SafetyAlert(models.Model):
    """A response that signals danger (PHQ-9 item 9 of 1 or more; C-SSRS moderate or high
    risk: issue 9, clinical.md 6.1 and 6.4). Open until a physician or nurse acknowledges it
    and records what they did; escalated to the on-call physician when that takes longer than
    the clinic's ``safety_escalation_minutes``."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    # The stored response; empty while the answer that opened the alert is saved on a
    # questionnaire link but not sent yet (the submit attaches the response).
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="safety_alerts"
    )
    questionnaire_request = models.ForeignKey(
        QuestionnaireRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_alerts",
    )
    reason = models.TextField()
    flag = models.ForeignKey(
        "patients.SafetyFlag", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_taken = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.JSONField(default=list, blank=True)  # email addresses
    care_team_notified = models.JSONField(default=list, blank=True)
    outside_notified = models.JSONField(default=list, blank=True)
    part2 = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "acknowledged_at"], name="safetyalert_clinic_open"),
            models.Index(fields=["patient", "acknowledged_at"], name="safetyalert_patient_open"),
        ]

    def __str__(self) -> str:
        return f"Safety alert #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


#: The escalation delay's default: a product decision [D], not a clinical source; each clinic
#: sets its own (MeasurementSettings.safety_escalation_minutes).
DEFAULT_ESCALATION_MINUTES = 30


class MeasurementSettings(models.Model):
    """A clinic's choices for questionnaires and safety alerts."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="measurement_settings"
    )
    safety_escalation_minutes = models.PositiveIntegerField(
        default=DEFAULT_ESCALATION_MINUTES,
        help_text="Minutes an open safety alert waits for a clinician before the on-call "
        "physician is emailed.",
    )
    on_call_physician = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Measurement settings of {self.clinic}"
