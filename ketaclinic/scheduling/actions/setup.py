"""Setting up the schedule: chairs, opening hours, closures, staff on duty, settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import STAFF_ROLES, Membership
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.scheduling import policies
from ketaclinic.scheduling.availability import settings_for
from ketaclinic.scheduling.models import (
    Booking,
    BookingStatus,
    Chair,
    Closure,
    DutyAssignment,
    OpeningHours,
    SchedulingSettings,
)

SETTINGS_FIELDS = (
    "default_infusion_minutes",
    "min_observation_minutes",
    "late_cancel_notice_hours",
    "late_cancel_fee",
    "no_show_fee",
    "reminder_hours_before",
)


def _require(by: Membership | None, clinic_id: int) -> Membership:
    if by is None or not policies.can_edit_setup(by, clinic_id):
        raise PermissionDenied("Only the clinic admin and coordinators set up the schedule.")
    return by


def add_chair(
    by: Membership | None, clinic: Clinic, *, name: str, request: HttpRequest | None = None
) -> Chair:
    by = _require(by, clinic.pk)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the chair a name."})
    if Chair.objects.filter(clinic=clinic, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a chair called {name}."})
    with transaction.atomic():
        position = Chair.objects.filter(clinic=clinic).count()
        chair = Chair.objects.create(clinic=clinic, name=name, position=position)
        record("scheduling.chair.add", by=by, request=request, obj=chair, after={"name": name})
    return chair


def update_chair(
    by: Membership | None,
    chair: Chair,
    *,
    name: str,
    is_active: bool,
    request: HttpRequest | None = None,
) -> bool:
    """Rename or (de)activate a chair; its bookings stay (a deactivated chair takes no new
    ones). Returns False when nothing changed."""
    by = _require(by, chair.clinic_id)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the chair a name."})
    clash = Chair.objects.filter(clinic_id=chair.clinic_id, name__iexact=name).exclude(pk=chair.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a chair called {name}."})
    before = {"name": chair.name, "is_active": chair.is_active}
    after = {"name": name, "is_active": is_active}
    if before == after:
        return False
    with transaction.atomic():
        Chair.objects.filter(pk=chair.pk).update(name=name, is_active=is_active)
        chair.name, chair.is_active = name, is_active
        record(
            "scheduling.chair.update", by=by, request=request, obj=chair, before=before, after=after
        )
    return True


def add_opening_hours(
    by: Membership | None,
    clinic: Clinic,
    *,
    weekday: int,
    opens_at: dt.time,
    closes_at: dt.time,
    request: HttpRequest | None = None,
) -> OpeningHours:
    by = _require(by, clinic.pk)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": "Closing time must be after opening time."})
    overlapping = OpeningHours.objects.filter(
        clinic=clinic, weekday=weekday, opens_at__lt=closes_at, closes_at__gt=opens_at
    ).first()
    if overlapping is not None:
        raise ValidationError({"opens_at": f"This overlaps {overlapping}."})
    with transaction.atomic():
        row = OpeningHours.objects.create(
            clinic=clinic, weekday=weekday, opens_at=opens_at, closes_at=closes_at
        )
        record("scheduling.hours.add", by=by, request=request, obj=row, after={"hours": str(row)})
    return row


def remove_opening_hours(
    by: Membership | None, row: OpeningHours, *, request: HttpRequest | None = None
) -> None:
    """Opening hours are the clinic's timetable, not clinical data: a removed interval goes
    (the audit entry keeps what it was). Bookings already made in it stay."""
    by = _require(by, row.clinic_id)
    with transaction.atomic():
        record(
            "scheduling.hours.remove", by=by, request=request, obj=row, before={"hours": str(row)}
        )
        row.delete()


def add_closure(
    by: Membership | None,
    clinic: Clinic,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    chair: Chair | None = None,
    request: HttpRequest | None = None,
) -> tuple[Closure, int]:
    """Close the clinic (or one chair) for some days. Returns the closure and how many
    bookings already fall in it: they are not cancelled here (each patient needs a call and a
    new time), the day board shows them."""
    by = _require(by, clinic.pk)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if ends_on < starts_on:
        errors["ends_on"] = "The last day must be on or after the first."
    if not reason:
        errors["reason"] = "Say why (staff read it on the schedule)."
    if chair is not None and chair.clinic_id != clinic.pk:
        errors["chair"] = "Choose one of this clinic's chairs."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        closure = Closure.objects.create(
            clinic=clinic,
            chair=chair,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            created_by=by.user,
        )
        affected = Booking.objects.filter(
            clinic=clinic,
            status=BookingStatus.BOOKED,
            starts_at__date__gte=starts_on,
            starts_at__date__lte=ends_on,
        )
        if chair is not None:
            affected = affected.filter(chair=chair)
        count = affected.count()
        record(
            "scheduling.closure.add",
            by=by,
            request=request,
            obj=closure,
            after={
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "chair_id": chair.pk if chair else None,
                "bookings_inside": count,
            },
        )
    return closure, count


def withdraw_closure(
    by: Membership | None, closure: Closure, *, request: HttpRequest | None = None
) -> None:
    by = _require(by, closure.clinic_id)
    if closure.withdrawn_at is not None:
        raise ValidationError("This closure was already withdrawn.")
    with transaction.atomic():
        closure.withdrawn_at = timezone.now()
        closure.withdrawn_by = by.user
        closure.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record("scheduling.closure.withdraw", by=by, request=request, obj=closure)


def put_on_duty(
    by: Membership | None,
    clinic: Clinic,
    *,
    day: dt.date,
    membership: Membership,
    note: str = "",
    request: HttpRequest | None = None,
) -> DutyAssignment:
    by = _require(by, clinic.pk)
    if (
        membership.clinic_id != clinic.pk
        or not membership.is_active
        or membership.role not in {str(r) for r in STAFF_ROLES}
    ):
        raise ValidationError({"membership": "Choose an active staff member of this clinic."})
    try:
        with transaction.atomic():
            row = DutyAssignment.objects.create(
                clinic=clinic, day=day, membership=membership, note=note.strip()
            )
            record(
                "scheduling.duty.add",
                by=by,
                request=request,
                obj=row,
                after={"day": day.isoformat(), "membership_id": membership.pk},
            )
    except IntegrityError:
        raise ValidationError({"membership": "They are already on duty that day."}) from None
    return row


def take_off_duty(
    by: Membership | None, row: DutyAssignment, *, request: HttpRequest | None = None
) -> None:
    by = _require(by, row.clinic_id)
    with transaction.atomic():
        record(
            "scheduling.duty.remove",
            by=by,
            request=request,
            obj=row,
            before={"day": row.day.isoformat(), "membership_id": row.membership_id},
        )
        row.delete()


def update_settings(
    by: Membership | None,
    clinic: Clinic,
    changes: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> SchedulingSettings:
    by = _require(by, clinic.pk)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        row = settings_for(clinic)
        if row.pk is not None:
            row = SchedulingSettings.objects.select_for_update().get(pk=row.pk)
        before = {k: str(getattr(row, k)) for k in changes}
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = timezone.now()
        row.updated_by = by.user
        row.full_clean(exclude=["clinic", "updated_by"])
        row.save()
        record(
            "scheduling.settings.update",
            by=by,
            request=request,
            obj=row,
            before=before,
            after={k: str(v) for k, v in changes.items()},
        )
    return row
