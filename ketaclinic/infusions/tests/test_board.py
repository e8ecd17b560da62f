"""The day board's live status of each visit (phase, minutes in, next reading, overdue in
red, fired rule, expected discharge), and its cost: flat in the number of visits."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.infusions import states
from ketaclinic.infusions.board import board_status
from ketaclinic.infusions.defaults import DEFAULT_RULES
from ketaclinic.infusions.models import InfusionSession, RuleFiring, ThresholdRule
from ketaclinic.infusions.tests.live_rows import T0, LiveCase, at, on_pump, reading
from ketaclinic.scheduling.board import Status
from ketaclinic.scheduling.models import Booking


class BoardStatusTests(LiveCase):
    def setUp(self) -> None:
        self.nurse = self.users[Role.NURSE]
        traveller = time_machine.travel(at(12), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.session = on_pump(self.make_session(starts_at=T0))
        self.session.ordered_duration_min = 40
        self.session.save()

    def more(self, n: int) -> None:
        for _ in range(n):
            k = Booking.objects.count()
            booking = Booking.objects.create(
                clinic=self.clinic, patient=self.patient, chair=self.chair,
                starts_at=T0 + dt.timedelta(hours=2 * k), infusion_minutes=40,
                recovery_minutes=60,
            )  # fmt: skip
            s = on_pump(InfusionSession.objects.create(
                clinic=self.clinic, patient=self.patient, booking=booking
            ))  # fmt: skip
            reading(s, self.nurse, 5)

    def status(self) -> Status:
        found = board_status([self.session.booking])
        return found[self.session.booking_id]

    def test_overdue_in_red_with_minutes_in(self) -> None:
        # Started at 0, no reading yet, due at 10: at 12 it is 2 min overdue.
        found = self.status()
        assert found.parts[:2] == ("Infusing", "12 min in")
        assert len(found.alerts) == 1 and found.alerts[0].startswith("Vitals overdue by 2 min")

    def test_next_reading_due_when_on_time(self) -> None:
        reading(self.session, self.nurse, 8)
        found = self.status()
        assert found.alerts == ()
        assert any(p.startswith("next vitals ") for p in found.parts)
        assert any(p.startswith("discharge about ") for p in found.parts)

    def test_a_fired_rule_without_response(self) -> None:
        reading(self.session, self.nurse, 9)
        rule = ThresholdRule.objects.create(clinic=self.clinic, **DEFAULT_RULES[0])
        firing = RuleFiring.objects.create(
            session=self.session,
            rule=rule,
            rule_text="Systolic 180 mmHg or more",
            fired_at=at(9),
        )
        assert self.status().alerts == ("Rule fired: Systolic 180 mmHg or more",)
        firing.response = "paused"
        firing.save()
        assert self.status().alerts == ()

    def test_recovery_shows_when_discharge_is_possible(self) -> None:
        self.session.state = states.RECOVERY
        self.session.infusion_ended_at = self.session.recovery_started_at = at(5)
        self.session.save()
        found = self.status()
        assert found.parts[0] == "Recovery" and not any(" min in" in p for p in found.parts)
        assert any(p.startswith("discharge from ") for p in found.parts)

    def test_a_scheduled_session_adds_nothing(self) -> None:
        self.session.state = states.SCHEDULED
        self.session.save()
        assert board_status([self.session.booking]) == {}

    def test_flat_in_the_number_of_visits(self) -> None:
        self.more(1)
        bookings = list(Booking.objects.filter(clinic=self.clinic))
        with CaptureQueriesContext(connection) as few:
            assert len(board_status(bookings)) == 2
        self.more(5)
        bookings = list(Booking.objects.filter(clinic=self.clinic))
        with CaptureQueriesContext(connection) as many:
            assert len(board_status(bookings)) == 7
        assert len(few.captured_queries) == len(many.captured_queries) == 5

    def test_on_the_board_page_in_red(self) -> None:
        self.login(Role.NURSE)
        response = self.client.get(reverse("scheduling:board"), {"day": T0.date().isoformat()})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Infusing · 12 min in" in body
        assert 'badge badge--danger">Vitals overdue by 2 min' in body
