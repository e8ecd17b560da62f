"""Per-clinic settings of the session: reading intervals, go/no-go limits, fasting, holds,
discharge thresholds, the threshold rules and the rescue formulary.

Every default names its source in the clinical reference (``shared/reference/clinical.md``);
none is labelled for psychiatric ketamine (the reference's overarching fact: IV ketamine for
depression is off-label, so every threshold is the clinic's to set). The settings page shows
each default's source beside the field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

INTERVAL_SOURCE = (
    "Every 10 min during infusion, every 15 min afterwards: Riva-Posse et al., J Affect Disord "
    "2018 (clinical reference §2.1) [S]"
)
GO_NO_GO_SOURCE = (
    "Resting BP > 180/100 mmHg: uncontrolled hypertension, Swiss Ketalar label (§2.4) [E]; "
    "no SpO2 or heart-rate limit was found in the sources (§2.4 gap)"
)
FASTING_SOURCE = (
    "6 h solids, 2 h clear liquids: ASA fasting guideline 2017/2023 and clinic examples (§2.5); "
    "contested for sub-anaesthetic infusions [C]"
)
HOLD_SOURCE = (
    "Benzodiazepine held 24 h before infusion (Grunebaum 2018) [S]; last alcohol 24 h or more "
    "before (Dakwar 2020, AUD protocol) [S] (§3.3)"
)
DISCHARGE_SOURCE = (
    "Modified Aldrete (1995) ≥ 9 and PADSS (Chung 1995) ≥ 9 with a responsible adult escort "
    "(§5.1, §5.2) [E]"
)
LATE_ENTRY_SOURCE = "A design choice (no clinical source) [D]"


class InfusionSettings(models.Model):
    """One clinic's session settings. A missing row means every default below."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="infusion_settings"
    )
    vitals_interval_infusing_min = models.PositiveSmallIntegerField(default=10)
    vitals_interval_recovery_min = models.PositiveSmallIntegerField(default=15)
    # An entry made this many minutes after its clinical time is marked late.
    late_entry_min = models.PositiveSmallIntegerField(default=10)
    max_systolic_mmhg = models.PositiveSmallIntegerField(default=180)
    max_diastolic_mmhg = models.PositiveSmallIntegerField(default=100)
    min_spo2_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    max_heart_rate_bpm = models.PositiveSmallIntegerField(null=True, blank=True)
    fasting_solids_h = models.PositiveSmallIntegerField(default=6)
    fasting_clear_liquids_h = models.PositiveSmallIntegerField(default=2)
    benzodiazepine_hold_h = models.PositiveSmallIntegerField(default=24)
    alcohol_hold_h = models.PositiveSmallIntegerField(default=24)
    aldrete_min = models.PositiveSmallIntegerField(default=9)
    padss_min = models.PositiveSmallIntegerField(default=9)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Optimistic concurrency: the settings form carries the version it was drawn from.
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Infusion settings of clinic #{self.clinic_id}"


class Measure(models.TextChoices):
    SYSTOLIC = "systolic", "Systolic BP (mmHg)"
    DIASTOLIC = "diastolic", "Diastolic BP (mmHg)"
    HEART_RATE = "heart_rate", "Heart rate (bpm)"
    SPO2 = "spo2", "SpO2 (%)"
    RESP_RATE = "resp_rate", "Respiratory rate (/min)"
    TEMPERATURE = "temperature", "Temperature (°C)"
    MOAAS = "moaas", "MOAA/S sedation (0-5)"
    DISSOCIATION = "dissociation", "Dissociation (CADSS-6, 0-24)"
    SYMPTOM = "symptom", "Symptom reported"


class RuleAction(models.TextChoices):
    ALERT = "alert", "Alert"
    PAUSE = "pause", "Pause the infusion"
    STOP = "stop", "Stop the infusion"


class Comparison(models.TextChoices):
    AT_LEAST = "ge", "≥"
    AT_MOST = "le", "≤"
    RISE_MMHG = "rise", "rise over baseline ≥ (units)"
    RISE_PERCENT = "rise_pct", "rise over baseline ≥ (%)"
    PRESENT = "present", "reported"


class ThresholdRule(models.Model):
    """One of the clinic's rules, kept as data: ``measure comparison value`` on
    ``consecutive`` readings in a row, or ``symptom`` reported whatever the numbers.
    Rules are never deleted: a retired rule is inactive and firings keep pointing at it."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    action = models.CharField(max_length=8, choices=RuleAction.choices)
    measure = models.CharField(max_length=16, choices=Measure.choices)
    comparison = models.CharField(max_length=8, choices=Comparison.choices)
    value = models.FloatField(null=True, blank=True)
    symptom = models.CharField(max_length=40, blank=True)
    consecutive = models.PositiveSmallIntegerField(default=1)
    source = models.TextField()
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class FormularyDrug(models.Model):
    """A rescue drug the clinic keeps, with its dose limits (clinical reference §4.2).

    ``usual_dose_mg`` is offered first; ``max_single_dose_mg``, ``max_mg_per_kg`` and
    ``max_total_mg`` bound a dose; ``min_interval_min`` spaces repeats; patients aged
    ``reduced_from_age`` or over get ``reduced_max_single_dose_mg`` (none set: every dose at
    that age needs a physician's reason); the checks are ``infusions.dosecheck``. ``schedule``
    is the DEA schedule ("IV" for the benzodiazepines) or blank; a scheduled drug also flows
    into the controlled-substance ledger.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    route = models.CharField(max_length=20, default="IV")
    indication = models.CharField(max_length=200)
    usual_dose_mg = models.FloatField(null=True, blank=True)
    # A weight-based usual dose (midazolam 0.03 mg/kg, §4.2): offered as mg/kg x weight.
    usual_mg_per_kg = models.FloatField(null=True, blank=True)
    max_single_dose_mg = models.FloatField(null=True, blank=True)
    max_mg_per_kg = models.FloatField(null=True, blank=True)
    max_total_mg = models.FloatField(null=True, blank=True)
    min_interval_min = models.PositiveSmallIntegerField(null=True, blank=True)
    reduced_from_age = models.PositiveSmallIntegerField(null=True, blank=True)
    reduced_max_single_dose_mg = models.FloatField(null=True, blank=True)
    # A second dose in one session needs a physician's reason (ondansetron's label dose is 4 mg).
    repeat_needs_override = models.BooleanField(default=False)
    schedule = models.CharField(max_length=4, blank=True)
    cautions = models.TextField(blank=True)
    source = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "key"], name="formulary_clinic_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.route}"
