from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.demo import create_demo
from ketaclinic.scheduling import demo
from ketaclinic.scheduling.board import board_for
from ketaclinic.scheduling.models import (
    Booking,
    BookingStatus,
    Chair,
    Closure,
    DutyAssignment,
    EventKind,
    OpeningHours,
)


class DemoScheduleTests(TestCase):
    def test_two_weeks_of_bookings_on_several_chairs(self) -> None:
        clinic = create_demo()
        # Three chairs from the schedule's seed; the infusion day's seed adds two for its sessions.
        assert list(Chair.objects.filter(clinic=clinic).values_list("name", flat=True)) == [
            "Chair 1", "Chair 2", "Chair 3", "Chair 4", "Chair 5",
        ]  # fmt: skip
        assert sorted(
            OpeningHours.objects.filter(clinic=clinic).values_list("weekday", flat=True)
        ) == [0, 1, 2, 3, 4]
        assert Closure.objects.filter(clinic=clinic, chair__name="Chair 3").count() == 1
        assert DutyAssignment.objects.filter(clinic=clinic).exists()
        bookings = Booking.objects.filter(clinic=clinic)
        zone = clinic_zone(clinic)
        today = clinic_today(clinic)
        days = {b.starts_at.astimezone(zone).date() for b in bookings}
        assert min(days) >= today - dt.timedelta(days=3)
        assert max(days) <= today + dt.timedelta(days=11)
        assert len({b.chair_id for b in bookings}) == 5  # with the infusion day's two
        assert len({b.patient_id for b in bookings}) >= 2
        series = bookings.exclude(series_key="")
        assert series.count() == 12  # two induction series of six
        kinds = set(bookings.values_list("events__kind", flat=True))
        assert {EventKind.NO_SHOW, EventKind.LATE_CANCELLED} <= kinds
        # Nothing in the past is left "booked"; the board of an open day shows bookings.
        now = timezone.now()
        assert not bookings.filter(status=BookingStatus.BOOKED, ends_at__lt=now).exists()
        busiest = max(
            days, key=lambda d: sum(b.starts_at.astimezone(zone).date() == d for b in bookings)
        )
        assert any(lane.cards for lane in board_for(clinic, busiest).lanes)
        # Idempotent.
        assert demo.seed(clinic) == []
        assert Booking.objects.filter(clinic=clinic).count() == bookings.count()
