"""Consent templates (versioned per clinic), the consents patients sign, and their history.

A template is never edited: a change is a new version (``version`` + 1) and the old ones stay,
so every signed consent points at the exact text the patient read. A consent moves
draft -> signed -> revoked | expired | superseded; each step appends a ``ConsentEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    OFF_LABEL = "off_label_treatment", "Informed consent to off-label IV ketamine"
    SHARE = "share_with_professional", "Consent to share with an outside professional"
    PART2 = "part2_disclosure", "42 CFR Part 2 consent to disclose"
    AGREEMENT = "treatment_agreement", "Treatment agreement"


SHARING_KINDS = frozenset({Kind.SHARE.value, Kind.PART2.value})


class ConsentTemplate(models.Model):
    """One published version of one kind of consent text at one clinic (Markdown body)."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="consent_templates"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    change_note = models.TextField(blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "kind", "version"], name="consent_template_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft (not signed)"
    SIGNED = "signed", "Signed"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"


class Consent(models.Model):
    """One patient's consent on one template version.

    Sharing and Part 2 consents name a professional, the sections shared (``patients.sections``),
    a purpose and an expiry (a date, or an event staff record when it happens); off-label
    consents name the indications. ``expires_at`` is the first moment the consent no longer
    holds (the start of the day after ``expires_on``, in the clinic's time zone), and is also
    the end of the sharing grant it creates.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consents"
    )
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)

    professional = models.ForeignKey(
        "careteam.OutsideProfessional",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    sections = models.JSONField(default=list, blank=True)
    purpose = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    indications = models.JSONField(default=list, blank=True)

    typed_name = models.CharField(max_length=210, blank=True)
    signature_png = models.BinaryField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=300, blank=True)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf_name = models.CharField(max_length=120, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    # Set when a material change (a new indication) asks the patient to consent again.
    reconsent_reason = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grant = models.ForeignKey(
        "accounts.SharedAccess", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"], name="consent_patient_status")]

    def __str__(self) -> str:
        return f"Consent #{self.pk} ({self.status})"

    @property
    def kind(self) -> str:
        return self.template.kind

    def current_status(self, at: object = None) -> str:
        """The status as of now: a signed consent past ``expires_at`` is expired at once, even
        before the daily task records it."""
        now = at or timezone.now()
        if (
            self.status == Status.SIGNED and self.expires_at is not None and self.expires_at <= now  # type: ignore[operator]
        ):
            return Status.EXPIRED.value
        return str(self.status)

    def current_status_label(self) -> str:
        return str(Status(self.current_status()).label)

    @property
    def is_live(self) -> bool:
        return self.current_status() == Status.SIGNED


class EventKind(models.TextChoices):
    CREATED = "created", "Prepared"
    SIGNED = "signed", "Signed"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"
    RECONSENT = "reconsent", "Re-consent asked for"
    SHARED = "shared", "Sharing started"
    UNSHARED = "unshared", "Sharing ended"


class ConsentEvent(models.Model):
    """One step in a consent's life, appended and never changed."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Consent #{self.consent_id} {self.kind}"
