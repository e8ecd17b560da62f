"""Booking the signed plan's induction series from the treatment tab: the plan's count, spacing
and chair minutes; refused for an unsigned plan, another clinic, a bad date; roles."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.accounts.models import Role
from ketaclinic.scheduling.models import Booking, BookingStatus, Chair
from ketaclinic.scheduling.tests.base import set_up_clinic
from ketaclinic.treatment import actions
from ketaclinic.treatment.queries import chair_minutes

from .base import PlanCase, other_clinic_patient


def next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=7 - after.weekday())


class BookSeriesTests(PlanCase):
    chairs: list[Chair]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.chairs = set_up_clinic(cls.clinic, chairs=2)

    def url(self, name: str = "book_series") -> str:
        return reverse(f"treatment:{name}", args=[self.patient.pk])

    def signed_plan(self):
        self.ready()
        plan = self.draft(reason="First plan.")
        actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
        return plan

    def test_a_signed_plan_books_its_series_with_its_minutes_and_spacing(self) -> None:
        plan = self.signed_plan()
        version = plan.latest
        first = next_monday(clinic_today(self.clinic))
        self.login(Role.NURSE)
        page = self.client.get(self.url("tab")).content.decode()
        assert "Book the series" in page
        tomorrow = clinic_today(self.clinic) + dt.timedelta(days=1)
        assert f'value="{tomorrow.isoformat()}"' in page
        response = self.client.post(
            self.url(), {"first_day": first.isoformat(), "chair": self.chairs[1].pk}
        )
        assert response.status_code == 302
        assert response["Location"] == self.url("tab")
        made = list(Booking.objects.filter(patient=self.patient).order_by("starts_at"))
        assert version.series_count >= 2
        assert len(made) == version.series_count
        infusion, recovery = chair_minutes(plan)
        zone = clinic_zone(self.clinic)
        days = [b.starts_at.astimezone(zone).date() for b in made]
        assert days[0] == first
        for earlier, later in zip(days, days[1:], strict=False):
            assert version.spacing_min_days <= (later - earlier).days <= version.spacing_max_days
        for b in made:
            assert (b.infusion_minutes, b.recovery_minutes) == (infusion, recovery)
            assert b.status == BookingStatus.BOOKED
        assert made[0].chair_id == self.chairs[1].pk
        assert [b.series_position for b in made] == list(range(1, len(made) + 1))
        tab = self.client.get(self.url("tab"))
        text = tab.content.decode()
        first_local = made[0].starts_at.astimezone(zone)
        assert f"{first_local:%a %d %b %H:%M}" in text  # the success message
        assert "visit 1 of the series" in text and f"visit {len(made)} of the series" in text

    def test_an_unsigned_plan_is_refused(self) -> None:
        self.ready()
        self.draft(reason="First plan.")
        self.login(Role.PHYSICIAN)
        assert "Book the series" not in self.client.get(self.url("tab")).content.decode()
        first = next_monday(clinic_today(self.clinic))
        response = self.client.post(self.url(), {"first_day": first.isoformat()})
        assert response.status_code == 200
        assert "The plan is not signed yet" in response.content.decode()
        assert not Booking.objects.filter(patient=self.patient).exists()

    def test_bad_date_is_shown_at_the_field(self) -> None:
        self.signed_plan()
        self.login(Role.COORDINATOR)
        response = self.client.post(self.url(), {"first_day": "31/02/nope"})
        assert response.status_code == 200
        form = response.context["series_form"]
        assert form.errors["first_day"] == ["Enter a valid date."]
        assert 'href="#id_first_day"' in response.content.decode()
        assert not Booking.objects.filter(patient=self.patient).exists()

    def test_an_error_from_the_booker_is_shown(self) -> None:
        self.signed_plan()
        Chair.objects.filter(clinic=self.clinic).update(is_active=False)
        self.login(Role.PHYSICIAN)
        first = next_monday(clinic_today(self.clinic))
        response = self.client.post(self.url(), {"first_day": first.isoformat()})
        assert response.status_code == 200
        assert "The clinic has no active chair." in response.content.decode()
        assert not Booking.objects.filter(patient=self.patient).exists()

    def test_other_clinic_other_roles_and_anonymous(self) -> None:
        self.signed_plan()
        first = next_monday(clinic_today(self.clinic)).isoformat()
        self.login(self.outsider)  # another clinic's admin: not a booking role anywhere
        self.assert_denied(self.client.post(self.url(), {"first_day": first}), 403)
        stranger = other_clinic_patient(self.other)
        self.login(Role.PHYSICIAN)
        url = reverse("treatment:book_series", args=[stranger.pk])
        self.assert_denied(self.client.post(url, {"first_day": first}), 404)
        self.login(Role.CLINIC_ADMIN)
        self.assert_denied(self.client.post(self.url(), {"first_day": first}), 403)
        self.login(Role.PHYSICIAN)
        assert self.client.get(self.url()).status_code == 405
        self.client.logout()
        self.assert_denied(self.client.post(self.url(), {"first_day": first}), 302)
        assert not Booking.objects.filter(patient=self.patient).exists()
