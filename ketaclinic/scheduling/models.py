"""Chairs, opening hours, closures, staff on duty, bookings and their history.

Defaults and their sources (clinical reference ``shared/reference/clinical.md``), each a
per-clinic setting because the sources are single-source [S] or design [D]:

* infusion 40 minutes: 0.5 mg/kg over 40 minutes, the standard depression protocol (§1.1, §1.4)
  [E]; the chair is held for infusion plus recovery (§9.1 [D]);
* minimum observation (recovery) 60 minutes: "30–60 min recovery after a 40–50 min infusion",
  ketamine-infusion.com (§5.3, §9.1) [S]; the upper end is the default, a clinic may shorten it;
* late-cancellation notice 24 hours and the fees: no clinical or regulatory source (§9.4 [D],
  "configurable late-cancel window and fee"); fees are only noted on the event, never billed;
* reminder 24 hours before: a design choice (§9.4 [D] has no source either).

How a double booking is refused is in ``migrations/0002_no_overlap.py`` (the database itself).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

DEFAULT_INFUSION_MINUTES = 40
INFUSION_SOURCE = "0.5 mg/kg over 40 minutes (clinical reference §1.1, §1.4) [E]"
DEFAULT_OBSERVATION_MINUTES = 60
OBSERVATION_SOURCE = (
    "30–60 min recovery after a 40–50 min infusion, ketamine-infusion.com (clinical reference "
    "§5.3, §9.1) [S]; the upper end"
)
DEFAULT_LATE_CANCEL_HOURS = 24
LATE_CANCEL_SOURCE = (
    "No clinical or regulatory source (clinical reference §9.4 [D]); 24 h is common, some "
    "clinics use 48 h"
)
DEFAULT_REMINDER_HOURS = 24
REMINDER_SOURCE = "A design choice (clinical reference §9.4 [D]); no source"
FEE_SOURCE = "No source (clinical reference §9.4 [D]): the clinic's own policy; noted, not billed"
# Each setting's default and where it comes from, shown beside the setting.
SOURCES = {
    "default_infusion_minutes": (DEFAULT_INFUSION_MINUTES, INFUSION_SOURCE),
    "min_observation_minutes": (DEFAULT_OBSERVATION_MINUTES, OBSERVATION_SOURCE),
    "late_cancel_notice_hours": (DEFAULT_LATE_CANCEL_HOURS, LATE_CANCEL_SOURCE),
    "late_cancel_fee": (0, FEE_SOURCE),
    "no_show_fee": (0, FEE_SOURCE),
    "reminder_hours_before": (DEFAULT_REMINDER_HOURS, REMINDER_SOURCE),
}


class SchedulingSettings(models.Model):
    """One row per clinic, made on the first change; a clinic without one gets the defaults
    unsaved (opening a page writes nothing)."""

    clinic = models.OneToOneField(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="scheduling_settings"
    )
    default_infusion_minutes = models.PositiveSmallIntegerField(
        "infusion time (minutes)",
        default=DEFAULT_INFUSION_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    min_observation_minutes = models.PositiveSmallIntegerField(
        "minimum observation after the infusion (minutes)",
        default=DEFAULT_OBSERVATION_MINUTES,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    late_cancel_notice_hours = models.PositiveSmallIntegerField(
        "late-cancellation notice (hours)",
        default=DEFAULT_LATE_CANCEL_HOURS,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
    )
    late_cancel_fee = models.DecimalField(
        "late-cancellation fee (noted, not billed)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    no_show_fee = models.DecimalField(
        "no-show fee (noted, not billed)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        "reminder (hours before the visit; 0: none)",
        default=DEFAULT_REMINDER_HOURS,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "scheduling settings"

    def __str__(self) -> str:
        return f"Scheduling settings of clinic #{self.clinic_id}"


class Chair(models.Model):
    """One infusion bay."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=60)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="chair_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """One opening interval on a weekday (a day may have several: a lunch break), clinic time."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at", "id"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Closure(models.Model):
    """Days the clinic (``chair`` empty) or one chair takes no bookings, both ends included.
    Withdrawn, not deleted, when it was a mistake."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="closures")
    chair = models.ForeignKey(
        Chair, null=True, blank=True, on_delete=models.PROTECT, related_name="closures"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="closure_ends_after_start",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="closure_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Closure {self.starts_on}–{self.ends_on}: {self.reason}"

    def covers(self, day: dt.date, chair_id: int | None) -> bool:
        return (
            self.withdrawn_at is None
            and self.starts_on <= day <= self.ends_on
            and (self.chair_id is None or self.chair_id == chair_id)
        )


class DutyAssignment(models.Model):
    """A staff member on duty at the clinic on a day."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="duty_days"
    )
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["day", "membership__role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "membership"], name="duty_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"Duty of membership #{self.membership_id} on {self.day}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    COMPLETED = "completed", "Completed"


class Booking(models.Model):
    """A chair reserved for one patient from ``starts_at`` to ``ends_at`` (infusion plus
    recovery). Only ``booked`` rows hold the chair and the patient; the database refuses two
    that overlap (migration 0002). Never deleted: cancelling, a no-show or completing changes
    the status, and every change appends a ``BookingEvent``."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="bookings"
    )
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    infusion_minutes = models.PositiveSmallIntegerField()
    recovery_minutes = models.PositiveSmallIntegerField()
    # starts_at + infusion + recovery, kept in a column so the database can compare ranges.
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    cancelled_late = models.BooleanField(default=False)
    series_key = models.CharField(max_length=32, blank=True)  # shared by one series' bookings
    series_position = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["chair", "starts_at"], name="booking_chair_start"),
            models.Index(fields=["patient", "starts_at"], name="booking_patient_start"),
            models.Index(fields=["clinic", "starts_at"], name="booking_clinic_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking #{self.pk} ({self.status})"

    def save(self, *args: object, **kwargs: object) -> None:
        # The reserved end always follows the minutes, whoever saves the row.
        self.ends_at = self.starts_at + dt.timedelta(minutes=self.minutes)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "ends_at"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def minutes(self) -> int:
        return int(self.infusion_minutes) + int(self.recovery_minutes)


class EventKind(models.TextChoices):
    BOOKED = "booked", "Booked"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    NO_SHOW = "no_show", "No-show"
    COMPLETED = "completed", "Completed"


class BookingEvent(models.Model):
    """One change of a booking, appended, never edited."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    from_starts_at = models.DateTimeField(null=True, blank=True)
    to_starts_at = models.DateTimeField(null=True, blank=True)
    from_chair = models.ForeignKey(
        Chair, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_chair = models.ForeignKey(
        Chair, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The clinic's fee for a late cancellation or a no-show at the time: noted, not billed.
    fee_noted = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of booking #{self.booking_id}"


class BookingReminder(models.Model):
    """A reminder sent for one booking at one start time: the unique key makes the task
    idempotent (a second run, or a retry, finds the row and sends nothing)."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=20, default="upcoming")
    for_starts_at = models.DateTimeField()
    channels = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "for_starts_at"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.kind} of booking #{self.booking_id}"
