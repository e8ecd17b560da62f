"""The due-reading clock at its boundaries (interval defaults: clinical reference §2.1 [S])."""

from __future__ import annotations

import datetime as dt

from ketaclinic.accounts.models import Role
from ketaclinic.infusions import states
from ketaclinic.infusions.due import next_reading_due
from ketaclinic.infusions.models import InfusionSettings
from ketaclinic.infusions.tests.live_rows import LiveCase, at, on_pump, reading

SECOND = dt.timedelta(seconds=1)


class DueTests(LiveCase):
    def setUp(self) -> None:
        self.nurse = self.users[Role.NURSE]
        self.session = on_pump(self.make_session())

    def test_due_at_ten_minutes_exactly_overdue_one_second_later(self) -> None:
        reading(self.session, self.nurse, 3)
        due = next_reading_due(self.session, at(13))
        assert due is not None
        assert (due.due_at, due.interval_min) == (at(13), 10)
        assert due.is_due and not due.overdue and due.minutes_overdue == 0
        late = next_reading_due(self.session, at(13) + SECOND)
        assert late is not None and late.overdue and late.minutes_overdue == 0
        # One second short of being due.
        early = next_reading_due(self.session, at(13) - SECOND)
        assert early is not None and not early.is_due and not early.overdue

    def test_minutes_overdue_are_whole_minutes(self) -> None:
        reading(self.session, self.nurse, 0)
        due = next_reading_due(self.session, at(17.5))
        assert due is not None and due.overdue and due.minutes_overdue == 7

    def test_measured_from_the_start_before_any_reading(self) -> None:
        due = next_reading_due(self.session, at(4))
        assert due is not None and due.due_at == at(10) and not due.is_due

    def test_a_baseline_before_the_start_does_not_make_the_first_reading_overdue(self) -> None:
        reading(self.session, self.nurse, -20, phase="baseline")
        due = next_reading_due(self.session, at(1))
        assert due is not None and due.due_at == at(10) and not due.overdue

    def test_a_struck_reading_does_not_reset_the_clock(self) -> None:
        reading(self.session, self.nurse, 5)
        wrong = reading(self.session, self.nurse, 12)
        wrong.struck_at, wrong.struck_by, wrong.strike_reason = at(13), self.nurse, "Wrong arm"
        wrong.save()
        due = next_reading_due(self.session, at(16))
        assert due is not None and due.due_at == at(15) and due.overdue

    def test_paused_keeps_the_infusion_interval(self) -> None:
        self.session.state = states.PAUSED
        reading(self.session, self.nurse, 8)
        due = next_reading_due(self.session, at(18))
        assert due is not None and due.due_at == at(18) and due.interval_min == 10

    def test_recovery_every_fifteen_minutes_from_the_end_of_infusion(self) -> None:
        reading(self.session, self.nurse, 35)
        self.session.state = states.RECOVERY
        self.session.infusion_ended_at = at(40)
        self.session.recovery_started_at = at(40)
        due = next_reading_due(self.session, at(50))
        assert due is not None and (due.due_at, due.interval_min) == (at(55), 15)
        reading(self.session, self.nurse, 52, phase="recovery")
        due = next_reading_due(self.session, at(67) + SECOND)
        assert due is not None and due.due_at == at(67) and due.overdue

    def test_stopped_early_uses_the_recovery_interval(self) -> None:
        self.session.state = states.STOPPED_EARLY
        self.session.infusion_ended_at = at(22)
        due = next_reading_due(self.session, at(30))
        assert due is not None and due.due_at == at(37)

    def test_the_clinics_interval(self) -> None:
        InfusionSettings.objects.create(clinic=self.clinic, vitals_interval_infusing_min=5)
        reading(self.session, self.nurse, 2)
        due = next_reading_due(self.session, at(7) + SECOND)
        assert due is not None and due.due_at == at(7) and due.overdue

    def test_nothing_due_outside_the_infusion_and_recovery(self) -> None:
        for state in (states.SCHEDULED, states.PRECHECKS, states.DISCHARGED, states.SIGNED):
            self.session.state = state
            assert next_reading_due(self.session, at(100)) is None, state
