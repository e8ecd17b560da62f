"""The care team around a patient: clinic staff on the team, and the outside mental-health
professionals who do the therapeutic work (the patient's own, or one the clinic introduces).

An outside professional is a record whether or not they have an account; when they have one
(``user``) and the patient's sharing consent names them, they read the consented sections of
that patient through ``accounts.SharedAccess``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Specialty(models.TextChoices):
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety"
    TRAUMA = "trauma", "Trauma and PTSD"
    ADDICTION = "addiction", "Addiction"
    INTEGRATION = "integration", "Psychedelic or ketamine integration"
    COUPLES = "couples", "Couples and family"
    YOUTH = "youth", "Young adults"


class OutsideProfessional(models.Model):
    """A therapist, counsellor, psychologist or psychiatrist outside the clinic."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="outside_professionals"
    )
    name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=100, blank=True, help_text="For example LCSW, PhD.")
    licence_number = models.CharField(max_length=60, blank=True)
    licence_state = models.CharField(max_length=2, blank=True, help_text="Two-letter US state.")
    practice = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    address = models.TextField(blank=True)
    specialties = models.JSONField(default=list, blank=True)
    accepting_referrals = models.BooleanField(default=False)
    # In the clinic's directory of professionals it can introduce patients to.
    in_directory = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="professional_records",
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["clinic", "name"], name="professional_clinic_name")]

    def __str__(self) -> str:
        return f"Outside professional #{self.pk}"

    @property
    def display_name(self) -> str:
        """Name with credentials, as the directory shows it ("Ana Ruiz, LCSW")."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def specialty_labels(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [str(labels.get(s, s)) for s in self.specialties]


class TeamRole(models.TextChoices):
    PHYSICIAN_OF_RECORD = "physician_of_record", "Physician of record"
    NURSE = "nurse", "Nurse"
    COORDINATOR = "coordinator", "Coordinator"
    OUTSIDE_PROFESSIONAL = "outside_professional", "Outside mental-health professional"


class CareTeamMember(models.Model):
    """One person on one patient's care team, from ``joined_at`` until ``left_at``."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="care_team"
    )
    role = models.CharField(max_length=30, choices=TeamRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    professional = models.ForeignKey(
        OutsideProfessional, null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, professional__isnull=True)
                    | models.Q(user__isnull=True, professional__isnull=False)
                ),
                name="careteam_member_is_staff_or_professional",
            ),
            # Exactly one live physician of record: changing it ends the previous membership
            # (``left_at``) in the same transaction (careteam.actions.set_physician_of_record).
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(role="physician_of_record", left_at__isnull=True),
                name="careteam_one_live_physician_of_record",
            ),
            # Nobody is on one patient's team twice in the same role at once.
            models.UniqueConstraint(
                fields=["patient", "role", "user"],
                condition=models.Q(left_at__isnull=True, user__isnull=False),
                name="careteam_live_staff_once_per_role",
            ),
            models.UniqueConstraint(
                fields=["patient", "professional"],
                condition=models.Q(left_at__isnull=True, professional__isnull=False),
                name="careteam_live_professional_once",
            ),
        ]
        indexes = [models.Index(fields=["patient", "left_at"], name="careteam_member_live")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on patient #{self.patient_id}"

    @property
    def is_live(self) -> bool:
        return self.left_at is None

    @property
    def person_name(self) -> str:
        if self.professional_id is not None and self.professional is not None:
            return self.professional.display_name
        return str(self.user) if self.user is not None else ""


class ReferralStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONTACTED = "contacted", "Contacted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


OPEN_REFERRAL_STATUSES = frozenset({ReferralStatus.SUGGESTED, ReferralStatus.CONTACTED})
# The steps a referral may take from each status (accepted and declined are final).
REFERRAL_STEPS: dict[str, frozenset[str]] = {
    ReferralStatus.SUGGESTED: frozenset({ReferralStatus.CONTACTED, ReferralStatus.DECLINED}),
    ReferralStatus.CONTACTED: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED}),
    ReferralStatus.ACCEPTED: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
}


class Referral(models.Model):
    """The clinic introducing a patient to a professional from its directory."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="referrals"
    )
    professional = models.ForeignKey(
        OutsideProfessional, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SUGGESTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open referral of a patient to one professional at a time.
            models.UniqueConstraint(
                fields=["patient", "professional"],
                condition=models.Q(status__in=["suggested", "contacted"]),
                name="careteam_one_open_referral",
            )
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES


class ReferralEvent(models.Model):
    """Each step of a referral, appended (suggested, contacted, accepted, declined)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Referral #{self.referral_id} {self.status}"
