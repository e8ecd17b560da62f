"""A single-use, expiring link that lets a patient do one thing without an account.

The raw token is given out once, when the link is made, and only its SHA-256 hash is kept: a
copy of the database opens no patient's intake. A link is "used up" by the final submit of
what it is for; opening it and saving steps before that is allowed until it expires, so a
patient can leave and come back.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Purpose(models.TextChoices):
    INTAKE = "intake", "Intake"
    QUESTIONNAIRE = "questionnaire", "Questionnaire"


class Refusal(models.TextChoices):
    """Why a token opens nothing (what the audit entry and the calm page say)."""

    UNKNOWN = "unknown", "Unknown or mistyped link"
    EXPIRED = "expired", "Expired"
    USED = "used", "Already used"
    REVOKED = "revoked", "Replaced or withdrawn"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class SecureLink(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="secure_links"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # What the link is for (an intake submission, a questionnaire request).
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    # How it was sent: ["email", "sms"] (empty: not sent yet, or handed over another way).
    sent_via = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    used_up_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="securelink_target"),
            models.Index(fields=["patient", "purpose"], name="securelink_patient_purpose"),
        ]

    def __str__(self) -> str:
        return f"Secure link #{self.pk} ({self.purpose})"

    def refusal(self, now: dt.datetime | None = None) -> str:
        """Why the link opens nothing now ("" if it may be used)."""
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return Refusal.REVOKED
        if self.used_up_at is not None:
            return Refusal.USED
        if self.expires_at <= moment:
            return Refusal.EXPIRED
        return ""

    @property
    def is_live(self) -> bool:
        return self.refusal() == ""
