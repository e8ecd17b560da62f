"""Questionnaire schedules: their write layer and the planner that turns their rules into due
sends (one ``DueSend`` row per schedule, kind and due time, under a unique key).

Rules (each on or off per schedule; times are the schedule's ``send_time`` in the clinic's
zone, between ``start_on`` and ``end_on``):

* weekly between visits, on ``weekly_weekday``, up to the end of induction when it is set;
* monthly in maintenance, on ``monthly_day``, after the end of induction (from the start
  when none is set);
* before each planned infusion, ``before_infusion_hours`` ahead of it;
* the day after each planned infusion;
* at the end of the induction series (``induction_end_on``).

A weekly send falling on a day that already has an infusion send is left out (one message a
day is enough). Planning is idempotent: the unique key makes a second run add nothing. It
also reconciles: a waiting send the rules no longer produce is cancelled, a cancelled one they
produce again (a resumed schedule) waits again. Planned sends reach ``PLAN_DAYS`` ahead; the
daily planner task keeps that window filled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.measurement import policies
from ketaclinic.measurement.models import (
    DueSend,
    QuestionnaireSchedule,
    SendKind,
    SendStatus,
)
from ketaclinic.patients.models import Patient

#: How far ahead sends are planned, and how late a just-missed one is still planned (a
#: schedule saved at 10:05 for 10:00 today sends at once): product decisions [D].
PLAN_DAYS = 14
PLAN_GRACE = dt.timedelta(hours=1)

FIELDS = (
    "instruments",
    "via",
    "active",
    "start_on",
    "end_on",
    "send_time",
    "weekly",
    "weekly_weekday",
    "monthly",
    "monthly_day",
    "before_infusion",
    "before_infusion_hours",
    "day_after_infusion",
    "end_of_induction",
    "induction_end_on",
    "infusion_times",
    "reminder_max",
    "reminder_every_hours",
)


def schedule_for(patient: Patient) -> QuestionnaireSchedule | None:
    return QuestionnaireSchedule.objects.filter(patient=patient).order_by("id").first()


def _snapshot(schedule: QuestionnaireSchedule) -> dict[str, Any]:
    out = {}
    for name in FIELDS:
        value = getattr(schedule, name)
        out[name] = value.isoformat() if isinstance(value, dt.date | dt.time) else value
    return out


def _validate(values: dict[str, Any]) -> None:
    from ketaclinic.measurement.questionnaires import self_report_instruments

    allowed = {i.id for i in self_report_instruments()}
    errors = {}
    if not values.get("instruments"):
        errors["instruments"] = "Choose at least one questionnaire."
    elif any(i not in allowed for i in values["instruments"]):
        errors["instruments"] = "Only self-report questionnaires can be sent."
    if not values.get("via"):
        errors["via"] = "Choose email, text message or both."
    end_on, start_on = values.get("end_on"), values.get("start_on")
    if end_on and start_on and end_on < start_on:
        errors["end_on"] = "The end date is before the start date."
    if not 1 <= int(values.get("monthly_day") or 1) <= 28:
        errors["monthly_day"] = "Choose a day from 1 to 28 (every month has it)."
    if not 0 <= int(values.get("weekly_weekday") or 0) <= 6:
        errors["weekly_weekday"] = "Choose a day of the week."
    if int(values.get("reminder_max", 0)) > 5:
        errors["reminder_max"] = "At most 5 reminders."
    if int(values.get("reminder_every_hours", 1)) < 1:
        errors["reminder_every_hours"] = "At least one hour between reminders."
    if errors:
        raise ValidationError(errors)


def save_schedule(
    by: Membership,
    patient: Patient,
    values: dict[str, Any],
    *,
    site_url: str = "",
    request: HttpRequest | None = None,
) -> QuestionnaireSchedule:
    """Create the patient's schedule or change it (``values``: any of ``FIELDS``), then plan."""
    if not policies.can_send(by, patient):
        raise PermissionDenied("Only the patient's coordinator, nurse or physician can do this.")
    with transaction.atomic():
        schedule = (
            QuestionnaireSchedule.objects.select_for_update()
            .filter(patient=patient)
            .order_by("id")
            .first()
        )
        before = _snapshot(schedule) if schedule else None
        if schedule is None:
            schedule = QuestionnaireSchedule(clinic=patient.clinic, patient=patient)
        for name, value in values.items():
            if name not in FIELDS:
                raise ValueError(f"not a schedule field: {name}")
            setattr(schedule, name, value)
        if schedule.start_on is None:
            schedule.start_on = timezone.localdate(timezone.now(), clinic_zone(patient.clinic))
        _validate({name: getattr(schedule, name) for name in FIELDS})
        schedule.updated_by = by
        schedule.updated_at = timezone.now()
        if site_url:
            schedule.site_url = site_url
        schedule.save()
        after = _snapshot(schedule)
        changes_before = {k: v for k, v in (before or {}).items() if after.get(k) != v}
        record(
            "measurement.schedule_save",
            request=request,
            by=by,
            obj=schedule,
            patient_ref=patient.pk,
            before=changes_before or None,
            after={k: v for k, v in after.items() if before is None or k in changes_before},
        )
        plan(schedule)
    return schedule


