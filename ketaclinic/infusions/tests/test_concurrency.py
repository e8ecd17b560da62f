"""Concurrency and durability (issue 11 item 7): two people changing the rate from the same
screen, one wins and the other sees the conflict; twenty parallel posts of one reading store
one row on SQLite and PostgreSQL; entries keep their clinical and entered times, late ones
marked; and the default rules through the database at their boundary values."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import Client, TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.audit.tests.helpers import tamper
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents.tests.base import make_patient
from ketaclinic.infusions import states
from ketaclinic.infusions.actions._base import transition
from ketaclinic.infusions.models import InfusionSession, PumpEvent, VitalsReading
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.test_charting import NORMAL, ChartingCase, advance, chart
from ketaclinic.scheduling.models import Booking, Chair
from ketaclinic.testing import make_user, member, sign_in, sqlite_file_copy


class ConflictingRateChangeTests(ChartingCase):
    def test_two_staff_lowering_the_rate_from_the_same_screen_one_wins(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        nurse, physician = Client(), Client()
        sign_in(nurse, self.users[Role.NURSE])
        sign_in(physician, self.users[Role.PHYSICIAN])
        url = reverse("infusions:rate", args=[session.pk])
        drawn = session.version  # both screens were drawn at this version

        def post(client: Client, rate: str) -> Any:
            return client.post(
                url, {"rate_ml_per_h": rate, "reason": "BP rising.", "version": drawn,
                      "idempotency_key": key()},
            )  # fmt: skip

        first = post(nurse, "40")
        second = post(physician, "30")
        assert first.status_code == 302
        # The loser gets 409 and the conflict message at the top of the rate form, what they
        # typed kept and the form drawn again from the new version.
        assert second.status_code == 409
        html = second.content.decode()
        assert "Someone else changed this session while you were entering this" in html
        assert 'value="30"' in html
        session.refresh_from_db()
        assert f'name="version" value="{session.version}"' in html
        rates = PumpEvent.objects.filter(session=session, kind="rate")
        assert [e.rate_ml_per_h for e in rates] == [40]


class DurabilityTests(ChartingCase):
    def test_entries_keep_clinical_and_entered_time_and_late_ones_are_shown_late(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        taken = timezone.now() - dt.timedelta(minutes=11)
        late, _ = chart(self, session, clinical_at=taken)
        prompt, _ = chart(self, session)
        stored = {r.pk: r for r in VitalsReading.objects.filter(session=session)}
        assert stored[late.pk].clinical_at == taken
        assert stored[late.pk].entered_at - taken >= dt.timedelta(minutes=11)
        assert stored[prompt.pk].entered_at - stored[prompt.pk].clinical_at < dt.timedelta(
            seconds=5
        )
        self.login(Role.NURSE)
        page = self.client.get(reverse("infusions:session", args=[session.pk])).content.decode()

        # Each panel that lists readings (the charting list, the live flowsheet) marks the late
        # one, and only that one: a prompt reading adds no mark, another late one adds one mark
        # per such panel again.
        def marks() -> int:
            url = reverse("infusions:session", args=[session.pk])
            return self.client.get(url).content.decode().count("Late entry")

        first = marks()
        assert first == page.count("Late entry") >= 1
        chart(self, session)
        assert marks() == first
        chart(self, session, clinical_at=timezone.now() - dt.timedelta(minutes=12))
        per_reading = marks() - first
        assert per_reading >= 1
        chart(self, session, clinical_at=timezone.now() - dt.timedelta(minutes=13))
        assert marks() == first + 2 * per_reading

    def test_the_default_rules_at_their_boundaries(self) -> None:
        session = advance(self, self.make_session(), states.PRECHECKS)
        chart(self, session)  # baseline 120/80
        with transaction.atomic():
            session = transition(self.by(Role.NURSE), session, "start")

        def fired(**values: Any) -> list[str]:
            return sorted(f.rule.name for f in chart(self, session, **values)[1])

        # A normal reading between, so the two-running rise rule is not met by the pair.
        assert fired(systolic_mmhg=179) == []
        assert fired() == []
        assert fired(systolic_mmhg=180) == ["Systolic 180 mmHg or more"]  # +60, once
        assert fired(systolic_mmhg=159) == []  # +39 after +60: not two at +40
        assert fired(systolic_mmhg=159) == []  # +39 twice
        assert fired(systolic_mmhg=160) == []  # +40 after +39
        assert fired(systolic_mmhg=160) == [
            "Systolic rise of 40 mmHg over baseline, two readings running"
        ]
        assert fired(spo2_percent=93) == []
        assert fired(spo2_percent=92) == ["SpO2 92 % or less"]
        assert fired(spo2_percent=90) == ["SpO2 92 % or less"]
        assert fired(spo2_percent=89) == ["SpO2 92 % or less", "SpO2 below 90 %"]
        assert fired(moaas=4) == []
        assert fired(moaas=3) == ["Sedation: MOAA/S 3 or less"]
        assert fired(symptoms=["breathing_difficulty"]) == ["Breathing difficulty: stop"]


class ParallelReadingTests(TransactionTestCase):
    """Twenty posts of one reading form at once (a nurse's double taps and retries): one row.
    A TransactionTestCase, so each thread's own connection sees committed rows; the audit
    table is append-only, so its rows are removed the intruder's way before the flush."""

    def tearDown(self) -> None:
        tamper("DELETE FROM audit_auditentry")
        super().tearDown()

    def test_twenty_parallel_posts_of_one_key_store_one_reading(self) -> None:
        clinic = Clinic.objects.create(name="Parallel Chart Clinic", slug="parallel-chart")
        nurse = make_user("parallel.chart@example.org", "Chart Nurse", clinic, Role.NURSE)
        patient = make_patient(clinic)
        chair = Chair.objects.create(clinic=clinic, name="Chair P")
        booking = Booking.objects.create(
            clinic=clinic, patient=patient, chair=chair, starts_at=timezone.now(),
            infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip
        session = InfusionSession.objects.create(clinic=clinic, patient=patient, booking=booking)
        by = member(nurse, clinic)
        for name in ("check_in", "begin_checks"):
            with transaction.atomic():
                session = transition(by, session, name)
        clients = []
        for _ in range(20):
            client = Client()
            sign_in(client, nurse)
            clients.append(client)
        url = reverse("infusions:reading", args=[session.pk])
        form = {**NORMAL, "idempotency_key": key()}
        file_db: dict[str, Any] | None = None
        if connection.vendor == "sqlite":
            file_db = sqlite_file_copy(
                Path(self.enterContext(tempfile.TemporaryDirectory())) / "db"
            )
        barrier = threading.Barrier(len(clients))
        statuses: list[int] = []
        lock = threading.Lock()

        def post(client: Client) -> None:
            if file_db is not None:
                connections["default"] = SQLiteWrapper(file_db, alias="default")
            try:
                barrier.wait()
                response = client.post(url, form)
                with lock:
                    statuses.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if file_db is not None:
            with closing(sqlite3.connect(file_db["NAME"])) as db:
                rows = db.execute(
                    "SELECT count(*) FROM infusions_vitalsreading WHERE session_id = ?",
                    (session.pk,),
                ).fetchone()[0]
                audited = db.execute(
                    "SELECT count(*) FROM audit_auditentry WHERE action = ?",
                    ("infusions.reading.record",),
                ).fetchone()[0]
        else:
            rows = VitalsReading.objects.filter(session=session).count()
            audited = _audited("infusions.reading.record")
        assert rows == 1
        assert audited == 1
        # Every post is answered as stored (the repeats get the stored row back).
        assert statuses == [302] * 20, statuses


def _audited(action: str) -> int:
    from ketaclinic.audit.models import AuditEntry

    return AuditEntry.objects.filter(action=action).count()
