"""Reminders to the patient before a visit, by email and text message (``lib.messaging``).

A booking queues one task for its due time (the clinic's hours-before setting) inside the
transaction that makes or moves it, so the task row commits with the booking. The send is
idempotent: it first inserts a ``BookingReminder`` under a unique key (booking, kind, the start
time it announces), so a second run, a retry or the daily sweep finds the row and sends
nothing; a moved booking has a new start, so its new time is announced once too. A failed send
rolls the row back with it, so the task can be retried.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.audit.log import record
from ketaclinic.lib.messaging import send_email, send_sms
from ketaclinic.scheduling.models import (
    Booking,
    BookingReminder,
    BookingStatus,
    SchedulingSettings,
)

logger = logging.getLogger(__name__)
KIND = "upcoming"


def due_at(booking: Booking, chosen: SchedulingSettings) -> dt.datetime:
    return booking.starts_at - dt.timedelta(hours=chosen.reminder_hours_before)


def queue_reminder(booking: Booking, chosen: SchedulingSettings) -> None:
    """Queue the reminder task for its due time (at once when that is past). The immediate
    backend of the test settings cannot wait, so there the daily sweep or a direct call sends."""
    from ketaclinic.scheduling.tasks import send_booking_reminder

    if chosen.reminder_hours_before == 0:
        return
    backend = send_booking_reminder.get_backend()
    if not backend.supports_defer:
        return
    when = max(due_at(booking, chosen), timezone.now())
    send_booking_reminder.using(run_after=when).enqueue(booking.pk, booking.starts_at.isoformat())


def message_for(booking: Booking) -> tuple[str, str]:
    """Subject (no patient data: it shows in notifications) and body."""
    clinic = booking.patient.clinic
    local = booking.starts_at.astimezone(clinic_zone(clinic))
    call = f" To change it, call {clinic.phone}." if clinic.phone else ""
    body = (
        f"Reminder: your visit at {clinic.name} is on {local:%A %d %B} at {local:%H:%M}. "
        "Please arrange for an adult to take you home afterwards." + call
    )
    return "Your appointment reminder", body


def send_reminder(booking_id: int, for_starts_at: str) -> str:
    """Send the reminder for ``booking_id`` announcing ``for_starts_at`` once; says what it
    did ("sent", "already sent", "moved or cancelled", "no contact")."""
    booking = Booking.objects.select_related("patient__clinic").filter(pk=booking_id).first()
    if booking is None:
        return "no such booking"
    if (
        booking.status != BookingStatus.BOOKED
        or booking.starts_at != dt.datetime.fromisoformat(for_starts_at)
        or booking.starts_at <= timezone.now()
    ):
        return "moved or cancelled"
    patient = booking.patient
    channels = [
        c for c, there in (("email", patient.email), ("sms", patient.phone_mobile)) if there
    ]
    if not channels:
        return "no contact"
    subject, body = message_for(booking)
    try:
        with transaction.atomic():
            BookingReminder.objects.create(
                booking=booking, kind=KIND, for_starts_at=booking.starts_at, channels=channels
            )
            if "email" in channels:
                send_email(patient.email, subject, body)
            if "sms" in channels:
                send_sms(patient.phone_mobile, body)
            record(
                "scheduling.booking.reminder",
                clinic=patient.clinic,
                obj=booking,
                patient_ref=patient.pk,
                after={"channels": channels, "for_starts_at": for_starts_at},
            )
    except IntegrityError:
        return "already sent"
    return "sent"


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Send every reminder that is due and not yet sent (bookings in the next two days)."""
    from ketaclinic.scheduling.availability import settings_for

    moment = now or timezone.now()
    upcoming = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            starts_at__gt=moment,
            starts_at__lte=moment + dt.timedelta(days=2),
        )
        .select_related("patient__clinic")
        .order_by("starts_at")
    )
    sent = 0
    chosen_by_clinic: dict[int, SchedulingSettings] = {}
    for booking in upcoming:
        clinic = booking.patient.clinic
        chosen = chosen_by_clinic.setdefault(clinic.pk, settings_for(clinic))
        if chosen.reminder_hours_before == 0 or due_at(booking, chosen) > moment:
            continue
        if booking.reminders.filter(kind=KIND, for_starts_at=booking.starts_at).exists():
            continue
        if send_reminder(booking.pk, booking.starts_at.isoformat()) == "sent":
            sent += 1
    return sent
