"""Eligibility: the clinic's choices for the contested rules, the latest screening of each
patient, and the physician's signed decisions.

* ``EligibilitySettings``: one row per clinic, made on the first change (a read of a clinic
  that never changed anything gets the defaults unsaved, so opening a page writes nothing).
  Each default names its source (clinical reference §2.4, §3.1).
* ``PatientScreening``: the latest result of ``screening.screen`` for a patient, rewritten on
  every record change (it is derived data; the decisions keep their own snapshots). The home
  page queues read it instead of screening every patient.
* ``EligibilityDecision``: appended, never edited; the newest one is the live decision. Only
  ``stale_at`` is set afterwards, once, when a record change alters the screening result.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from ketaclinic.eligibility.rules import RuleClass

# Defaults and their sources (clinical reference, shared/reference/clinical.md).
DEFAULT_CURRENT_PSYCHOSIS_CLASS = RuleClass.ABSOLUTE
DEFAULT_PAST_PSYCHOSIS_CLASS = RuleClass.RELATIVE
DEFAULT_SYSTOLIC_LIMIT_MMHG = 180  # Swiss Ketalar label, >180/100 at rest [E] (§2.4)
DEFAULT_DIASTOLIC_LIMIT_MMHG = 100
ALTERNATIVE_BP_LIMIT = "140/90 mmHg: Spravato label, consider deferring (secondary) [S] (§2.4)"
DEFAULT_BENZODIAZEPINE_LIMIT_MG = Decimal("3")  # PMC10812090 trial exclusion >3 mg/day [S]
ALTERNATIVE_BENZODIAZEPINE_LIMIT = "2 mg/day: the Dutch trial's exclusion [S] (§3.1)"


class EligibilitySettings(models.Model):
    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="eligibility_settings"
    )
    current_psychosis_class = models.CharField(
        "current psychosis or schizophrenia",
        max_length=10,
        choices=RuleClass.choices,
        default=DEFAULT_CURRENT_PSYCHOSIS_CLASS,
    )
    past_psychosis_class = models.CharField(
        "past psychosis or schizophrenia",
        max_length=10,
        choices=RuleClass.choices,
        default=DEFAULT_PAST_PSYCHOSIS_CLASS,
    )
    resting_systolic_limit_mmhg = models.PositiveSmallIntegerField(
        "resting systolic limit (mmHg)",
        default=DEFAULT_SYSTOLIC_LIMIT_MMHG,
        validators=[MinValueValidator(100), MaxValueValidator(220)],
    )
    resting_diastolic_limit_mmhg = models.PositiveSmallIntegerField(
        "resting diastolic limit (mmHg)",
        default=DEFAULT_DIASTOLIC_LIMIT_MMHG,
        validators=[MinValueValidator(60), MaxValueValidator(130)],
    )
    benzodiazepine_limit_lorazepam_mg_per_day = models.DecimalField(
        "benzodiazepine limit (mg/day lorazepam-equivalent)",
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_BENZODIAZEPINE_LIMIT_MG,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "eligibility settings"

    def __str__(self) -> str:
        return f"Eligibility settings of clinic #{self.clinic_id}"


class ScreeningStatus(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    PHYSICIAN_REVIEW = "physician_review", "Needs physician review"
    INCOMPLETE = "incomplete", "Incomplete"
    ELIGIBLE = "eligible", "Eligible"


class PatientScreening(models.Model):
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="screening"
    )
    status = models.CharField(max_length=20, choices=ScreeningStatus.choices)
    fingerprint = models.CharField(max_length=64)
    ruleset_version = models.CharField(max_length=20)
    result = models.JSONField(default=dict)
    screened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status"], name="screening_status")]

    def __str__(self) -> str:
        return f"Screening of patient #{self.patient_id}: {self.status}"


class Decision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    ELIGIBLE_WITH_CONDITIONS = "eligible_with_conditions", "Eligible with conditions"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class EligibilityDecision(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="eligibility_decisions"
    )
    decision = models.CharField(max_length=30, choices=Decision.choices)
    conditions = models.TextField(blank=True)
    reason = models.TextField()
    # What the physician saw when signing: the screening result, as ScreeningResult.as_json.
    screening_snapshot = models.JSONField(default=dict)
    screening_status = models.CharField(max_length=20, choices=ScreeningStatus.choices)
    fingerprint = models.CharField(max_length=64)
    ruleset_version = models.CharField(max_length=20)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    # Set once, when a record change altered the screening result after signing.
    stale_at = models.DateTimeField(null=True, blank=True)
    stale_fingerprint = models.CharField(max_length=64, blank=True)
    part2 = models.BooleanField(default=False)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-signed_at"], name="decision_patient_signed")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="eligibility_decision_has_reason"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="eligible_with_conditions") | ~models.Q(conditions=""),
                name="eligibility_conditions_stated",
            ),
        ]

    def __str__(self) -> str:
        return f"Eligibility decision #{self.pk} ({self.decision}) of patient #{self.patient_id}"

    @property
    def is_stale(self) -> bool:
        return self.stale_at is not None
