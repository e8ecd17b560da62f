"""Booking a chair, moving a booking, cancelling it, a no-show, completing it.

The checks here give staff a clear message (outside the opening hours, on a closure, too short
an observation); the overlap rule is the database's (``scheduling.overlap``): the insert or
update is tried and an ``IntegrityError`` becomes the message "Chair 2 is booked 10:00–11:40
by another patient", so two people booking the same chair at the same moment get one booking
and one message, never two bookings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.scheduling import hooks, overlap, policies
from ketaclinic.scheduling.availability import (
    conflict_message,
    conflicts,
    hours_by_weekday,
    live_closures,
    settings_for,
    within_hours,
)
from ketaclinic.scheduling.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Chair,
    EventKind,
    SchedulingSettings,
)
from ketaclinic.scheduling.reminders import queue_reminder

T = TypeVar("T")
NOT_BOOKABLE = {PatientStatus.NOT_ELIGIBLE.value, PatientStatus.INACTIVE.value}


def _require(by: Membership | None, clinic_id: int) -> Membership:
    if by is None or not policies.can_book(by, clinic_id):
        raise PermissionDenied("Only physicians, nurses and coordinators book chairs.")
    return by


def check_slot(
    patient: Patient,
    chair: Chair,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    recovery_minutes: int,
    chosen: SchedulingSettings,
    *,
    outside_hours: bool = False,
) -> None:
    """Refuse (field messages) what the clinic does not allow; overlaps are the database's.
    ``outside_hours``: a visit outside the opening hours was asked for with a reason."""
    errors: dict[str, str] = {}
    zone = clinic_zone(patient.clinic)
    if patient.status in NOT_BOOKABLE:
        errors["patient"] = f"The patient's status is {patient.get_status_display()}."
    if chair.clinic_id != patient.clinic_id or not chair.is_active:
        errors["chair"] = "Choose one of this clinic's active chairs."
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if recovery_minutes < chosen.min_observation_minutes:
        errors["recovery_minutes"] = (
            f"At least the clinic's minimum observation, {chosen.min_observation_minutes} "
            "minutes (clinic setting; see the scheduling settings for its source)."
        )
    if not outside_hours and not within_hours(
        hours_by_weekday(patient.clinic), starts_at, ends_at, zone
    ):
        errors["starts_at"] = (
            f"{starts_at.astimezone(zone):%A %d %B %H:%M}–{ends_at.astimezone(zone):%H:%M} "
            "is outside the clinic's opening hours."
        )
    day = starts_at.astimezone(zone).date()
    closed = [c for c in live_closures(patient.clinic, day, day) if c.covers(day, chair.pk)]
    if closed:
        where = "The clinic" if closed[0].chair_id is None else chair.name
        errors["starts_at"] = f"{where} is closed on {day:%d %B}: {closed[0].reason}."
    if errors:
        raise ValidationError(errors)


def write_or_explain(
    write: Callable[[], T],
    chair: Chair,
    patient: Patient,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude: int | None = None,
) -> T:
    """Run ``write`` in its own savepoint; an overlap refusal becomes a field message."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if not overlap.is_overlap(error):
            raise
        found = conflicts(chair, patient.pk, starts_at, ends_at, exclude)
        message = conflict_message(found, chair, patient.pk, clinic_zone(patient.clinic))
        field = "patient" if found and found[0].patient_id == patient.pk else "chair"
        raise ValidationError({field: message}) from None


def book_chair(
    by: Membership | None,
    patient: Patient,
    *,
    chair: Chair,
    starts_at: dt.datetime,
    infusion_minutes: int | None = None,
    recovery_minutes: int | None = None,
    outside_hours_reason: str = "",
    request: HttpRequest | None = None,
) -> Booking:
    """Reserve ``chair`` for ``patient`` from ``starts_at`` for the infusion and the recovery
    (the clinic's defaults when not given: ``models`` names their sources).

    ``outside_hours_reason``: a visit outside the opening hours (an evening session, the demo
    day anchored to the time it was made) is booked when a reason is given; the reason is kept
    on the booking's audit entry. Closures and overlaps are refused all the same."""
    by = _require(by, patient.clinic_id)
    chosen = settings_for(patient.clinic)
    infusion = int(infusion_minutes or chosen.default_infusion_minutes)
    recovery = int(recovery_minutes or chosen.min_observation_minutes)
    ends_at = starts_at + dt.timedelta(minutes=infusion + recovery)
    outside_hours_reason = outside_hours_reason.strip()
    check_slot(
        patient,
        chair,
        starts_at,
        ends_at,
        recovery,
        chosen,
        outside_hours=bool(outside_hours_reason),
    )

    def write() -> Booking:
        booking = Booking.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            chair=chair,
            starts_at=starts_at,
            infusion_minutes=infusion,
            recovery_minutes=recovery,
            created_by=by.user,
        )
        BookingEvent.objects.create(
            booking=booking, kind=EventKind.BOOKED, by=by.user, to_starts_at=starts_at,
            to_chair=chair,
        )  # fmt: skip
        record(
            "scheduling.booking.book",
            by=by,
            request=request,
            obj=booking,
            patient_ref=patient.pk,
            after=_snapshot(booking),
            reason=outside_hours_reason,
        )
        queue_reminder(booking, chosen)
        hooks.booked(patient, [starts_at])
        return booking

    return write_or_explain(write, chair, patient, starts_at, ends_at)