def set_active(
    by: Membership,
    schedule: QuestionnaireSchedule,
    active: bool,
    *,
    request: HttpRequest | None = None,
) -> bool:
    """Pause (``active`` False) or resume a schedule; False when it already was so."""
    if not policies.can_send(by, schedule.patient):
        raise PermissionDenied("Only the patient's coordinator, nurse or physician can do this.")
    with transaction.atomic():
        locked = QuestionnaireSchedule.objects.select_for_update().get(pk=schedule.pk)
        if locked.active == active:
            return False
        locked.active = active
        locked.updated_at = timezone.now()
        locked.save(update_fields=["active", "updated_at"])
        record(
            "measurement.schedule_resume" if active else "measurement.schedule_pause",
            request=request,
            by=by,
            obj=locked,
            patient_ref=locked.patient_id,
            before={"active": not active},
            after={"active": active},
        )
        plan(locked)
    schedule.active = active
    return True


def plan_infusion_sends(patient: Patient, infusion_datetimes: list[dt.datetime]) -> int:
    """Add planned infusions to the patient's schedule and plan their sends (called by the
    infusion booking, a later issue). Returns the number of new due sends; 0 when the patient
    has no schedule (nothing is asked of them)."""
    with transaction.atomic():
        schedule = (
            QuestionnaireSchedule.objects.select_for_update()
            .filter(patient=patient)
            .order_by("id")
            .first()
        )
        if schedule is None:
            return 0
        known = set(schedule.infusion_times)
        added = sorted({t.isoformat() for t in infusion_datetimes} - known)
        if added:
            schedule.infusion_times = sorted(known | set(added))
            schedule.save(update_fields=["infusion_times"])
            record(
                "measurement.schedule_infusions",
                clinic=schedule.clinic,
                obj=schedule,
                patient_ref=patient.pk,
                after={"added": added},
            )
        return plan(schedule)


def _at(day: dt.date, schedule: QuestionnaireSchedule, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, schedule.send_time, tzinfo=zone)


def occurrences(
    schedule: QuestionnaireSchedule, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """The (kind, due time) the rules produce within [start, end], in time order."""
    if not schedule.active:
        return []
    zone = clinic_zone(schedule.clinic)
    first_day = max(schedule.start_on, timezone.localdate(start, zone))
    last_day = timezone.localdate(end, zone)
    if schedule.end_on:
        last_day = min(last_day, schedule.end_on)
    induction_end = schedule.induction_end_on
    out: list[tuple[str, dt.datetime]] = []
    infusions = [dt.datetime.fromisoformat(t) for t in schedule.infusion_times]
    for infusion in infusions:
        local = infusion.astimezone(zone)
        if schedule.before_infusion:
            out.append(
                (
                    SendKind.BEFORE_INFUSION,
                    local - dt.timedelta(hours=schedule.before_infusion_hours),
                )
            )
        if schedule.day_after_infusion:
            out.append(
                (SendKind.DAY_AFTER, _at(local.date() + dt.timedelta(days=1), schedule, zone))
            )
    if schedule.end_of_induction and induction_end:
        out.append((SendKind.END_OF_INDUCTION, _at(induction_end, schedule, zone)))
    busy_days = {t.astimezone(zone).date() for _, t in out}
    day = first_day
    while day <= last_day:
        in_maintenance = induction_end is not None and day > induction_end
        if schedule.weekly and not in_maintenance and day.weekday() == schedule.weekly_weekday:
            if day not in busy_days:
                out.append((SendKind.WEEKLY, _at(day, schedule, zone)))
        if schedule.monthly and day.day == schedule.monthly_day:
            if induction_end is None or in_maintenance:
                out.append((SendKind.MONTHLY, _at(day, schedule, zone)))
        day += dt.timedelta(days=1)
    start_day = schedule.start_on
    return sorted(
        (kind, due)
        for kind, due in out
        if start <= due <= end
        and due.astimezone(zone).date() >= start_day
        and (schedule.end_on is None or due.astimezone(zone).date() <= schedule.end_on)
    )


def due_key(schedule_id: int, kind: str, due_at: dt.datetime) -> str:
    stamp = due_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    return f"sched:{schedule_id}:{kind}:{stamp}"


def plan(schedule: QuestionnaireSchedule, now: dt.datetime | None = None) -> int:
    """Materialise the schedule's due sends for the next ``PLAN_DAYS``; returns how many new
    rows. Waiting sends in that window the rules no longer produce are cancelled."""
    moment = now or timezone.now()
    start, end = moment - PLAN_GRACE, moment + dt.timedelta(days=PLAN_DAYS)
    wanted = {due_key(schedule.pk, k, t): (k, t) for k, t in occurrences(schedule, start, end)}
    created = 0
    with transaction.atomic():
        for key, (kind, due_at) in wanted.items():
            _row, made = DueSend.objects.get_or_create(
                key=key,
                defaults={
                    "schedule": schedule,
                    "kind": kind,
                    "due_at": due_at,
                    "available_at": due_at,
                },
            )
            created += made
        future = DueSend.objects.filter(schedule=schedule, due_at__gte=start).exclude(
            kind=SendKind.REMINDER
        )
        future.filter(status=SendStatus.PENDING).exclude(key__in=wanted).update(
            status=SendStatus.CANCELLED, note="no longer in the schedule"
        )
        future.filter(status=SendStatus.CANCELLED, key__in=wanted).update(
            status=SendStatus.PENDING, note=""
        )
    return created


def plan_all(now: dt.datetime | None = None) -> int:
    """Plan every active schedule (the daily planner task)."""
    return sum(plan(s, now) for s in QuestionnaireSchedule.objects.filter(active=True))
