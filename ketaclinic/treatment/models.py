"""Protocols (per clinic, versioned), treatment plans (versioned, signed) and the clinic's
treatment settings.

Nothing here is overwritten: a protocol change is a new ``ProtocolVersion``, a plan change a
new ``PlanVersion`` with its reason and the diff from the last one. A plan version keeps the
protocol version it was made from. Signing stamps a version once (who, when).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from ketaclinic.pharmacology.library import DEFAULT_MODEL_ID, MODELS

# Per-clinic defaults and their sources (shown on the settings page).
DEFAULT_THRESHOLD_NG_PER_ML = 100.0
THRESHOLD_SOURCE = (
    "100 ng/mL: the lower end of the 100-250 ng/mL range measured after 0.5 mg/kg over 40 min "
    "(Krystal 1994, pharmacokinetics.md section 0) [S]; a clinic choice, no target exists"
)
DEFAULT_OBSERVATION_MIN = 60
OBSERVATION_SOURCE = (
    "60 min: the upper end of the 30-60 min recovery after a 40-50 min infusion in clinic "
    "practice (ketamine-infusion.com, clinical.md 5.3) [S]; esketamine's REMS requires 2 h [E]"
)
MG_CEILING_SOURCE = "No published mg cap for psychiatric IV ketamine (clinical.md 1.3): off"
MODEL_SOURCE = "Domino 1984 is the default adult model (pharmacokinetics.md section 0)"
BORROW_SOURCE = (
    "Domino 1984 has no published between-subject variability; Herd 2007's CVs (54 children) "
    "can be applied to it for the band (pharmacokinetics.md section 0), labelled as borrowed"
)
MODEL_CHOICES = [(m.model_id, m.title) for m in MODELS.values() if not m.special_population]


class TreatmentSettings(models.Model):
    """A clinic's choices for plan previews and chair time; a row only once changed."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="treatment_settings"
    )
    pk_model_id = models.CharField(max_length=40, choices=MODEL_CHOICES, default=DEFAULT_MODEL_ID)
    borrow_bsv = models.BooleanField(default=True)
    threshold_ng_per_ml = models.FloatField(
        default=DEFAULT_THRESHOLD_NG_PER_ML,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    minimum_observation_min = models.PositiveSmallIntegerField(
        default=DEFAULT_OBSERVATION_MIN, validators=[MinValueValidator(0), MaxValueValidator(480)]
    )
    mg_ceiling = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Treatment settings of clinic {self.clinic_id}"


class Protocol(models.Model):
    """A clinic's copy of a built-in protocol; its content lives in its versions."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    builtin_id = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    indication = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ProtocolVersion(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    change_note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="protocol_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.protocol.title} v{self.number}"


class TreatmentPlan(models.Model):
    """A patient's plan; what it says is its newest version (``latest``)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Treatment plan #{self.pk}"

    @cached_property
    def latest(self) -> PlanVersion:
        return self.versions.select_related("protocol_version__protocol").order_by("-number")[0]

    # What the scheduling app books the series from.
    @property
    def series_count(self) -> int:
        return self.latest.series_count

    @property
    def spacing_min_days(self) -> int:
        return self.latest.spacing_min_days

    @property
    def spacing_max_days(self) -> int:
        return self.latest.spacing_max_days

    @property
    def infusion_minutes(self) -> float:
        return float(self.latest.computed["infusion_min"])


class Basis(models.TextChoices):
    ACTUAL = "actual", "Actual body weight"
    IDEAL = "ideal", "Ideal body weight (Devine)"
    ADJUSTED = "adjusted", "Adjusted body weight (IBW + 0.4 x excess)"


class PlanVersion(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    protocol_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, related_name="+"
    )
    indication = models.CharField(max_length=200)
    dose_mg_per_kg = models.FloatField()
    weight_measurement = models.ForeignKey(
        "patients.BodyMeasurement", on_delete=models.PROTECT, related_name="+"
    )
    weight_kg = models.FloatField()
    weight_measured_on = models.DateField()
    height_cm = models.FloatField(null=True, blank=True)
    weight_basis = models.CharField(max_length=10, choices=Basis.choices)
    weight_used_kg = models.FloatField()
    dose_mg = models.FloatField()
    product_key = models.CharField(max_length=40)
    computed = models.JSONField()  # the preview summary: steps, rates, arithmetic, peaks
    series_count = models.PositiveSmallIntegerField()
    spacing_min_days = models.PositiveSmallIntegerField()
    spacing_max_days = models.PositiveSmallIntegerField()
    goals = models.TextField(blank=True)
    goal_phq9_remission = models.BooleanField(default=False)
    reason = models.TextField()
    diff = models.JSONField(default=dict)
    is_escalation = models.BooleanField(default=False)
    ceiling_override_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"Plan #{self.plan_id} version {self.number}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def compared(self) -> dict[str, Any]:
        """The values a diff compares (what a reader means by "the plan")."""
        return {
            "protocol": f"{self.protocol_version.protocol.title} v{self.protocol_version.number}",
            "dose_mg_per_kg": self.dose_mg_per_kg,
            "weight_kg": self.weight_kg,
            "weight_measured_on": self.weight_measured_on.isoformat(),
            "weight_basis": self.weight_basis,
            "weight_used_kg": round(self.weight_used_kg, 2),
            "dose_mg": round(self.dose_mg, 2),
            "product": self.product_key,
            "rate_ml_per_h": self.computed.get("rate_ml_per_h"),
            "series_count": self.series_count,
            "spacing_days": f"{self.spacing_min_days}-{self.spacing_max_days}",
            "goals": self.goals,
            "goal_phq9_remission": self.goal_phq9_remission,
        }
