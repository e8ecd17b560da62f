"""The new-inquiry staff email goes through the task queue: queued with the inquiry, retried
while the mail server fails, sent and recorded once (real database backend and worker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tasks import resend_unsent_staff_notifications
from ketaclinic.inquiries.tests.base import valid_post
from ketaclinic.ops.worker import run as run_worker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
START = dt.datetime(2026, 5, 4, 15, 0, tzinfo=dt.UTC)
SEND = "ketaclinic.inquiries.tasks.send_staff_notification"


class FlakyBackend(EmailBackend):
    """The locmem backend, refusing while ``failures_left`` is above 0 (a server that is down)."""

    failures_left = 0

    def send_messages(self, messages: Any) -> int:
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@override_settings(
    TASKS=DATABASE_TASKS,
    EMAIL_BACKEND="ketaclinic.inquiries.tests.test_staff_email_task.FlakyBackend",
)
class StaffEmailTaskTests(TestCase):
    def setUp(self) -> None:
        self.clinic = Clinic.objects.create(
            name="Sturges Family Practice", slug="sturges", email="front@sturges.example"
        )
        FlakyBackend.failures_left = 0
        traveller = time_machine.travel(START, tick=False)
        self.clock = traveller.start()
        self.addCleanup(traveller.stop)

    def submit(self) -> Inquiry:
        url = reverse("inquiries:form", args=[self.clinic.slug])
        response = self.client.post(url, valid_post(), REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 302, response.content
        return Inquiry.objects.get()

    def sends(self, status: str) -> int:
        return DBTaskResult.objects.filter(task_path=SEND, status=status).count()

    def announcements(self) -> int:
        return AuditEntry.objects.filter(action="inquiry.notify_staff").count()

    def test_the_email_is_queued_with_the_inquiry_and_sent_by_the_worker(self) -> None:
        inquiry = self.submit()
        assert mail.outbox == []  # the visitor did not wait for the mail server
        assert self.sends("READY") == 1
        run_worker(once=True)
        assert len(mail.outbox) == 1
        assert f"/inquiries/{inquiry.pk}/" in mail.outbox[0].body
        inquiry.refresh_from_db()
        assert inquiry.staff_notified_at is not None
        assert self.announcements() == 1

    def test_a_failing_mail_server_is_retried_and_the_send_recorded_once(self) -> None:
        inquiry = self.submit()
        FlakyBackend.failures_left = 2
        run_worker(once=True)  # attempt 1 fails; attempt 2 waits a minute
        assert mail.outbox == []
        assert self.sends("FAILED") == 1
        run_worker(once=True)  # not due yet
        assert self.sends("READY") == 1
        self.clock.shift(dt.timedelta(seconds=61))
        run_worker(once=True)  # attempt 2 fails; attempt 3 in five minutes
        assert mail.outbox == []
        self.clock.shift(dt.timedelta(minutes=5, seconds=1))
        run_worker(once=True)  # attempt 3 goes through
        assert len(mail.outbox) == 1
        inquiry.refresh_from_db()
        assert inquiry.staff_notified_at is not None
        # A duplicate (the daily sweep, a second task) sends and records nothing more.
        resend_unsent_staff_notifications.call()
        from ketaclinic.inquiries.tasks import queue_staff_notification

        queue_staff_notification(inquiry.pk, "")
        run_worker(once=True)
        assert len(mail.outbox) == 1
        assert self.announcements() == 1

    def test_the_daily_sweep_requeues_an_inquiry_whose_task_was_lost(self) -> None:
        inquiry = self.submit()
        DBTaskResult.objects.filter(task_path=SEND).update(status="RUNNING")  # worker died
        assert resend_unsent_staff_notifications.call() == 1
        assert resend_unsent_staff_notifications.call() == 0  # one is waiting now
        run_worker(once=True)
        assert len(mail.outbox) == 1
        inquiry.refresh_from_db()
        assert inquiry.staff_notified_at is not None
        assert resend_unsent_staff_notifications.call() == 0

    def test_the_worker_runs_the_sweep_itself_once_a_day(self) -> None:
        self.submit()
        DBTaskResult.objects.filter(task_path=SEND).update(status="RUNNING")  # worker died
        run_worker(once=True)  # its first tick finds the daily sweep due
        assert len(mail.outbox) == 1
        sweep = "ketaclinic.inquiries.tasks.resend_unsent_staff_notifications"
        assert DBTaskResult.objects.filter(task_path=sweep, status="SUCCESSFUL").count() == 1
