"""Fifty nurses draw from one vial at once: a vial holding enough for ten gives exactly ten
draws and forty clear refusals, and its balance is exact (SQLite and PostgreSQL).

A TransactionTestCase, so each thread's own connection sees committed rows. On PostgreSQL the
threads share the test database and the draw's ``select_for_update`` of the balance row
serialises them; on SQLite they work on a file copy of the test database with the production
options (WAL, IMMEDIATE transactions, a busy timeout), as the clinic runs, where the IMMEDIATE
transaction serialises writers. Ledger and audit rows are append-only, so they are removed the
intruder's way before the flush.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import TransactionTestCase

from ketaclinic.accounts.models import Role
from ketaclinic.audit.tests.helpers import tamper as audit_tamper
from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.models import Container, ContainerBalance, Kind, Transaction
from ketaclinic.ledger.tests.base import Stock, add_patient, add_session, tamper
from ketaclinic.ledger.verify import verify_ledger
from ketaclinic.scheduling.models import Chair
from ketaclinic.testing import make_user, member, sqlite_file_copy

T = TypeVar("T")
THREADS = 50
DRAW_MG = Decimal("20")  # a 200 mg vial (10 mg/mL × 20 mL) holds enough for 10


class ParallelDrawTests(TransactionTestCase):
    def tearDown(self) -> None:
        tamper("DELETE FROM ledger_transaction")
        audit_tamper("DELETE FROM audit_auditentry")
        super().tearDown()

    def test_fifty_parallel_draws_from_a_vial_for_ten(self) -> None:
        clinic = Clinic.objects.create(name="Parallel Clinic", slug="parallel")
        custodian = make_user("custodian@parallel.example", "Custodian", clinic, Role.CUSTODIAN)
        nurse = make_user("nurse@parallel.example", "Nurse", clinic, Role.NURSE)
        stock = Stock(clinic, member(custodian, clinic))
        (vial,) = stock.receive(n=1)
        chair_row = Chair.objects.create(clinic=clinic, name="Chair 1")
        session = add_session(clinic, add_patient(clinic), chair_row)
        file_db: dict[str, Any] | None = None
        if connection.vendor == "sqlite":
            file_db = sqlite_file_copy(
                Path(self.enterContext(tempfile.TemporaryDirectory())) / "db"
            )

        def on_db(fn: Callable[[], T]) -> T:
            if file_db is not None:
                connections["default"] = SQLiteWrapper(file_db, alias="default")
            try:
                return fn()
            finally:
                connection.close()

        barrier = threading.Barrier(THREADS)
        lock = threading.Lock()
        successes: list[int] = []
        refusals: list[str] = []
        errors: list[BaseException] = []

        def draw() -> None:
            by = member(nurse, clinic)
            container = Container.objects.select_related("lot__drug").get(pk=vial.pk)
            own_session = InfusionSession.objects.get(pk=session.pk)
            barrier.wait()
            try:
                txn = chair.draw(by, container, own_session, DRAW_MG)
            except ValidationError as refused:
                with lock:
                    refusals.append(refused.message_dict["mg"][0])
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                with lock:
                    errors.append(error)
            else:
                with lock:
                    successes.append(txn.pk)

        threads = [threading.Thread(target=on_db, args=(draw,)) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert errors == [], errors
        assert len(successes) == 10, (len(successes), refusals[:3])
        assert len(refusals) == 40
        assert all(f"Vial {vial.label} holds 0.000 mg" in r for r in refusals), refusals[:3]

        def outcome() -> tuple[Any, ...]:
            balance = ContainerBalance.objects.get(container_id=vial.pk)
            draws = Transaction.objects.filter(container_id=vial.pk, kind=Kind.DRAW).count()
            return balance.mg, balance.ml, draws, verify_ledger().ok

        result = threading.Thread(target=lambda: box.append(on_db(outcome)))
        box: list[tuple[Any, ...]] = []
        result.start()
        result.join()
        assert box == [(Decimal("0.000"), Decimal("0.000"), 10, True)]
