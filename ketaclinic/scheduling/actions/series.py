"""Booking a whole induction series at once.

Clinical reference §1.4 [E]: about 6 infusions over 2–3 weeks, 2–3 a week (twice weekly as
effective as thrice weekly, Singh 2016); §9.1 [D]: a linked set with a minimum spacing (for
example at least 48 h when twice weekly). The caller (the treatment plan) passes the count and
the spacing from its protocol; nothing is assumed here.

The search: session by session, the earliest day within the spacing window after the previous
one (the first on or after ``first_day``), and on that day the first slot in this order: the
chair and time of the first session, another chair at that time (the patient keeps their
routine; the chair matters less), the same chair at another time, another chair at any time.
If a later session finds no day in its window, the search backs up and moves the earlier one
(depth-first, so the result is the earliest series that fits). The whole series is then
written in one transaction: all of it or none.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.patients.models import Patient
from ketaclinic.scheduling import hooks, overlap, policies
from ketaclinic.scheduling.actions.bookings import NOT_BOOKABLE
from ketaclinic.scheduling.availability import Calendar, settings_for
from ketaclinic.scheduling.models import Booking, BookingEvent, Chair, EventKind
from ketaclinic.scheduling.reminders import queue_reminder

Slot = tuple[Chair, dt.datetime]


def _candidates(
    cal: Calendar,
    day: dt.date,
    chairs: Sequence[Chair],
    minutes: dt.timedelta,
    earliest: dt.time | None,
    anchor: Slot | None,
) -> list[Slot]:
    starts = cal.starts_on(day, earliest)
    anchor_time = anchor[1].astimezone(cal.zone).time() if anchor else None
    home = anchor[0] if anchor else chairs[0]
    others = [c for c in chairs if c.pk != home.pk]

    def same_time(t: dt.datetime) -> bool:
        return anchor_time is not None and t.time() == anchor_time

    ordered = [
        *[(home, t) for t in starts if same_time(t)],
        *[(c, t) for c in others for t in starts if same_time(t)],
        *[(home, t) for t in starts if not same_time(t)],
        *[(c, t) for c in others for t in starts if not same_time(t)],
    ]
    return [
        (c, t)
        for c, t in ordered
        if not cal.closed(day, c.pk)
        and cal.within_hours(t, t + minutes)
        and cal.free(c.pk, t, t + minutes)
    ]


def plan_series(
    cal: Calendar,
    chairs: Sequence[Chair],
    *,
    first_day: dt.date,
    count: int,
    min_spacing_days: int,
    max_spacing_days: int,
    minutes: dt.timedelta,
    earliest: dt.time | None,
) -> list[Slot] | None:
    """The earliest series that fits ``cal`` (None when none does); changes nothing."""
    chosen: list[Slot] = []

    def place(i: int, window: list[dt.date]) -> bool:
        if i == count:
            return True
        for day in window:
            for chair, start in _candidates(
                cal, day, chairs, minutes, earliest, chosen[0] if chosen else None
            )[:1]:
                chosen.append((chair, start))
                cal.hold(chair.pk, start, start + minutes)
                nxt = [
                    day + dt.timedelta(days=d)
                    for d in range(min_spacing_days, max_spacing_days + 1)
                ]
                if place(i + 1, nxt):
                    return True
                cal.release(chair.pk, start, start + minutes)
                chosen.pop()
        return False

    first_window = [first_day + dt.timedelta(days=d) for d in range(max_spacing_days + 1)]
    return list(chosen) if place(0, first_window) else None


def book_series(
    by: Membership | None,
    patient: Patient,
    *,
    chair: Chair | None = None,
    first_day: dt.date,
    count: int,
    min_spacing_days: int,
    max_spacing_days: int,
    infusion_minutes: int,
    recovery_minutes: int,
    earliest_time: dt.time | None = None,
    request: HttpRequest | None = None,
) -> list[Booking]:
    """Book ``count`` visits, each ``min_spacing_days``–``max_spacing_days`` after the one
    before, the first on or within ``max_spacing_days`` of ``first_day``; prefer ``chair``
    (else the first active chair) and the first visit's time. All or nothing."""
    if by is None or not policies.can_book(by, patient.clinic_id):
        raise PermissionDenied("Only physicians, nurses and coordinators book chairs.")
    if not (1 <= count <= 30) or not (1 <= min_spacing_days <= max_spacing_days <= 31):
        raise ValidationError("Give 1–30 visits and a spacing of 1–31 days, minimum first.")
    if patient.status in NOT_BOOKABLE:
        raise ValidationError(
            {"patient": f"The patient's status is {patient.get_status_display()}."}
        )
    chosen = settings_for(patient.clinic)
    if recovery_minutes < chosen.min_observation_minutes:
        raise ValidationError(
            {"recovery_minutes": f"At least the clinic's minimum observation, "
             f"{chosen.min_observation_minutes} minutes."}
        )  # fmt: skip
    chairs = list(Chair.objects.filter(clinic_id=patient.clinic_id, is_active=True))
    if chair is not None:
        if chair.clinic_id != patient.clinic_id or not chair.is_active:
            raise ValidationError({"chair": "Choose one of this clinic's active chairs."})
        chairs = [chair, *[c for c in chairs if c.pk != chair.pk]]
    if not chairs:
        raise ValidationError({"chair": "The clinic has no active chair."})
    minutes = dt.timedelta(minutes=infusion_minutes + recovery_minutes)
    last_day = first_day + dt.timedelta(days=max_spacing_days * count + 1)
    cal = Calendar.load(patient.clinic, patient.pk, first_day, last_day)
    slots = plan_series(
        cal, chairs, first_day=first_day, count=count, min_spacing_days=min_spacing_days,
        max_spacing_days=max_spacing_days, minutes=minutes, earliest=earliest_time,
    )  # fmt: skip
    if slots is None:
        raise ValidationError(
            f"No series of {count} visits {min_spacing_days}–{max_spacing_days} days apart fits "
            f"from {first_day:%d %B} (opening hours, closures and other bookings). Nothing was "
            "booked; try a later first day or a wider spacing."
        )
    key = secrets.token_hex(8)
    try:
        with transaction.atomic():
            made = []
            for position, (seat, start) in enumerate(slots, start=1):
                booking = Booking.objects.create(
                    clinic_id=patient.clinic_id, patient=patient, chair=seat, starts_at=start,
                    infusion_minutes=infusion_minutes, recovery_minutes=recovery_minutes,
                    series_key=key, series_position=position, created_by=by.user,
                )  # fmt: skip
                BookingEvent.objects.create(
                    booking=booking, kind=EventKind.BOOKED, by=by.user, to_starts_at=start,
                    to_chair=seat, reason=f"Series visit {position} of {count}",
                )  # fmt: skip
                queue_reminder(booking, chosen)
                made.append(booking)
            hooks.booked(patient, [b.starts_at for b in made])
            record(
                "scheduling.booking.series",
                by=by,
                request=request,
                obj=made[0],
                patient_ref=patient.pk,
                after={
                    "series_key": key,
                    "bookings": [b.pk for b in made],
                    "starts_at": [b.starts_at.isoformat() for b in made],
                },
            )
    except IntegrityError as error:
        if not overlap.is_overlap(error):
            raise
        raise ValidationError(
            "Someone booked one of these times a moment ago; nothing was booked. Try again."
        ) from None
    return made
