"""Booking, moving, cancelling (late or not), no-shows and completing: the rules, the field
messages, the history and the fees noted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.audit.models import AuditEntry
from ketaclinic.scheduling import actions
from ketaclinic.scheduling.models import Booking, BookingStatus, Closure, EventKind
from ketaclinic.scheduling.tests.base import MONDAY, SchedulingCase, add_patient, at


class BookChairTests(SchedulingCase):
    def test_it_books_infusion_plus_the_clinics_observation_by_default(self) -> None:
        booking = actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )
        assert (booking.infusion_minutes, booking.recovery_minutes) == (40, 60)
        assert booking.ends_at == at(MONDAY, "10:40")
        assert [e.kind for e in booking.events.all()] == [EventKind.BOOKED]
        entry = AuditEntry.objects.get(action="scheduling.booking.book")
        assert entry.patient_ref == str(self.patient.pk)

    def test_an_overlap_on_the_chair_is_a_field_message_naming_the_other_booking(self) -> None:
        actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[1], starts_at=at(MONDAY, "10:00"),
            infusion_minutes=10, recovery_minutes=60,
        )  # fmt: skip
        other = add_patient(self.clinic)
        with self.assertRaises(ValidationError) as caught:
            actions.book_chair(
                self.nurse, other, chair=self.chairs[1], starts_at=at(MONDAY, "10:30")
            )
        assert caught.exception.message_dict == {
            "chair": ["Chair 2 is booked 10:00–11:10 by another patient."]
        }
        assert Booking.objects.count() == 1

    def test_the_same_patient_twice_at_once_is_refused_at_the_patient(self) -> None:
        actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "10:00")
        )
        with self.assertRaises(ValidationError) as caught:
            actions.book_chair(
                self.nurse, self.patient, chair=self.chairs[2], starts_at=at(MONDAY, "11:00")
            )
        assert caught.exception.message_dict == {
            "patient": ["This patient is already booked 10:00–11:40 on Chair 1."]
        }

    def test_outside_opening_hours_on_a_closure_or_too_short_a_recovery_is_refused(self) -> None:
        def refused(**kw: object) -> dict[str, list[str]]:
            values = {"chair": self.chairs[0], "starts_at": at(MONDAY, "09:00"), **kw}
            with self.assertRaises(ValidationError) as caught:
                actions.book_chair(self.nurse, self.patient, **values)  # type: ignore[arg-type]
            return caught.exception.message_dict

        assert (
            "outside the clinic's opening hours"
            in refused(starts_at=at(MONDAY, "16:00"))["starts_at"][0]
        )
        saturday = MONDAY + dt.timedelta(days=5)
        assert "starts_at" in refused(starts_at=at(saturday, "09:00"))
        assert (
            "minimum observation, 60 minutes" in refused(recovery_minutes=30)["recovery_minutes"][0]
        )
        Closure.objects.create(
            clinic=self.clinic, chair=self.chairs[0], starts_on=MONDAY, ends_on=MONDAY,
            reason="Pump service",
        )  # fmt: skip
        assert refused()["starts_at"] == ["Chair 1 is closed on 04 March: Pump service."]
        # Another chair is open that day.
        actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[1], starts_at=at(MONDAY, "09:00")
        )

    def test_outside_the_opening_hours_with_a_reason_is_booked_and_the_reason_audited(
        self,
    ) -> None:
        from ketaclinic.audit.models import AuditEntry

        saturday = MONDAY + dt.timedelta(days=5)
        booking = actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(saturday, "19:00"),
            outside_hours_reason="Evening session agreed with the physician",
        )  # fmt: skip
        entry = AuditEntry.objects.filter(action="scheduling.booking.book").latest("id")
        assert entry.object_id == str(booking.pk)
        assert entry.reason == "Evening session agreed with the physician"
        # A blank reason is no reason: the hours apply.
        with self.assertRaises(ValidationError):
            actions.book_chair(
                self.nurse, self.patient, chair=self.chairs[1],
                starts_at=at(saturday, "09:00"), outside_hours_reason="  ",
            )  # fmt: skip

    def test_the_clinic_admin_does_not_book(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.book_chair(
                self.admin, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
            )


class ChangeBookingTests(SchedulingCase):
    booking: Booking

    def setUp(self) -> None:
        super().setUp()
        self.booking = actions.book_chair(
            self.coordinator, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )

    def test_moving_keeps_where_it_was_and_why(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            actions.reschedule_booking(
                self.nurse, self.booking, starts_at=at(MONDAY, "13:00"), reason=" "
            )
        assert "reason" in caught.exception.message_dict
        actions.reschedule_booking(
            self.nurse, self.booking, starts_at=at(MONDAY, "13:00"), chair=self.chairs[2],
            reason="Patient asked for the afternoon",
        )  # fmt: skip
        self.booking.refresh_from_db()
        assert (self.booking.chair, self.booking.ends_at) == (self.chairs[2], at(MONDAY, "14:40"))
        moved = self.booking.events.get(kind=EventKind.RESCHEDULED)
        assert (moved.from_starts_at, moved.from_chair, moved.to_chair) == (
            at(MONDAY, "09:00"), self.chairs[0], self.chairs[2],
        )  # fmt: skip
        assert moved.reason == "Patient asked for the afternoon"

    def test_moving_onto_another_booking_is_refused_and_changes_nothing(self) -> None:
        actions.book_chair(
            self.nurse,
            add_patient(self.clinic),
            chair=self.chairs[1],
            starts_at=at(MONDAY, "12:00"),
        )
        with self.assertRaises(ValidationError) as caught:
            actions.reschedule_booking(
                self.nurse, self.booking, starts_at=at(MONDAY, "12:30"), chair=self.chairs[1],
                reason="Swap",
            )  # fmt: skip
        assert caught.exception.message_dict == {
            "chair": ["Chair 2 is booked 12:00–13:40 by another patient."]
        }
        self.booking.refresh_from_db()
        assert self.booking.starts_at == at(MONDAY, "09:00")
        assert not self.booking.events.filter(kind=EventKind.RESCHEDULED).exists()

    def test_cancelling_with_notice_is_not_late_and_notes_no_fee(self) -> None:
        actions.update_settings(self.admin, self.clinic, {"late_cancel_fee": Decimal("75")})
        event = actions.cancel_booking(
            self.nurse,
            self.booking,
            reason="Feeling better",
            now=at(MONDAY, "09:00") - dt.timedelta(hours=25),
        )
        assert (event.kind, event.fee_noted) == (EventKind.CANCELLED, None)
        self.booking.refresh_from_db()
        assert (self.booking.status, self.booking.cancelled_late) == (
            BookingStatus.CANCELLED,
            False,
        )
        # The chair is free again.
        actions.book_chair(
            self.nurse,
            add_patient(self.clinic),
            chair=self.chairs[0],
            starts_at=at(MONDAY, "09:00"),
        )

    def test_cancelling_within_the_notice_is_late_and_notes_the_clinics_fee(self) -> None:
        actions.update_settings(
            self.admin,
            self.clinic,
            {"late_cancel_fee": Decimal("75"), "late_cancel_notice_hours": 48},
        )
        event = actions.cancel_booking(
            self.nurse,
            self.booking,
            reason="Car broke down",
            now=at(MONDAY, "09:00") - dt.timedelta(hours=30),
        )
        assert (event.kind, event.fee_noted, event.reason) == (
            EventKind.LATE_CANCELLED, Decimal("75.00"), "Car broke down",
        )  # fmt: skip
        self.booking.refresh_from_db()
        assert self.booking.cancelled_late
        with self.assertRaises(ValidationError):
            actions.cancel_booking(self.nurse, self.booking, reason="Again")

    def test_a_no_show_notes_the_fee_and_only_once_the_visit_began(self) -> None:
        actions.update_settings(self.coordinator, self.clinic, {"no_show_fee": Decimal("120")})
        with self.assertRaises(ValidationError):
            actions.record_no_show(self.nurse, self.booking, reason="x", now=at(MONDAY, "08:00"))
        event = actions.record_no_show(
            self.nurse, self.booking, reason="Did not answer the phone", now=at(MONDAY, "09:30")
        )
        assert (event.kind, event.fee_noted) == (EventKind.NO_SHOW, Decimal("120.00"))
        self.booking.refresh_from_db()
        assert self.booking.status == BookingStatus.NO_SHOW
        assert list(self.booking.events.values_list("kind", flat=True)) == ["booked", "no_show"]

    def test_completing_a_visit(self) -> None:
        actions.complete_booking(self.nurse, self.booking, now=at(MONDAY, "11:00"))
        self.booking.refresh_from_db()
        assert self.booking.status == BookingStatus.COMPLETED
