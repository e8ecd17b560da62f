"""Histories appended to a patient's record: measurements, allergies, medications, diagnoses,
psychiatric, medical and substance-use history, pregnancy.

Every row is a ``HistoryEntry``: who recorded it and when, where the information came from,
whether it is 42 CFR Part 2 (labelled at creation from the patient's ``sud_treatment``), and, if
it was wrong, who struck it through and why. Rows are never updated otherwise or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ketaclinic.patients.conditions import ConditionCode, TriState
from ketaclinic.patients.models.record import Patient

__all__ = ["ConditionCode", "TriState"]


class Source(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    INTAKE = "intake", "Patient's intake"
    INQUIRY = "inquiry", "From the inquiry"
    REFERRAL = "referral", "Referral letter or records"


class HistoryEntry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    part2 = models.BooleanField(default=False)
    struck_at = models.DateTimeField(null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    struck_reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{type(self)._meta.verbose_name} #{self.pk} of patient #{self.patient_id}"

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None


class MeasurementMethod(models.TextChoices):
    MEASURED = "measured", "Measured at the clinic"
    REPORTED = "reported", "Reported by the patient"


class BodyMeasurement(HistoryEntry):
    """Height and/or weight on a date. BMI, ideal and adjusted body weight are derived from the
    latest height and weight (``pharmacology.body_weight``; clinical reference section 1.3)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField()
    height_cm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    method = models.CharField(max_length=10, choices=MeasurementMethod.choices)

    class Meta(HistoryEntry.Meta):
        ordering = ["-measured_on", "-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(height_cm__isnull=False) | models.Q(weight_kg__isnull=False),
                name="measurement_has_a_value",
            )
        ]


class BloodPressureReading(HistoryEntry):
    """A resting blood pressure for screening (uncontrolled hypertension: section 3.1, 2.4)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="blood_pressures")
    measured_at = models.DateTimeField()
    systolic_mmhg = models.PositiveSmallIntegerField()
    diastolic_mmhg = models.PositiveSmallIntegerField()
    heart_rate_bpm = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=10, choices=MeasurementMethod.choices)

    class Meta(HistoryEntry.Meta):
        ordering = ["-measured_at", "-id"]


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    UNKNOWN = "unknown", "Not known"


class Allergy(HistoryEntry):
    """One allergy, or (``no_known_allergies``) the statement that the patient has none."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    no_known_allergies = models.BooleanField(default=False)
    substance = models.CharField(max_length=200, blank=True)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(
        max_length=10, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN
    )

    class Meta(HistoryEntry.Meta):
        verbose_name_plural = "allergies"


class MedicationFlag(models.TextChoices):
    """Drug classes that matter with ketamine (clinical reference section 3.1 and 3.3)."""

    NONE = "", "None of these"
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    MAOI = "maoi", "MAO inhibitor"
    STIMULANT = "stimulant", "Stimulant"
    OPIOID = "opioid", "Opioid"
    THEOPHYLLINE = "theophylline", "Theophylline or aminophylline"
    LAMOTRIGINE = "lamotrigine", "Lamotrigine"
    NALTREXONE = "naltrexone", "Naltrexone"
    OTHER_SEDATIVE = "other_sedative", "Other sedative"


class Medication(HistoryEntry):
    """A current (or, once stopped, past) medication. Stopping appends ``stopped_on``; the
    rest of the row is never changed."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(max_length=200)
    dose_text = models.CharField("dose and how often", max_length=200, blank=True)
    flag = models.CharField(max_length=20, choices=MedicationFlag.choices, blank=True)
    # Daily dose as lorazepam-equivalent mg, for benzodiazepines (trial exclusions above 2-3
    # mg/day: clinical reference section 3.1).
    lorazepam_equivalent_mg_per_day = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class Diagnosis(HistoryEntry):
    """A diagnosis with its ICD-10-CM code."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diagnoses")
    icd10_code = models.CharField("ICD-10-CM code", max_length=8)
    description = models.CharField(max_length=200)
    is_primary = models.BooleanField(default=False)
    diagnosed_on = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name_plural = "diagnoses"


class PsychiatricHistory(HistoryEntry):
    """Prior treatment, as of ``recorded_at``; the latest unstruck row is the current one."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="psychiatric_histories"
    )
    adequate_antidepressant_trials = models.PositiveSmallIntegerField()
    prior_ect = models.BooleanField("has had ECT", default=False)
    prior_tms = models.BooleanField("has had TMS", default=False)
    prior_esketamine = models.BooleanField("has had esketamine (Spravato)", default=False)
    prior_ketamine = models.BooleanField("has had ketamine treatment", default=False)
    notes = models.TextField(blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name_plural = "psychiatric histories"


class MedicalHistoryAnswer(HistoryEntry):
    """The answer to one ``ConditionCode`` question; the latest unstruck answer per code
    counts."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medical_answers")
    condition = models.CharField(max_length=40, choices=ConditionCode.choices)
    answer = models.CharField(max_length=10, choices=TriState.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta(HistoryEntry.Meta):
        indexes = [models.Index(fields=["patient", "condition"], name="medanswer_patient_cond")]


class SubstanceUsePattern(models.TextChoices):
    NEVER = "never", "Never"
    PAST = "past", "In the past"
    CURRENT = "current", "Now"


class SubstanceUse(HistoryEntry):
    """Use of one substance. Rows about substance use are the first a Part 2 label matters for."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="substance_uses")
    substance = models.CharField(max_length=60)
    pattern = models.CharField(max_length=10, choices=SubstanceUsePattern.choices)
    last_used_on = models.DateField(null=True, blank=True)
    in_treatment = models.BooleanField(default=False)
    notes = models.CharField(max_length=300, blank=True)


class ReproductiveStatus(HistoryEntry):
    """Pregnancy and breastfeeding, where applicable (clinical reference section 3.1)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="reproductive_statuses"
    )
    pregnant = models.CharField(max_length=10, choices=TriState.choices)
    breastfeeding = models.CharField(max_length=10, choices=TriState.choices)
    as_of = models.DateField()

    class Meta(HistoryEntry.Meta):
        ordering = ["-as_of", "-recorded_at", "-id"]
        verbose_name_plural = "reproductive statuses"
