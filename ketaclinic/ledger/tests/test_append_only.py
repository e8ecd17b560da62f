"""The database refuses edits and deletes of ledger transactions; ``ledger verify`` names a
forged row and exits non-zero; the balance CHECK constraints refuse a negative balance."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from ketaclinic import cli
from ketaclinic.accounts.models import Role
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.models import ContainerBalance, LedgerHead, Transaction
from ketaclinic.ledger.tests.base import LedgerCase, tamper
from ketaclinic.ledger.verify import verify_ledger

TABLE = Transaction._meta.db_table


class AppendOnlyTests(LedgerCase):
    def setUp(self) -> None:
        self.draw = chair.draw(self.by(Role.NURSE), self.vial(), self.session, "40")

    def test_raw_sql_update_is_refused(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE ledger_transaction SET quantity_mg = 1 WHERE id = %s", [self.draw.pk]
                )
        assert Transaction.objects.get(pk=self.draw.pk).quantity_mg == Decimal("40")

    def test_raw_sql_delete_is_refused(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_transaction WHERE id = %s", [self.draw.pk])
        assert Transaction.objects.filter(pk=self.draw.pk).exists()

    def test_orm_update_and_delete_are_refused(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Transaction.objects.filter(pk=self.draw.pk).update(reason="forged")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Transaction.objects.filter(pk=self.draw.pk).delete()

    def test_the_database_refuses_a_negative_balance(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            ContainerBalance.objects.filter(container=self.vial()).update(mg=Decimal("-0.001"))

    def test_verify_passes_a_clean_ledger(self) -> None:
        result = verify_ledger()
        # Two receipts in setUpTestData, one draw here.
        assert (result.ok, result.checked, result.containers) == (True, 3, 2), result

    def test_verify_names_a_forged_row_and_the_command_exits_non_zero(self) -> None:
        tamper(
            "UPDATE ledger_transaction SET quantity_mg = 4, quantity_ml = 0.4 WHERE id = %s",
            [self.draw.pk],
        )
        result = verify_ledger()
        assert (result.ok, result.first_bad_id) == (False, self.draw.pk)
        assert "altered" in result.problem
        with self.assertRaises(CommandError) as caught:
            call_command("ledger", "verify", stdout=io.StringIO())
        assert caught.exception.returncode == 1
        assert f"BROKEN at entry #{self.draw.pk}" in str(caught.exception)
        assert cli.cmd_ledger(["verify"]) == 1

    def test_verify_names_a_row_inserted_with_a_wrong_hash(self) -> None:
        forged = Transaction.objects.get(pk=self.draw.pk)
        forged.pk = None
        forged.prev_hash = self.draw.entry_hash
        forged.entry_hash = "f" * 64
        forged.save(force_insert=True)
        LedgerHead.objects.filter(clinic=self.clinic).update(
            last_hash=forged.entry_hash, last_entry_id=forged.pk
        )
        result = verify_ledger()
        assert (result.ok, result.first_bad_id) == (False, forged.pk)

    def test_verify_names_a_removed_row(self) -> None:
        second = chair.draw(self.by(Role.NURSE), self.vial(), self.session, "10")
        tamper("DELETE FROM ledger_transaction WHERE id = %s", [self.draw.pk])
        result = verify_ledger()
        assert (result.ok, result.first_bad_id) == (False, second.pk)
        assert "removed" in result.problem

    def test_verify_names_a_wrong_balance(self) -> None:
        ContainerBalance.objects.filter(container=self.vial()).update(mg=Decimal("170"))
        result = verify_ledger()
        assert not result.ok
        assert "wrong balance" in result.problem and "170.000 mg" in result.problem
        assert result.first_bad_id == self.draw.pk

    def test_verify_names_a_consistent_rehash_whose_delta_is_wrong(self) -> None:
        # An intruder who rewrites a row and recomputes its hash and the head: the delta no
        # longer follows from the quantity, or the balance no longer matches.
        from ketaclinic.ledger.chain import content_hash

        row = Transaction.objects.get(pk=self.draw.pk)
        row.quantity_mg = Decimal("4.000")
        new_hash = content_hash(row)
        tamper(
            "UPDATE ledger_transaction SET quantity_mg = 4, entry_hash = %s WHERE id = %s",
            [new_hash, row.pk],
        )
        LedgerHead.objects.filter(clinic=self.clinic).update(last_hash=new_hash)
        result = verify_ledger()
        assert (result.ok, result.first_bad_id) == (False, row.pk)
        assert "does not follow" in result.problem

    def test_balance_json_lists_container_lot_and_location(self) -> None:
        import json

        out = io.StringIO()
        call_command("ledger", "balance", "--json", stdout=out)
        data = json.loads(out.getvalue())
        by_label = {row["label"]: row for row in data["containers"]}
        assert by_label[self.vial().label]["mg"] == "160.000"
        assert by_label[self.vial().label]["ml"] == "16.000"
        (lot,) = data["lots"]
        assert (lot["mg"], lot["ml"]) == ("360.000", "36.000")  # 160 + 200 mg
        (safe,) = data["locations"]
        assert (safe["location"], safe["mg"]) == ("Safe", "360.000")


class NegativeZeroTests(LedgerCase):
    def test_a_correction_to_the_same_amount_hashes_as_stored(self) -> None:
        # Found by the state machine on PostgreSQL: -1 × (0.1 − 0.1) is Decimal("-0.000"),
        # which numeric gives back as 0.000; the hash must not depend on the sign of zero.
        from ketaclinic.ledger.actions import disposal

        nurse = self.by(Role.NURSE)
        draw = chair.draw(nurse, self.vial(), self.session, "0.1")
        fix = disposal.correct(nurse, draw, mg="0.1", reason="same amount, new reason")
        assert str(Transaction.objects.get(pk=fix.pk).balance_mg_delta) == "0.000"
        assert verify_ledger().ok
