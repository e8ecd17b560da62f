"""Schedules and the sender: planning is idempotent, the claim is atomic, a lapsed lease is
reclaimed with the same link, reminders stop at N and on submit, a paused schedule sends
nothing. (The two-worker kill -9 test is ``test_send_queue.py``.)"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

from django.core import mail
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Role
from ketaclinic.measurement import questionnaires, schedules, sends
from ketaclinic.measurement.models import DueSend, QuestionnaireRequest, SendKind, SendStatus
from ketaclinic.measurement.tests.base import PHQ9_ITEM9_ZERO, MeasurementCase
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Purpose

TOKEN = re.compile(r"/q/([^/\s]+)/")


def weekly_now(clinic: Any, **more: Any) -> dict[str, Any]:
    """A weekly schedule whose first send is due this very minute."""
    local = timezone.localtime(timezone.now(), clinic_zone(clinic))
    return {
        "instruments": ["phq9"],
        "via": ["email"],
        "start_on": local.date(),
        "send_time": local.time().replace(second=0, microsecond=0),
        "weekly": True,
        "weekly_weekday": local.weekday(),
        **more,
    }


def tokens() -> list[str]:
    return [m for msg in mail.outbox for m in TOKEN.findall(str(msg.body))]


class PlanningTests(MeasurementCase):
    def save(self, **values: Any) -> Any:
        return schedules.save_schedule(
            self.by(Role.COORDINATOR),
            self.patient,
            weekly_now(self.clinic, **values),
            site_url="http://testserver/",
        )

    def test_planning_twice_makes_each_due_send_once(self) -> None:
        schedule = self.save()
        keys = list(DueSend.objects.values_list("key", flat=True))
        # Now and the next weeks of the 14-day window: three weekly sends.
        assert len(keys) == 3 and len(set(keys)) == 3
        assert all(k.startswith(f"sched:{schedule.pk}:weekly:") for k in keys)
        assert schedules.plan(schedule) == 0
        assert schedules.plan_all() == 0
        assert DueSend.objects.count() == 3

    def test_infusion_dates_plan_before_and_day_after_sends_and_the_weekly_one_yields(
        self,
    ) -> None:
        schedule = self.save(before_infusion=True, day_after_infusion=True)
        zone = clinic_zone(self.clinic)
        infusion = (timezone.localtime(timezone.now(), zone) + dt.timedelta(days=8)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        assert schedules.plan_infusion_sends(self.patient, [infusion]) == 2
        assert schedules.plan_infusion_sends(self.patient, [infusion]) == 0
        kinds = dict(
            DueSend.objects.filter(schedule=schedule)
            .exclude(status=SendStatus.CANCELLED)
            .values_list("kind", "due_at")
        )
        assert kinds[SendKind.BEFORE_INFUSION] == infusion - dt.timedelta(hours=24)
        assert timezone.localtime(kinds[SendKind.DAY_AFTER], zone).date() == (
            infusion.date() + dt.timedelta(days=1)
        )
        # The "before" send falls on next week's weekly day: the weekly one yields to it.
        weekly_days = {
            timezone.localtime(d, zone).date()
            for d in DueSend.objects.filter(kind=SendKind.WEEKLY)
            .exclude(status=SendStatus.CANCELLED)
            .values_list("due_at", flat=True)
        }
        before_day = timezone.localtime(kinds[SendKind.BEFORE_INFUSION], zone).date()
        assert before_day.weekday() == schedule.weekly_weekday
        assert before_day not in weekly_days and len(weekly_days) == 2

    def test_a_paused_schedule_sends_nothing_and_resuming_restores_future_sends(self) -> None:
        schedule = self.save()
        assert schedules.set_active(self.by(Role.NURSE), schedule, False)
        assert sends.send_due("w1") == {}  # the one due now was cancelled with the others
        assert mail.outbox == []
        assert not DueSend.objects.filter(status=SendStatus.PENDING).exists()
        assert schedules.set_active(self.by(Role.NURSE), schedule, True)
        assert DueSend.objects.filter(status=SendStatus.PENDING).count() == 3

    def test_an_audit_entry_records_before_and_after(self) -> None:
        from ketaclinic.audit.models import AuditEntry

        self.save()
        self.save(weekly_weekday=(timezone.localdate().weekday() + 1) % 7, reminder_max=1)
        entry = AuditEntry.objects.filter(action="measurement.schedule_save").last()
        assert entry is not None
        assert (entry.before or {})["reminder_max"] == 2 and (entry.after or {})[
            "reminder_max"
        ] == 1


@override_settings(QUESTIONNAIRE_SEND_LEASE_S=300)
class SendingTests(MeasurementCase):
    def setUp(self) -> None:
        super().setUp()
        self.schedule = schedules.save_schedule(
            self.by(Role.COORDINATOR),
            self.patient,
            weekly_now(self.clinic, reminder_max=2, reminder_every_hours=24),
            site_url="http://testserver/",
        )
        self.first: DueSend = DueSend.objects.order_by("due_at")[0]

    def test_a_due_send_goes_once_with_a_link_that_opens_the_request(self) -> None:
        assert sends.send_due("w1") == {"sent": 1}
        assert sends.send_due("w2") == {}
        (message,) = mail.outbox
        assert message.to == ["ada@example.com"]
        (token,) = tokens()
        check = links.check_token(token, purpose=Purpose.QUESTIONNAIRE)
        self.first.refresh_from_db()
        req = self.first.questionnaire_request
        assert check.link is not None and req is not None and check.link.pk == req.link_id
        assert self.first.status == SendStatus.SENT and self.first.attempts == 1

    def test_a_lapsed_claim_is_reclaimed_and_carries_the_same_link(self) -> None:
        now = timezone.now()
        assert sends.claim(self.first.pk, "dead-worker", now)
        # The dead worker made the request and link, then died before the message left.
        req, token = sends._prepare(
            DueSend.objects.select_related("schedule__patient").get(pk=self.first.pk),
            sends.sender_for(self.schedule),  # type: ignore[arg-type]
            "dead-worker",
        )
        assert sends.send_one(self.first.pk, "w2", now + dt.timedelta(minutes=4)) == "taken"
        assert sends.send_one(self.first.pk, "w2", now + dt.timedelta(minutes=6)) == "sent"
        assert tokens() == [token]
        assert QuestionnaireRequest.objects.count() == 1
        self.first.refresh_from_db()
        assert (self.first.attempts, self.first.claimed_by) == (2, "w2")

    def test_reminders_stop_at_n_with_the_same_link(self) -> None:
        sends.send_due("w1")
        later = timezone.now() + dt.timedelta(hours=49)
        counts = sends.send_due("w1", now=later)
        assert counts == {"sent": 2}
        (token,) = set(tokens())
        assert len(mail.outbox) == 3 and "A reminder" in mail.outbox[2].body
        assert sends.send_due("w1", now=later + dt.timedelta(hours=1)) == {}
        assert DueSend.objects.filter(kind=SendKind.REMINDER).count() == 2
        assert token

    def test_reminders_stop_once_the_questionnaire_is_submitted(self) -> None:
        sends.send_due("w1")
        (token,) = tokens()
        check = links.check_token(token, purpose=Purpose.QUESTIONNAIRE)
        req = QuestionnaireRequest.objects.get()
        questionnaires.save_answers(
            req, "phq9", dict(enumerate(PHQ9_ITEM9_ZERO, 1)), link=check.link
        )
        questionnaires.submit_questionnaire(req, link=check.link)
        assert sends.send_due("w1", now=timezone.now() + dt.timedelta(days=3)) == {"cancelled": 2}
        assert len(mail.outbox) == 1

    def test_a_failing_mail_server_leaves_the_send_to_retry_later(self) -> None:
        with override_settings(EMAIL_BACKEND="ketaclinic.measurement.tests.test_schedules.Broken"):
            assert sends.send_due("w1") == {"retry": 1}
        self.first.refresh_from_db()
        assert self.first.status == SendStatus.PENDING and self.first.available_at > timezone.now()
        token_before = sends.unseal(
            self.first.link_sealed, int(self.first.questionnaire_request_id or 0)
        )
        assert sends.send_due("w1", now=timezone.now() + dt.timedelta(minutes=11)) == {"sent": 1}
        assert tokens() == [token_before]

    def test_a_schedule_of_a_departed_sender_is_sent_by_a_colleague(self) -> None:
        self.schedule.updated_by.is_active = False  # type: ignore[union-attr]
        self.schedule.updated_by.save()  # type: ignore[union-attr]
        self.schedule.refresh_from_db()
        colleague = sends.sender_for(self.schedule)
        assert colleague is not None and colleague.pk != self.schedule.updated_by_id
        assert colleague.is_active


class Broken:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise OSError("mail server down")


class ClaimRaceTests(TransactionTestCase):
    """Two threads (two database connections) claim the same committed row at once: exactly
    one wins. The rows are made with the ORM, not the actions: a TransactionTestCase empties
    tables afterwards, which the append-only audit table refuses (audit/tests/helpers.py)."""

    available_apps = ["ketaclinic.measurement"]

    def setUp(self) -> None:
        from ketaclinic.clinics.models import Clinic
        from ketaclinic.measurement.models import QuestionnaireSchedule
        from ketaclinic.patients.models import Patient

        self.clinic = Clinic.objects.create(name="Race Clinic", slug="race")
        self.patient = Patient.objects.create(
            clinic=self.clinic,
            legal_given_name="Race",
            legal_family_name="Test",
            date_of_birth=dt.date(1980, 1, 1),
        )
        schedule = QuestionnaireSchedule.objects.create(
            clinic=self.clinic,
            patient=self.patient,
            instruments=["phq9"],
            via=["email"],
            start_on=dt.date(2026, 1, 1),
            send_time=dt.time(9, 0),
        )
        now = timezone.now()
        self.row = DueSend.objects.create(
            schedule=schedule, key="race", kind=SendKind.WEEKLY, due_at=now, available_at=now
        )

    def tearDown(self) -> None:
        from ketaclinic.measurement.models import QuestionnaireSchedule

        DueSend.objects.all().delete()
        QuestionnaireSchedule.objects.all().delete()
        self.patient.delete()
        self.clinic.delete()

    def test_two_claimers_one_wins(self) -> None:
        for attempt in range(5):
            DueSend.objects.filter(pk=self.row.pk).update(status=SendStatus.PENDING)
            barrier = threading.Barrier(2)
            won: list[bool] = []

            def claimer(name: str, barrier: threading.Barrier, won: list[bool]) -> None:
                barrier.wait()
                try:
                    won.append(sends.claim(self.row.pk, name))
                finally:
                    connection.close()

            threads = [
                threading.Thread(target=claimer, args=(f"t{i}", barrier, won)) for i in range(2)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(won) == [False, True], attempt


class BookedVisitsPlanInfusionSendsTests(MeasurementCase):
    """Booking infusion visits (scheduling) feeds the schedule's before/after-infusion sends
    (the ``scheduling.hooks.register_booked`` hook the measurement app registers)."""

    def test_a_booked_visit_plans_the_send_before_it_and_the_day_after(self) -> None:
        from ketaclinic.scheduling.actions.bookings import book_chair
        from ketaclinic.scheduling.models import Chair, OpeningHours

        zone = clinic_zone(self.clinic)
        schedules.save_schedule(
            self.by(Role.COORDINATOR),
            self.patient,
            weekly_now(
                self.clinic, weekly=False, before_infusion=True, before_infusion_hours=24,
                day_after_infusion=True,
            ),
            site_url="http://testserver/",
        )  # fmt: skip
        chair = Chair.objects.create(clinic=self.clinic, name="Chair 1")
        for weekday in range(7):
            OpeningHours.objects.create(
                clinic=self.clinic, weekday=weekday, opens_at=dt.time(0), closes_at=dt.time(23)
            )
        day = timezone.now().astimezone(zone).date() + dt.timedelta(days=3)
        starts = dt.datetime.combine(day, dt.time(10), tzinfo=zone)
        book_chair(self.by(Role.COORDINATOR), self.patient, chair=chair, starts_at=starts)
        kinds = sorted(DueSend.objects.values_list("kind", flat=True))
        assert kinds == [SendKind.BEFORE_INFUSION, SendKind.DAY_AFTER]
        before = DueSend.objects.get(kind=SendKind.BEFORE_INFUSION)
        assert before.due_at == starts - dt.timedelta(hours=24)
