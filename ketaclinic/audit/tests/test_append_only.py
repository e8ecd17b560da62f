"""The database itself refuses to change or remove audit entries (SQLite and PostgreSQL)."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.tests.helpers import tamper
from ketaclinic.testing import BaseTestCase

TABLE = AuditEntry._meta.db_table


class AppendOnlyTests(BaseTestCase):
    entry: AuditEntry

    def setUp(self) -> None:
        entry = record("clinic.settings.update", clinic=self.clinic, after={"x": 1})
        assert entry is not None
        self.entry = entry

    def assert_unchanged(self) -> None:
        stored = AuditEntry.objects.get(pk=self.entry.pk)
        assert (stored.action, stored.after) == ("clinic.settings.update", {"x": 1})

    def test_it_refuses_an_orm_update(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            AuditEntry.objects.filter(pk=self.entry.pk).update(action="a.forged")
        self.assert_unchanged()

    def test_it_refuses_saving_a_changed_entry(self) -> None:
        self.entry.after = {"x": 2}
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.entry.save()
        self.assert_unchanged()

    def test_it_refuses_a_queryset_delete(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            AuditEntry.objects.all().delete()
        self.assert_unchanged()

    def test_it_refuses_deleting_one_entry(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.entry.delete()
        self.assert_unchanged()

    def test_it_refuses_raw_sql_update(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {TABLE} SET action = 'a.forged'")  # noqa: S608
        self.assert_unchanged()

    def test_it_refuses_raw_sql_delete(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        self.assert_unchanged()

    def test_it_refuses_truncate_on_postgresql_and_delete_on_sqlite(self) -> None:
        # TRUNCATE skips row triggers, so PostgreSQL has a statement trigger for it;
        # SQLite has no TRUNCATE (its "truncate optimisation" is disabled by a DELETE trigger).
        statement = (
            f"TRUNCATE {TABLE} CASCADE"
            if connection.vendor == "postgresql"
            else f"DELETE FROM {TABLE} WHERE 1"  # noqa: S608
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # Run the deferred foreign-key checks of this test's inserts first;
                    # PostgreSQL will not truncate a table with pending trigger events.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(statement)
        self.assert_unchanged()

    def test_it_still_accepts_new_entries(self) -> None:
        second = record("inquiry.status", clinic=self.clinic)
        assert second is not None
        assert AuditEntry.objects.count() == 2

    def test_the_triggers_come_back_after_a_tamper(self) -> None:
        tamper(f"UPDATE {TABLE} SET action = 'a.forged'")  # noqa: S608
        with self.assertRaises(IntegrityError), transaction.atomic():
            AuditEntry.objects.update(action="a.again")
        assert AuditEntry.objects.get().action == "a.forged"


class EmptyTableTests(BaseTestCase):
    def test_an_empty_table_may_still_be_emptied(self) -> None:
        # What lets Django flush tables in tests that never wrote an audit entry.
        assert not AuditEntry.objects.exists()
        statement = (
            f"TRUNCATE {TABLE}" if connection.vendor == "postgresql" else f"DELETE FROM {TABLE}"  # noqa: S608
        )
        with connection.cursor() as cursor:
            cursor.execute(statement)
        record("view", clinic=self.clinic)
        assert AuditEntry.objects.count() == 1
