"""What is charted at the chair: readings, pump events, rule firings, adverse events, rescue
doses, recovery scores, and the signed note with its addenda.

Every entry keeps two times: ``clinical_at`` (when it happened, as charted) and
``entered_at`` (when it reached the server); an entry charted ``late_entry_min`` or more after
its clinical time is marked late. Entries are never edited or deleted: a wrong one is struck
through (``struck_at``, ``struck_by``, ``strike_reason``) and re-entered, the new row naming
the one it replaces. ``idempotency_key`` is unique per session and table, so a form posted
twice (a double tap, a retry after a dropped connection) stores one row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ketaclinic.infusions.models.session import InfusionSession


class Entry(models.Model):
    clinical_at = models.DateTimeField()
    entered_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64)
    struck_at = models.DateTimeField(null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    strike_reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["clinical_at", "id"]

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None


def _unique_key(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["session", "idempotency_key"], name=name)

    def __str__(self) -> str:
        return f"Entry #{self.pk}"


class Phase(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    INFUSION = "infusion", "Infusion"
    RECOVERY = "recovery", "Recovery"


class VitalsReading(Entry):
    """One set of vital signs (clinical reference §2.1). Blood pressure, heart rate, SpO2 and
    respiratory rate are required; temperature, MOAA/S (§2.6) and a dissociation score
    (CADSS-6 total, §6.7) are optional. ``symptoms`` lists symptom keys reported at the
    reading (chest pain, severe headache, ...), which the stop rules read."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="readings")
    phase = models.CharField(max_length=10, choices=Phase.choices)
    systolic_mmhg = models.PositiveSmallIntegerField()
    diastolic_mmhg = models.PositiveSmallIntegerField()
    heart_rate_bpm = models.PositiveSmallIntegerField()
    spo2_percent = models.PositiveSmallIntegerField()
    resp_rate_per_min = models.PositiveSmallIntegerField()
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    moaas = models.PositiveSmallIntegerField(null=True, blank=True)
    dissociation = models.PositiveSmallIntegerField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    on_oxygen = models.BooleanField(default=False)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Entry.Meta):
        constraints = [_unique_key("reading_session_key")]

    def __str__(self) -> str:
        return f"Vitals reading #{self.pk}"


class PumpKind(models.TextChoices):
    START = "start", "Started"
    RATE = "rate", "Rate changed"
    PAUSE = "pause", "Paused"
    RESUME = "resume", "Resumed"
    STOP = "stop", "Stopped"


class PumpEvent(Entry):
    """One pump event, in the pharmacology engine's terms (``pharmacology.chart.ChartEntry``):
    start and rate set ``rate_ml_per_h``; pause sets 0 until resume; stop ends the infusion.
    ``reason`` is required for every kind but start."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="pump")
    kind = models.CharField(max_length=8, choices=PumpKind.choices)
    rate_ml_per_h = models.FloatField(null=True, blank=True)
    reason = models.TextField(blank=True)
    firing = models.ForeignKey(
        "RuleFiring", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adverse_event = models.ForeignKey(
        "AdverseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Entry.Meta):
        constraints = [_unique_key("pump_session_key")]

    def __str__(self) -> str:
        return f"Pump event #{self.pk}"


class RuleFiring(models.Model):
    """A threshold rule that fired on a reading (or a reported symptom), with what the
    clinician did about it."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="firings")
    rule = models.ForeignKey(
        "infusions.ThresholdRule", on_delete=models.PROTECT, related_name="firings"
    )
    reading = models.ForeignKey(
        VitalsReading, null=True, blank=True, on_delete=models.PROTECT, related_name="firings"
    )
    rule_text = models.TextField()  # the rule as it read when it fired
    fired_at = models.DateTimeField(default=timezone.now)
    response = models.CharField(max_length=20, blank=True)  # paused, rate_lowered, stopped, ...
    response_note = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["fired_at", "id"]

    def __str__(self) -> str:
        return f"Rule firing #{self.pk}"


class EventKind(models.TextChoices):
    """Adverse events at the chair (clinical reference §4.1)."""

    DISSOCIATION = "dissociation", "Dissociation or derealization"
    EMERGENCE = "emergence", "Emergence reaction"
    NAUSEA = "nausea", "Nausea or vomiting"
    HYPERTENSION = "hypertension", "Hypertension"
    TACHYCARDIA = "tachycardia", "Tachycardia"
    HYPERSALIVATION = "hypersalivation", "Hypersalivation"
    RESPIRATORY = "respiratory", "Respiratory depression"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseEvent(Entry):
    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    description = models.TextField(blank=True)  # required for "other"
    severity = models.CharField(max_length=10, choices=Severity.choices)
    outcome = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reading = models.ForeignKey(
        VitalsReading, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Entry.Meta):
        constraints = [_unique_key("event_session_key")]

    def __str__(self) -> str:
        return f"Adverse event #{self.pk}"


class RescueDose(Entry):
    """A rescue drug given from the formulary, linked to the reading, rule firing or adverse
    event that triggered it; ``dose_warnings`` are the dose-range findings at the time and
    ``override_reason`` the physician's reason for giving it despite them."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="rescues")
    drug = models.ForeignKey("infusions.FormularyDrug", on_delete=models.PROTECT, related_name="+")
    dose_mg = models.FloatField()
    route = models.CharField(max_length=20)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adverse_event = models.ForeignKey(
        AdverseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="rescues"
    )
    reading = models.ForeignKey(
        VitalsReading, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    firing = models.ForeignKey(
        RuleFiring, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(blank=True)
    dose_warnings = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)

    class Meta(Entry.Meta):
        constraints = [_unique_key("rescue_session_key")]

    def __str__(self) -> str:
        return f"Rescue dose #{self.pk}"


class RecoveryAssessment(Entry):
    """Modified Aldrete (1995) and PADSS (Chung 1995) item scores at one time (§5.1, §5.2),
    with the totals computed by ``infusions.scores``."""

    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="assessments"
    )
    aldrete_items = models.JSONField(default=dict)
    aldrete_total = models.PositiveSmallIntegerField()
    padss_items = models.JSONField(default=dict)
    padss_total = models.PositiveSmallIntegerField()
    reading = models.ForeignKey(
        VitalsReading, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Entry.Meta):
        constraints = [_unique_key("assessment_session_key")]

    def __str__(self) -> str:
        return f"Recovery assessment #{self.pk}"


class SessionNote(models.Model):
    """The session note as signed: the generated content frozen with its SHA-256. Signing
    locks the session; corrections are addenda."""

    session = models.OneToOneField(InfusionSession, on_delete=models.PROTECT, related_name="note")
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Session note #{self.pk}"


class NoteAddendum(models.Model):
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Note addendum #{self.pk}"
