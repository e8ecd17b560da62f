"""Database triggers that make a table append-only (the audit trail's, and the ledger's).

``AppendOnly(table, prefix, noun)`` holds the SQL for one table; ``AUDIT`` is the audit
trail's, installed by audit migration 0002 (the module-level ``install``/``remove`` and the
``POSTGRESQL_*``/``SQLITE_*`` lists are its). Beware on SQLite: a later migration that alters
a protected table rebuilds it (create, copy, drop, rename), and dropping a table drops its
triggers, so such a migration must install them again afterwards (a test checks the triggers
refuse changes after all migrations have run).

Consequence for tests: rows written here can never be deleted, so Django's
``TransactionTestCase`` (which empties tables with DELETE on SQLite and TRUNCATE on PostgreSQL)
cannot be used by any test that writes to a protected table unless it removes the rows the
intruder's way first (``audit.tests.helpers.tamper``); ``TestCase`` rolls its transaction back
instead and works. An empty table may still be emptied, so flushes that never wrote a row keep
working on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AppendOnly:
    """The append-only triggers of one table.

    ``prefix`` names the PL/pgSQL functions (``<prefix>_refuse_change``), ``trigger`` the
    triggers, ``noun`` the refusal message (``"<noun> are append-only: UPDATE refused"``).
    """

    table: str
    prefix: str
    trigger: str
    noun: str

    # The class-23 SQLSTATE makes psycopg raise IntegrityError, the same exception SQLite's
    # RAISE(ABORT) gives, so callers see one error type on both databases.
    @property
    def postgresql_install(self) -> list[str]:
        return [
            f"""
    CREATE OR REPLACE FUNCTION {self.prefix}_refuse_change()
    RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{self.noun} are append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
            f"""
    CREATE OR REPLACE FUNCTION {self.prefix}_refuse_truncate()
    RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {self.table}) THEN
            RAISE EXCEPTION '{self.noun} are append-only: TRUNCATE refused'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END;
    $$
    """,  # noqa: S608 (a constant table name, no input)
            f"""
    CREATE TRIGGER {self.trigger}_append_only BEFORE UPDATE OR DELETE ON {self.table}
    FOR EACH ROW EXECUTE FUNCTION {self.prefix}_refuse_change()
    """,
            f"""
    CREATE TRIGGER {self.trigger}_no_truncate BEFORE TRUNCATE ON {self.table}
    FOR EACH STATEMENT EXECUTE FUNCTION {self.prefix}_refuse_truncate()
    """,
        ]

    @property
    def postgresql_remove(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.trigger}_no_truncate ON {self.table}",
            f"DROP TRIGGER IF EXISTS {self.trigger}_append_only ON {self.table}",
            f"DROP FUNCTION IF EXISTS {self.prefix}_refuse_truncate()",
            f"DROP FUNCTION IF EXISTS {self.prefix}_refuse_change()",
        ]

    @property
    def sqlite_install(self) -> list[str]:
        return [
            f"""
    CREATE TRIGGER {self.trigger}_no_update BEFORE UPDATE ON {self.table}
    BEGIN SELECT RAISE(ABORT, '{self.noun} are append-only: UPDATE refused'); END
    """,
            f"""
    CREATE TRIGGER {self.trigger}_no_delete BEFORE DELETE ON {self.table}
    BEGIN SELECT RAISE(ABORT, '{self.noun} are append-only: DELETE refused'); END
    """,
        ]

    @property
    def sqlite_remove(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.trigger}_no_update",
            f"DROP TRIGGER IF EXISTS {self.trigger}_no_delete",
        ]

    def statements(self, vendor: str, *, install: bool) -> list[str]:
        if vendor == "postgresql":
            return self.postgresql_install if install else self.postgresql_remove
        if vendor == "sqlite":
            return self.sqlite_install if install else self.sqlite_remove
        # Fail closed: an unprotected append-only table on an unknown database is not acceptable.
        raise RuntimeError(f"no append-only triggers for {self.table} on the {vendor!r} database")

    def install(self, schema_editor: Any) -> None:
        """Create the triggers (``schema_editor`` is a migration's schema editor)."""
        for sql in self.statements(schema_editor.connection.vendor, install=True):
            # params=None: the PL/pgSQL bodies contain "%" that must not be read as placeholders.
            schema_editor.execute(sql, None)

    def remove(self, schema_editor: Any) -> None:
        for sql in self.statements(schema_editor.connection.vendor, install=False):
            schema_editor.execute(sql, None)


AUDIT = AppendOnly(
    table="audit_auditentry", prefix="audit", trigger="audit_entry", noun="audit entries"
)
TABLE = AUDIT.table
POSTGRESQL_INSTALL = AUDIT.postgresql_install
POSTGRESQL_REMOVE = AUDIT.postgresql_remove
SQLITE_INSTALL = AUDIT.sqlite_install
SQLITE_REMOVE = AUDIT.sqlite_remove


def install(schema_editor: Any) -> None:
    """Create the audit trail's triggers."""
    AUDIT.install(schema_editor)


def remove(schema_editor: Any) -> None:
    AUDIT.remove(schema_editor)
