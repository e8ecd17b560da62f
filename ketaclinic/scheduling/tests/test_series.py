"""The series booker: spacing, opening hours, closures, other chairs, all or nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from ketaclinic.scheduling import actions
from ketaclinic.scheduling.models import Booking, Closure, OpeningHours
from ketaclinic.scheduling.tests.base import MONDAY, SchedulingCase, add_patient, at

SIX_OVER_TWO_WEEKS = {"count": 6, "min_spacing_days": 2, "max_spacing_days": 3}  # §1.4


class SeriesTests(SchedulingCase):
    def series(self, patient: object = None, **kw: object) -> list[Booking]:
        values: dict[str, object] = {
            "first_day": MONDAY, **SIX_OVER_TWO_WEEKS, "infusion_minutes": 40,
            "recovery_minutes": 60, "earliest_time": dt.time(9), **kw,
        }  # fmt: skip
        return actions.book_series(self.nurse, patient or self.patient, **values)  # type: ignore[arg-type]

    def days(self, made: list[Booking]) -> list[dt.date]:
        return [b.starts_at.astimezone(at(MONDAY, "09:00").tzinfo).date() for b in made]

    def test_six_visits_two_to_three_days_apart_on_open_days_same_chair_and_time(self) -> None:
        made = self.series()
        # Mon, Wed, Fri, then Mon (3 days: the weekend is closed), Wed, Fri.
        assert self.days(made) == [MONDAY + dt.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
        assert {b.chair for b in made} == {self.chairs[0]}
        assert {b.starts_at.astimezone(at(MONDAY, "09:00").tzinfo).time() for b in made} == {
            dt.time(9)
        }
        assert [b.series_position for b in made] == [1, 2, 3, 4, 5, 6]
        assert len({b.series_key for b in made}) == 1

    def test_a_closure_moves_a_visit_and_the_spacing_still_holds(self) -> None:
        wednesday = MONDAY + dt.timedelta(days=2)
        Closure.objects.create(
            clinic=self.clinic, starts_on=wednesday, ends_on=wednesday, reason="Training"
        )
        days = self.days(self.series())
        assert wednesday not in days
        # Monday then Thursday would leave the weekend to cross in 2–3 days (Saturday and
        # Sunday are closed): the search backs up and starts on Tuesday, then Friday.
        assert days[:3] == [MONDAY + dt.timedelta(days=d) for d in (1, 4, 7)]
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        assert all(2 <= g <= 3 for g in gaps), gaps

    def test_a_taken_chair_and_time_moves_to_another_chair_at_that_time(self) -> None:
        other = add_patient(self.clinic)
        actions.book_chair(
            self.nurse,
            other,
            chair=self.chairs[0],
            starts_at=at(MONDAY + dt.timedelta(days=2), "09:00"),
        )
        made = self.series(chair=self.chairs[0])
        second = made[1]
        assert (second.chair, second.starts_at) == (
            self.chairs[1],
            at(MONDAY + dt.timedelta(days=2), "09:00"),
        )
        assert {b.chair for b in made[2:]} == {self.chairs[0]}

    def test_it_fits_within_opening_hours_across_chairs(self) -> None:
        # Only 09:00–11:00 on Mondays; chairs 1 and 2 busy then: chair 3 it is.
        OpeningHours.objects.filter(clinic=self.clinic, weekday=0).update(
            opens_at=dt.time(9), closes_at=dt.time(11)
        )
        for chair in self.chairs[:2]:
            actions.book_chair(
                self.nurse, add_patient(self.clinic), chair=chair, starts_at=at(MONDAY, "09:00")
            )
        made = self.series(count=1)
        assert (made[0].chair, made[0].ends_at) == (self.chairs[2], at(MONDAY, "10:40"))

    def test_when_the_series_cannot_fit_nothing_is_booked(self) -> None:
        Closure.objects.create(
            clinic=self.clinic, starts_on=MONDAY + dt.timedelta(days=7),
            ends_on=MONDAY + dt.timedelta(days=20), reason="Renovation",
        )  # fmt: skip
        with self.assertRaises(ValidationError) as caught:
            self.series()
        assert "No series of 6 visits 2–3 days apart fits" in caught.exception.messages[0]
        assert "Nothing was booked" in caught.exception.messages[0]
        assert Booking.objects.count() == 0

    def test_the_patients_own_bookings_are_avoided(self) -> None:
        actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[2], starts_at=at(MONDAY, "09:00")
        )
        made = self.series(count=2)
        assert made[0].starts_at == at(MONDAY, "10:45")  # after their own 09:00–10:40
