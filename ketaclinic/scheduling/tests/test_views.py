"""The schedule's pages from every side: each role, a visitor, another clinic."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.scheduling import actions
from ketaclinic.scheduling.models import (
    Booking,
    BookingStatus,
    Chair,
    Closure,
    EventKind,
    SchedulingSettings,
)
from ketaclinic.scheduling.tests.base import MONDAY, SchedulingCase, add_patient, at, set_up_clinic
from ketaclinic.testing import make_user

BOOKERS = (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR)
NOT_BOOKERS = (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL)


def _form(**extra: object) -> dict[str, object]:
    return {
        "day": MONDAY.isoformat(), "time": "09:00", "infusion_minutes": 40,
        "recovery_minutes": 60, **extra,
    }  # fmt: skip


class BoardAccessTests(SchedulingCase):
    def test_who_opens_the_board(self) -> None:
        url = reverse("scheduling:board")
        for role in BOOKERS:
            self.login(role)
            assert self.client.get(url).status_code == 200, role
        for role in NOT_BOOKERS:
            self.login(role)
            self.assert_denied(self.client.get(url), 403)
        self.login(self.outsider)
        self.assert_denied(self.client.get(url), 403)
        self.client.logout()
        self.assert_denied(self.client.get(url), 302)
        self.assert_denied(self.client.get(reverse("scheduling:board_partial")), 302)

    def test_the_board_shows_only_this_clinics_bookings(self) -> None:
        other_chair = set_up_clinic(self.other, chairs=1)[0]
        stranger = add_patient(self.other, legal_given_name="Elsewhere")
        Booking.objects.create(
            clinic=self.other, patient=stranger, chair=other_chair, starts_at=at(MONDAY, "09:00"),
            infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip
        actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )
        self.login(Role.NURSE)
        body = self.client.get(reverse("scheduling:board") + f"?day={MONDAY}").content.decode()
        assert "Rosa Booker" in body and "Elsewhere" not in body


class BookPageTests(SchedulingCase):
    def test_a_coordinator_books_and_lands_on_the_days_board(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.post(
            reverse("scheduling:book"), _form(patient=self.patient.pk, chair=self.chairs[1].pk)
        )
        booking = Booking.objects.get()
        assert response["Location"] == reverse("scheduling:board") + f"?day={MONDAY}"
        assert (booking.chair, booking.starts_at) == (self.chairs[1], at(MONDAY, "09:00"))
        assert booking.created_by == self.users[Role.COORDINATOR]

    def test_a_refusal_is_at_the_field_and_keeps_what_was_typed(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("scheduling:book"),
            _form(patient=self.patient.pk, chair=self.chairs[0].pk, time="16:30"),
        )
        assert response.status_code == 200
        assert "is outside the clinic&#x27;s opening hours" in response.content.decode()
        assert response.context["form"].errors["time"]
        assert response.context["form"]["time"].value() == "16:30"
        assert Booking.objects.count() == 0

    def test_another_clinics_patient_or_chair_is_not_a_choice(self) -> None:
        stranger = add_patient(self.other)
        other_chair = Chair.objects.create(clinic=self.other, name="Theirs")
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("scheduling:book"), _form(patient=stranger.pk, chair=other_chair.pk)
        )
        errors = response.context["form"].errors
        assert set(errors) == {"patient", "chair"}
        assert Booking.objects.count() == 0

    def test_the_admin_and_the_custodian_do_not_book(self) -> None:
        for role in NOT_BOOKERS:
            self.login(role)
            self.assert_denied(self.client.get(reverse("scheduling:book")), 403)


class BookingPageTests(SchedulingCase):
    def setUp(self) -> None:
        super().setUp()
        self.booking = actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )
        self.url = reverse("scheduling:booking", args=[self.booking.pk])

    def test_another_clinics_nurse_does_not_find_it(self) -> None:
        theirs = make_user("nurse@other.example", "Their Nurse", self.other, Role.NURSE)
        self.login(theirs)
        self.assert_denied(self.client.get(self.url), 404)
        self.assert_denied(
            self.client.post(
                reverse("scheduling:cancel", args=[self.booking.pk]), {"cancel-reason": "x"}
            ),
            404,
        )
        self.booking.refresh_from_db()
        assert self.booking.status == BookingStatus.BOOKED

    def test_moving_and_cancelling_with_reasons_from_the_page(self) -> None:
        self.login(Role.NURSE)
        moved = self.client.post(
            reverse("scheduling:reschedule", args=[self.booking.pk]),
            {
                "chair": self.chairs[2].pk,
                "day": MONDAY.isoformat(),
                "time": "13:00",
                "reason": "Later",
            },
        )
        assert moved["Location"] == self.url
        empty = self.client.post(
            reverse("scheduling:cancel", args=[self.booking.pk]), {"cancel-reason": ""}
        )
        assert empty.status_code == 200 and empty.context["cancel_form"].errors["reason"]
        SchedulingSettings.objects.create(clinic=self.clinic, late_cancel_fee=Decimal("50"))
        self.client.post(
            reverse("scheduling:cancel", args=[self.booking.pk]), {"cancel-reason": "Flu"}
        )
        self.booking.refresh_from_db()
        assert self.booking.status == BookingStatus.CANCELLED
        page = self.client.get(self.url).content.decode()
        assert "Later" in page and "Flu" in page
        assert "0 no-shows, 0 late cancellations" in page  # years ahead: not late
        assert self.booking.events.get(kind__in=[EventKind.CANCELLED, EventKind.LATE_CANCELLED])

    def test_completing_a_visit_not_begun_is_refused_with_a_message(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("scheduling:complete", args=[self.booking.pk]), follow=True
        )
        assert "once it has begun" in response.content.decode()


class SetupPageTests(SchedulingCase):
    def test_readers_see_the_setup_without_forms_and_cannot_post(self) -> None:
        self.login(Role.PHYSICIAN)
        page = self.client.get(reverse("scheduling:setup")).content.decode()
        assert "Chair 1" in page and "Monday 08:00–17:00" in page and "Add chair" not in page
        self.assert_denied(self.client.post(reverse("scheduling:chair_add"), {"name": "X"}), 403)
        self.assert_denied(self.client.post(reverse("scheduling:settings"), {}), 403)

    def test_the_admin_adds_a_chair_hours_and_a_closure_that_warns_of_bookings(self) -> None:
        actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )
        self.login(Role.CLINIC_ADMIN)
        self.client.post(reverse("scheduling:chair_add"), {"name": "Chair 4"})
        assert Chair.objects.filter(clinic=self.clinic, name="Chair 4").exists()
        again = self.client.post(reverse("scheduling:chair_add"), {"name": "chair 4"})
        assert "There is already a chair called chair 4." in again.content.decode()
        overlap = self.client.post(
            reverse("scheduling:hours_add"),
            {"weekday": 0, "opens_at": "16:00", "closes_at": "18:00"},
        )
        assert overlap.context["hours_form"].errors["opens_at"]
        response = self.client.post(
            reverse("scheduling:closure_add"),
            {
                "starts_on": MONDAY.isoformat(),
                "ends_on": MONDAY.isoformat(),
                "reason": "Inspection",
            },
            follow=True,
        )
        assert "1 booking(s) fall in this closure" in response.content.decode()
        assert Closure.objects.get().chair is None

    def test_the_coordinator_sets_the_observation_time_and_sees_the_source(self) -> None:
        self.login(Role.COORDINATOR)
        page = self.client.get(reverse("scheduling:settings")).content.decode()
        assert "ketamine-infusion.com" in page and "§5.3" in page
        data = {
            "default_infusion_minutes": 40, "min_observation_minutes": 45,
            "late_cancel_notice_hours": 48, "late_cancel_fee": "0", "no_show_fee": "0",
            "reminder_hours_before": 24,
        }  # fmt: skip
        self.client.post(reverse("scheduling:settings"), data)
        chosen = SchedulingSettings.objects.get(clinic=self.clinic)
        assert (chosen.min_observation_minutes, chosen.late_cancel_notice_hours) == (45, 48)
        too_short = self.client.post(
            reverse("scheduling:settings"), {**data, "min_observation_minutes": 5}
        )
        assert too_short.context["form"].errors["min_observation_minutes"]

    def test_duty_for_the_day_shows_on_the_board(self) -> None:
        self.login(Role.COORDINATOR)
        self.client.post(
            reverse("scheduling:duty_add"), {"day": MONDAY.isoformat(), "membership": self.nurse.pk}
        )
        again = self.client.post(
            reverse("scheduling:duty_add"), {"day": MONDAY.isoformat(), "membership": self.nurse.pk}
        )
        assert "already on duty" in again.content.decode()
        board = self.client.get(reverse("scheduling:board") + f"?day={MONDAY}").content.decode()
        assert "On duty:" in board and "Nurse (Nurse)" in board
