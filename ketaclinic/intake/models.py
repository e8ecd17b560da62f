"""A patient's intake answers while they are being given, step by step.

Answers are saved here on every "Next" (so a dropped connection loses nothing and the link can
be reopened to carry on), and reach the patient's record only on the final submit, through
``patients.actions`` (``intake.apply.apply_intake``). One open submission per patient: a new
link (a resend) carries on the same answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IntakeSubmission(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="intake_submissions"
    )
    # Step key -> that step's cleaned answers, as JSON (see intake.steps).
    answers = models.JSONField(default=dict, blank=True)
    # Step key -> how many times its saved content changed (a re-post of the same is not one).
    revisions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Who saved the last step: None for the patient (through the link), else a staff member.
    last_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The staff member who submitted it on the patient's behalf (None: the patient did).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(submitted_at__isnull=True),
                name="intake_one_open_submission_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"Intake #{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
