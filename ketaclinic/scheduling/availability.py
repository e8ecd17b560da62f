"""When a chair can take a booking: the clinic's opening hours, its closures, and what is
already booked. Read helpers, used by the actions (a clear message before the database's own
refusal) and by the series booker (which plans a whole series in memory, then writes it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ketaclinic.access.zones import clinic_zone
from ketaclinic.clinics.models import Clinic
from ketaclinic.scheduling.models import (
    Booking,
    BookingStatus,
    Chair,
    Closure,
    OpeningHours,
    SchedulingSettings,
)

SLOT_STEP = dt.timedelta(minutes=15)  # candidate start times of the series booker


def settings_for(clinic: Clinic) -> SchedulingSettings:
    """The clinic's settings row, or the defaults unsaved."""
    found = SchedulingSettings.objects.filter(clinic=clinic).first()
    return found if found is not None else SchedulingSettings(clinic=clinic)


def hours_by_weekday(clinic: Clinic) -> dict[int, list[tuple[dt.time, dt.time]]]:
    out: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in OpeningHours.objects.filter(clinic=clinic):
        out.setdefault(row.weekday, []).append((row.opens_at, row.closes_at))
    return out


def live_closures(clinic: Clinic, first: dt.date, last: dt.date) -> list[Closure]:
    return list(
        Closure.objects.filter(
            clinic=clinic, withdrawn_at__isnull=True, starts_on__lte=last, ends_on__gte=first
        )
    )


def fmt_range(starts_at: dt.datetime, ends_at: dt.datetime, zone: dt.tzinfo) -> str:
    return f"{starts_at.astimezone(zone):%H:%M}–{ends_at.astimezone(zone):%H:%M}"


@dataclass
class Calendar:
    """Opening hours, closures and booked intervals of one clinic over a span of days, in
    memory: what the series booker searches."""

    clinic: Clinic
    zone: dt.tzinfo
    hours: dict[int, list[tuple[dt.time, dt.time]]]
    closures: list[Closure]
    busy_chair: dict[int, list[tuple[dt.datetime, dt.datetime]]]
    busy_patient: list[tuple[dt.datetime, dt.datetime]]

    @classmethod
    def load(cls, clinic: Clinic, patient_id: int, first: dt.date, last: dt.date) -> Calendar:
        zone = clinic_zone(clinic)
        start = dt.datetime.combine(first, dt.time.min, zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, zone)
        booked = Booking.objects.filter(
            status=BookingStatus.BOOKED, starts_at__lt=end, ends_at__gt=start
        ).filter(clinic=clinic) | Booking.objects.filter(
            status=BookingStatus.BOOKED, starts_at__lt=end, ends_at__gt=start, patient_id=patient_id
        )
        busy_chair: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        busy_patient = []
        for b in booked.only("chair_id", "patient_id", "starts_at", "ends_at"):
            busy_chair.setdefault(b.chair_id, []).append((b.starts_at, b.ends_at))
            if b.patient_id == patient_id:
                busy_patient.append((b.starts_at, b.ends_at))
        return cls(
            clinic,
            zone,
            hours_by_weekday(clinic),
            live_closures(clinic, first, last),
            busy_chair,
            busy_patient,
        )

    def closed(self, day: dt.date, chair_id: int) -> bool:
        return any(c.covers(day, chair_id) for c in self.closures)

    def within_hours(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        return within_hours(self.hours, starts_at, ends_at, self.zone)

    def free(self, chair_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        def clash(spans: Iterable[tuple[dt.datetime, dt.datetime]]) -> bool:
            return any(s < ends_at and starts_at < e for s, e in spans)

        return not clash(self.busy_chair.get(chair_id, ())) and not clash(self.busy_patient)

    def hold(self, chair_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
        self.busy_chair.setdefault(chair_id, []).append((starts_at, ends_at))
        self.busy_patient.append((starts_at, ends_at))

    def release(self, chair_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
        self.busy_chair[chair_id].remove((starts_at, ends_at))
        self.busy_patient.remove((starts_at, ends_at))

    def starts_on(self, day: dt.date, earliest: dt.time | None) -> list[dt.datetime]:
        """Candidate start times on ``day``: every SLOT_STEP within its opening intervals."""
        out = []
        for opens, closes in sorted(self.hours.get(day.weekday(), [])):
            t = dt.datetime.combine(day, opens, self.zone)
            close = dt.datetime.combine(day, closes, self.zone)
            while t < close:
                if earliest is None or t.timetz().replace(tzinfo=None) >= earliest:
                    out.append(t)
                t += SLOT_STEP
        return out


def within_hours(
    hours: dict[int, list[tuple[dt.time, dt.time]]],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    zone: dt.tzinfo,
) -> bool:
    """True when the whole visit lies inside one opening interval of its day (clinic time)."""
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if local_end.date() != local_start.date() and local_end.time() != dt.time.min:
        return False
    end_time = local_end.time() if local_end.date() == local_start.date() else dt.time.max
    return any(
        opens <= local_start.time() and end_time <= closes
        for opens, closes in hours.get(local_start.weekday(), [])
    )


def conflicts(
    chair: Chair, patient_id: int, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None
) -> Sequence[Booking]:
    """Booked rows that overlap: on ``chair`` or of the patient (for the refusal message)."""
    rows = (
        Booking.objects.filter(status=BookingStatus.BOOKED, starts_at__lt=ends_at)
        .filter(ends_at__gt=starts_at)
        .filter(chair=chair)
        .select_related("chair")
    ) | (
        Booking.objects.filter(status=BookingStatus.BOOKED, starts_at__lt=ends_at)
        .filter(ends_at__gt=starts_at)
        .filter(patient_id=patient_id)
        .select_related("chair")
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("starts_at"))


def conflict_message(
    found: Sequence[Booking], chair: Chair, patient_id: int, zone: dt.tzinfo
) -> str:
    """The sentence staff read when a booking would overlap another."""
    for b in found:
        when = fmt_range(b.starts_at, b.ends_at, zone)
        if b.patient_id == patient_id:
            return f"This patient is already booked {when} on {b.chair.name}."
        if b.chair_id == chair.pk:
            return f"{chair.name} is booked {when} by another patient."
    return f"{chair.name} was just booked by someone else at that time."
