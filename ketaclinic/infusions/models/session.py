"""The session, its state changes, its pre-infusion checks and physicians' overrides.

A session belongs to one booking (one visit in a chair) and follows ``infusions.states``.
``version`` is the optimistic-concurrency counter: every change of the session row
increments it, and a form carries the version it was drawn from, so a stale form is refused
with a clear message instead of overwriting someone else's change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ketaclinic.infusions import states


class InfusionSession(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="infusion_sessions"
    )
    booking = models.OneToOneField(
        "scheduling.Booking", on_delete=models.PROTECT, related_name="infusion_session"
    )
    # The signed plan version the session gives (pinned when the session is opened).
    plan_version = models.ForeignKey(
        "treatment.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=16, choices=states.CHOICES, default=states.SCHEDULED)
    version = models.PositiveIntegerField(default=1)

    # Preparation (clinical reference §1.8, §1.9): what hangs on the pump.
    drug_name = models.CharField(max_length=80, blank=True)
    vial_lot = models.CharField(max_length=40, blank=True)
    vial_expiry = models.DateField(null=True, blank=True)
    container_drug_mg = models.FloatField(null=True, blank=True)
    container_volume_ml = models.FloatField(null=True, blank=True)
    ordered_dose_mg = models.FloatField(null=True, blank=True)
    ordered_duration_min = models.FloatField(null=True, blank=True)
    ordered_rate_ml_per_h = models.FloatField(null=True, blank=True)
    rate_arithmetic = models.JSONField(default=list, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Phase times (clinical), set by the transitions.
    checked_in_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    infusion_ended_at = models.DateTimeField(null=True, blank=True)
    recovery_started_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)

    # Discharge (clinical reference §5.3).
    escort_name = models.CharField(max_length=120, blank=True)
    escort_relationship = models.CharField(max_length=60, blank=True)
    escort_phone = models.CharField(max_length=20, blank=True)
    discharge_override_reason = models.TextField(blank=True)
    discharge_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instructions_sent_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "state"], name="session_clinic_state"),
            models.Index(fields=["patient", "created_at"], name="session_patient_created"),
        ]

    def __str__(self) -> str:
        return f"Infusion session #{self.pk} ({self.state})"

    @property
    def state_label(self) -> str:
        return states.LABELS.get(self.state, self.state)

    @property
    def concentration_mg_per_ml(self) -> float | None:
        if not self.container_drug_mg or not self.container_volume_ml:
            return None
        return self.container_drug_mg / self.container_volume_ml


class SessionTransition(models.Model):
    """One state change, appended, never edited."""

    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="transitions"
    )
    name = models.CharField(max_length=20)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Session transition #{self.pk}"


class CheckItem(models.TextChoices):
    """The pre-infusion checklist (clinical reference §3.3)."""

    IDENTITY = "identity", "Identity confirmed"
    CONSENTS = "consents", "Consents live"
    ELIGIBILITY = "eligibility", "Eligibility rescreened"
    MEDICATIONS = "medications", "Medication changes, benzodiazepine and alcohol"
    PREGNANCY = "pregnancy", "Pregnancy"
    FASTING = "fasting", "Fasting times"
    VITALS = "vitals", "Baseline vitals within limits"
    QUESTIONNAIRES = "questionnaires", "Pre-session questionnaires, no open safety alert"
    ESCORT = "escort", "Escort confirmed"
    EQUIPMENT = "equipment", "Emergency equipment checked"


class CheckResult(models.TextChoices):
    PASS = "pass", "Passed"
    FAIL = "fail", "Failed"
    NOT_APPLICABLE = "na", "Not applicable"


class PreCheck(models.Model):
    """One recorded answer to a checklist item. Appended: the newest row per item counts,
    earlier ones stay as the history."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="checks")
    item = models.CharField(max_length=16, choices=CheckItem.choices)
    result = models.CharField(max_length=4, choices=CheckResult.choices)
    detail = models.JSONField(default=dict, blank=True)  # what was entered or found
    summary = models.TextField(blank=True)  # one line for the note
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["session", "item"], name="precheck_session_item")]

    def __str__(self) -> str:
        return f"Pre check #{self.pk}"


class CheckOverride(models.Model):
    """A physician's decision to go on despite a failed check (or unmet discharge
    criteria), with the reason; it shows in the note."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="overrides")
    item = models.CharField(max_length=16)  # a CheckItem value, or "discharge"
    precheck = models.ForeignKey(
        PreCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Check override #{self.pk}"
