"""Database triggers that make the audit table append-only.

Migration 0002 installs them. Beware on SQLite: a later migration that alters
``audit_auditentry`` rebuilds the table (create, copy, drop, rename), and dropping a table drops
its triggers, so such a migration must call :func:`install` again afterwards (a test checks the
triggers refuse changes after all migrations have run).

Consequence for tests: rows written here can never be deleted, so Django's
``TransactionTestCase`` (which empties tables with DELETE on SQLite and TRUNCATE on PostgreSQL)
cannot be used by any test that writes audit entries; ``TestCase`` rolls its transaction back
instead and works. An empty audit table may still be emptied, so flushes that never wrote an
entry keep working on both databases.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"

# The class-23 SQLSTATE makes psycopg raise IntegrityError, the same exception SQLite's
# RAISE(ABORT) gives, so callers see one error type on both databases.
POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {TABLE}) THEN
            RAISE EXCEPTION 'audit entries are append-only: TRUNCATE refused'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END;
    $$
    """,  # noqa: S608 (a constant table name, no input)
    f"""
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
    """,
    f"""
    CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()
    """,
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_entry_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_truncate()",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]

_SQL = {
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _statements(vendor: str, index: int) -> list[str]:
    try:
        return _SQL[vendor][index]
    except KeyError:
        # Fail closed: an unprotected audit table on an unknown database is not acceptable.
        raise RuntimeError(f"no append-only audit triggers for the {vendor!r} database") from None


def install(schema_editor: Any) -> None:
    """Create the triggers (``schema_editor`` is a migration's schema editor)."""
    for sql in _statements(schema_editor.connection.vendor, 0):
        # params=None: the PL/pgSQL bodies contain "%" that must not be read as placeholders.
        schema_editor.execute(sql, None)


def remove(schema_editor: Any) -> None:
    for sql in _statements(schema_editor.connection.vendor, 1):
        schema_editor.execute(sql, None)