def _snapshot(booking: Booking) -> dict[str, object]:
    return {
        "chair_id": booking.chair_id,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "status": booking.status,
    }


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("patient__clinic", "chair")
        .get(pk=booking.pk)
    )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason (it stays on the booking's history)."})
    return reason


def _must_be_booked(booking: Booking) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise ValidationError(f"This booking is {booking.get_status_display().lower()} already.")


def reschedule_booking(
    by: Membership | None,
    booking: Booking,
    *,
    starts_at: dt.datetime,
    chair: Chair | None = None,
    reason: str,
    request: HttpRequest | None = None,
) -> Booking:
    """Move a booking to another time (and chair); the history keeps where it was and why."""
    by = _require(by, booking.clinic_id)
    reason = _reason(reason)
    _must_be_booked(booking)
    target = chair or booking.chair
    patient = booking.patient
    chosen = settings_for(patient.clinic)
    ends_at = starts_at + dt.timedelta(minutes=booking.minutes)
    check_slot(patient, target, starts_at, ends_at, booking.recovery_minutes, chosen)

    def write() -> Booking:
        locked = _locked(booking)
        _must_be_booked(locked)
        before = _snapshot(locked)
        from_start, from_chair = locked.starts_at, locked.chair
        locked.starts_at, locked.chair = starts_at, target
        locked.save(update_fields=["starts_at", "chair"])
        BookingEvent.objects.create(
            booking=locked, kind=EventKind.RESCHEDULED, by=by.user, reason=reason,
            from_starts_at=from_start, to_starts_at=starts_at, from_chair=from_chair,
            to_chair=target,
        )  # fmt: skip
        record(
            "scheduling.booking.reschedule",
            by=by,
            request=request,
            obj=locked,
            patient_ref=locked.patient_id,
            before=before,
            after=_snapshot(locked),
        )
        queue_reminder(locked, chosen)
        return locked

    return write_or_explain(write, target, patient, starts_at, ends_at, exclude=booking.pk)


def is_late(booking: Booking, chosen: SchedulingSettings, now: dt.datetime) -> bool:
    """Cancelled with less notice than the clinic asks (§9.4 [D]: a clinic setting)."""
    return booking.starts_at - now < dt.timedelta(hours=chosen.late_cancel_notice_hours)


def cancel_booking(
    by: Membership | None,
    booking: Booking,
    *,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> BookingEvent:
    """Cancel with a reason; within the clinic's notice it is a late cancellation and the
    clinic's fee is noted on the event (nothing is billed)."""
    by = _require(by, booking.clinic_id)
    reason = _reason(reason)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(booking)
        _must_be_booked(locked)
        chosen = settings_for(locked.patient.clinic)
        late = is_late(locked, chosen, moment)
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_late = late
        locked.save(update_fields=["status", "cancelled_late"])
        event = BookingEvent.objects.create(
            booking=locked,
            kind=EventKind.LATE_CANCELLED if late else EventKind.CANCELLED,
            by=by.user,
            at=moment,
            reason=reason,
            fee_noted=chosen.late_cancel_fee if late else None,
        )
        record(
            "scheduling.booking.cancel",
            by=by,
            request=request,
            obj=locked,
            patient_ref=locked.patient_id,
            before={"status": BookingStatus.BOOKED.value},
            after={"status": locked.status, "late": late},
        )
    booking.status, booking.cancelled_late = locked.status, late
    return event


def record_no_show(
    by: Membership | None,
    booking: Booking,
    *,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> BookingEvent:
    """The patient did not come: the chair is free again and the clinic's no-show fee noted.
    (§9.4 [D]: a missed induction infusion should be rebooked within the series window.)"""
    by = _require(by, booking.clinic_id)
    reason = _reason(reason)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(booking)
        _must_be_booked(locked)
        if locked.starts_at > moment:
            raise ValidationError("A no-show can only be recorded once the visit has begun.")
        chosen = settings_for(locked.patient.clinic)
        locked.status = BookingStatus.NO_SHOW
        locked.save(update_fields=["status"])
        event = BookingEvent.objects.create(
            booking=locked, kind=EventKind.NO_SHOW, by=by.user, at=moment, reason=reason,
            fee_noted=chosen.no_show_fee,
        )  # fmt: skip
        record(
            "scheduling.booking.no_show",
            by=by,
            request=request,
            obj=locked,
            patient_ref=locked.patient_id,
            before={"status": BookingStatus.BOOKED.value},
            after={"status": locked.status},
        )
    booking.status = locked.status
    return event


def complete_booking(
    by: Membership | None,
    booking: Booking,
    *,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> BookingEvent:
    by = _require(by, booking.clinic_id)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(booking)
        _must_be_booked(locked)
        if locked.starts_at > moment:
            raise ValidationError("A visit can only be completed once it has begun.")
        locked.status = BookingStatus.COMPLETED
        locked.save(update_fields=["status"])
        event = BookingEvent.objects.create(
            booking=locked, kind=EventKind.COMPLETED, by=by.user, at=moment
        )
        record(
            "scheduling.booking.complete",
            by=by,
            request=request,
            obj=locked,
            patient_ref=locked.patient_id,
            before={"status": BookingStatus.BOOKED.value},
            after={"status": locked.status},
        )
    booking.status = locked.status
    return event
