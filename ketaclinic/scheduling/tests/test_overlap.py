"""The database itself refuses overlapping booked rows, for a chair and for a patient, on
SQLite (triggers) and PostgreSQL (exclusion constraints); and 20 requests at once for the same
chair and time make exactly one booking."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import Client, TransactionTestCase
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.tests.helpers import tamper
from ketaclinic.clinics.models import Clinic
from ketaclinic.scheduling.models import Booking, BookingStatus, Chair
from ketaclinic.scheduling.tests.base import MONDAY, SchedulingCase, add_patient, at, set_up_clinic
from ketaclinic.testing import make_user, sign_in, sqlite_file_copy


def _row(patient: Any, chair: Chair, start: dt.datetime, **extra: Any) -> Booking:
    return Booking.objects.create(
        clinic_id=patient.clinic_id, patient=patient, chair=chair, starts_at=start,
        infusion_minutes=40, recovery_minutes=60, **extra,
    )  # fmt: skip


class DatabaseRefusesOverlapTests(SchedulingCase):
    def test_a_second_booked_row_on_the_same_chair_overlapping_is_refused(self) -> None:
        _row(self.patient, self.chairs[0], at(MONDAY, "10:00"))
        other = add_patient(self.clinic)
        with self.assertRaises(IntegrityError), transaction.atomic():
            _row(other, self.chairs[0], at(MONDAY, "11:30"))  # 10:00–11:40 overlaps
        assert Booking.objects.count() == 1

    def test_the_same_patient_on_two_chairs_at_once_is_refused(self) -> None:
        _row(self.patient, self.chairs[0], at(MONDAY, "10:00"))
        with self.assertRaises(IntegrityError), transaction.atomic():
            _row(self.patient, self.chairs[1], at(MONDAY, "09:00"))  # 09:00–10:40

    def test_back_to_back_and_cancelled_rows_do_not_clash(self) -> None:
        first = _row(self.patient, self.chairs[0], at(MONDAY, "10:00"))
        _row(add_patient(self.clinic), self.chairs[0], at(MONDAY, "11:40"))  # starts at the end
        Booking.objects.filter(pk=first.pk).update(status=BookingStatus.CANCELLED)
        _row(add_patient(self.clinic), self.chairs[0], at(MONDAY, "10:00"))
        assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 2

    def test_moving_a_row_onto_another_is_refused(self) -> None:
        _row(self.patient, self.chairs[0], at(MONDAY, "10:00"))
        other = _row(add_patient(self.clinic), self.chairs[0], at(MONDAY, "13:00"))
        other.starts_at = at(MONDAY, "10:30")
        with self.assertRaises(IntegrityError), transaction.atomic():
            other.save()
        # Moving a row within its own old time is not a clash with itself.
        other.refresh_from_db()
        other.starts_at = at(MONDAY, "13:15")
        other.save()

    def test_reviving_a_cancelled_row_onto_a_taken_slot_is_refused(self) -> None:
        cancelled = _row(
            self.patient, self.chairs[0], at(MONDAY, "10:00"), status=BookingStatus.CANCELLED
        )
        _row(add_patient(self.clinic), self.chairs[0], at(MONDAY, "10:00"))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Booking.objects.filter(pk=cancelled.pk).update(status=BookingStatus.BOOKED)


class ParallelBookingTests(TransactionTestCase):
    """Twenty browsers post the same chair and time at once: one booking, nineteen messages.

    A TransactionTestCase, so each thread's own connection sees committed rows; the audit
    table is append-only, so its rows are removed the intruder's way before the flush."""

    def tearDown(self) -> None:
        tamper("DELETE FROM audit_auditentry")
        super().tearDown()

    def test_twenty_parallel_requests_make_one_booking(self) -> None:
        clinic = Clinic.objects.create(name="Parallel Clinic", slug="parallel")
        chair = set_up_clinic(clinic, chairs=1)[0]
        patients = [add_patient(clinic) for _ in range(20)]
        nurse = make_user("parallel.nurse@example.org", "Nurse", clinic, Role.NURSE)
        clients = []
        for _ in patients:
            client = Client()
            sign_in(client, nurse)
            clients.append(client)
        url = reverse("scheduling:book")
        file_db: dict[str, Any] | None = None
        if connection.vendor == "sqlite":
            file_db = sqlite_file_copy(
                Path(self.enterContext(tempfile.TemporaryDirectory())) / "db"
            )
        barrier = threading.Barrier(len(patients))
        statuses: list[int] = []
        bodies: list[str] = []
        lock = threading.Lock()

        def post(client: Client, patient_pk: int) -> None:
            if file_db is not None:
                connections["default"] = SQLiteWrapper(file_db, alias="default")
            try:
                barrier.wait()
                response = client.post(
                    url,
                    {
                        "patient": patient_pk,
                        "chair": chair.pk,
                        "day": MONDAY.isoformat(),
                        "time": "10:00",
                        "infusion_minutes": 40,
                        "recovery_minutes": 60,
                    },
                )
                with lock:
                    statuses.append(response.status_code)
                    bodies.append(response.content.decode())
            finally:
                connection.close()

        threads = [
            threading.Thread(target=post, args=(c, p.pk))
            for c, p in zip(clients, patients, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if file_db is not None:
            with closing(sqlite3.connect(file_db["NAME"])) as db:
                booked = db.execute(
                    "SELECT count(*) FROM scheduling_booking WHERE status = 'booked'"
                ).fetchone()[0]
        else:
            booked = Booking.objects.filter(status=BookingStatus.BOOKED).count()
        assert booked == 1
        assert sorted(statuses) == [200] * 19 + [302], statuses
        refused = [b for b in bodies if "Chair 1 is booked 10:00–11:40 by another patient" in b]
        assert len(refused) == 19
