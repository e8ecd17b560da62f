"""Reminders: sent once per booking and start time by email and text, never for a cancelled or
moved booking's old time; the daily sweep sends only what is due."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from ketaclinic.lib.messaging import sms
from ketaclinic.ops.queue import daily_tasks
from ketaclinic.scheduling import actions
from ketaclinic.scheduling.models import BookingReminder
from ketaclinic.scheduling.reminders import send_due_reminders
from ketaclinic.scheduling.tasks import send_booking_reminder, send_due_booking_reminders
from ketaclinic.scheduling.tests.base import MONDAY, SchedulingCase, at


class ReminderTests(SchedulingCase):
    def setUp(self) -> None:
        super().setUp()
        sms.outbox.clear()
        self.booking = actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )

    def test_the_task_sends_once_by_email_and_text(self) -> None:
        start = self.booking.starts_at.isoformat()
        assert send_booking_reminder.call(self.booking.pk, start) == "sent"
        assert send_booking_reminder.call(self.booking.pk, start) == "already sent"
        assert len(mail.outbox) == 1 and len(sms.outbox) == 1
        assert mail.outbox[0].subject == "Your appointment reminder"  # no patient data
        assert "Monday 04 March at 09:00" in mail.outbox[0].body
        assert sms.outbox[0].to == "+14155550123"
        row = BookingReminder.objects.get()
        assert (row.channels, row.for_starts_at) == (["email", "sms"], self.booking.starts_at)

    def test_a_moved_booking_is_announced_again_for_its_new_time_only(self) -> None:
        old = self.booking.starts_at.isoformat()
        send_booking_reminder.call(self.booking.pk, old)
        actions.reschedule_booking(
            self.nurse, self.booking, starts_at=at(MONDAY, "13:00"), reason="Afternoon"
        )
        assert send_booking_reminder.call(self.booking.pk, old) == "moved or cancelled"
        assert (
            send_booking_reminder.call(self.booking.pk, at(MONDAY, "13:00").isoformat()) == "sent"
        )
        assert BookingReminder.objects.count() == 2 and len(mail.outbox) == 2

    def test_a_cancelled_booking_gets_none(self) -> None:
        actions.cancel_booking(self.nurse, self.booking, reason="Away")
        assert send_booking_reminder.call(self.booking.pk, self.booking.starts_at.isoformat()) == (
            "moved or cancelled"
        )
        assert mail.outbox == []

    def test_the_sweep_sends_what_is_due_once(self) -> None:
        too_early = at(MONDAY, "09:00") - dt.timedelta(hours=30)
        assert send_due_reminders(now=too_early) == 0
        due = at(MONDAY, "09:00") - dt.timedelta(hours=20)
        assert send_due_reminders(now=due) == 1
        assert send_due_reminders(now=due + dt.timedelta(hours=1)) == 0
        assert len(mail.outbox) == 1
        assert send_due_booking_reminders in daily_tasks()

    def test_a_clinic_without_reminders_sends_none(self) -> None:
        actions.update_settings(self.admin, self.clinic, {"reminder_hours_before": 0})
        assert send_due_reminders(now=at(MONDAY, "09:00") - dt.timedelta(hours=2)) == 0
