"""Who the patient is: identity, contact, the people around them, and open safety flags."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Not known or not given"


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non-binary", "Non-binary"
    OTHER = "other", "Another identity"
    UNDISCLOSED = "undisclosed", "Prefers not to say"


class PatientStatus(models.TextChoices):
    INTAKE_PENDING = "intake_pending", "Intake pending"
    SCREENING = "screening", "Screening"
    ACTIVE = "active", "In treatment"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    INACTIVE = "inactive", "No longer in treatment"


class Patient(models.Model):
    """One person treated (or being assessed) at one clinic.

    The medical record number is unique within the clinic. Demographic fields change in place,
    each change an audited action with before and after; clinical histories live in
    ``history`` rows and are only ever appended.
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("medical record number", max_length=20)
    legal_given_name = models.CharField("legal first name", max_length=100)
    legal_family_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=20, choices=GenderIdentity.choices, blank=True)
    gender_identity_other = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)

    email = models.EmailField(blank=True)
    # Phone numbers are stored in E.164 (+14155550123), validated with ``phonenumbers``.
    phone_mobile = models.CharField(max_length=20, blank=True)
    phone_other = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=60, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)

    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    escort_name = models.CharField(
        max_length=200, blank=True, help_text="Who takes the patient home after an infusion."
    )
    escort_relationship = models.CharField(max_length=100, blank=True)
    escort_phone = models.CharField(max_length=20, blank=True)

    status = models.CharField(
        max_length=20, choices=PatientStatus.choices, default=PatientStatus.INTAKE_PENDING
    )
    # The clinic treats this patient for a substance use disorder: everything recorded while
    # that holds is labelled 42 CFR Part 2 at creation (clinical reference section 8.3).
    sud_treatment = models.BooleanField(
        "treated here for a substance use disorder (42 CFR Part 2)", default=False
    )
    # From the inquiry (or the front desk): the patient's own mental-health professional as
    # they named them, or their wish to be introduced to one (the care team app makes the
    # professional a record of its own once staff have checked who it is).
    professional_note = models.CharField(
        "their mental-health professional, as given", max_length=400, blank=True
    )
    wants_professional_introduction = models.BooleanField(
        "would like an introduction to a mental-health professional", default=False
    )
    inquiry = models.OneToOneField(
        "inquiries.Inquiry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every change to the row: a form carries it, and a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["legal_family_name", "legal_given_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_in_clinic")
        ]
        indexes = [
            models.Index(fields=["clinic", "legal_family_name"], name="patient_clinic_family"),
            models.Index(fields=["clinic", "date_of_birth"], name="patient_clinic_dob"),
            models.Index(fields=["clinic", "status"], name="patient_clinic_status"),
        ]

    def __str__(self) -> str:
        return f"Patient {self.mrn}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_given_name} {self.legal_family_name}".strip()

    @property
    def display_name(self) -> str:
        """Preferred first name with the legal last name, as staff address the patient."""
        given = self.preferred_name or self.legal_given_name
        return f"{given} {self.legal_family_name}".strip()

    def age_on(self, day: Any) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ChartSettings(models.Model):
    """Per-clinic settings of the chart that are a clinical choice, not a fact.

    ``treatment_resistant_min_trials``: a patient with at least this many adequate
    antidepressant trials is flagged treatment-resistant. Default 2: the commonly used
    definition (failure of two or more adequate trials); it is NOT in the clinical reference,
    so the chart says so and the clinic may change it. A clinic without a row uses the defaults.
    """

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.CASCADE, related_name="chart_settings"
    )
    treatment_resistant_min_trials = models.PositiveSmallIntegerField(default=2)

    def __str__(self) -> str:
        return f"Chart settings of clinic #{self.clinic_id}"


class SafetyFlag(models.Model):
    """Something about the patient's safety staff must see on every screen until resolved.

    Raised by hand, from an inquiry's urgent wording, or (the measurement issue) from a
    questionnaire answer; resolving records who acted and what they did.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="safety_flags")
    kind = models.CharField(max_length=40)
    detail = models.TextField()
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_taken = models.TextField(blank=True)
    part2 = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"Safety flag #{self.pk} ({self.kind})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
