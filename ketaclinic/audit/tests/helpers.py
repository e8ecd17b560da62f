"""Test helpers for the audit trail.

Only ``TestCase`` (transaction rollback) can be used for tests that write audit entries: the
append-only triggers refuse the DELETE (SQLite) or TRUNCATE (PostgreSQL) with which Django's
``TransactionTestCase`` empties tables between tests.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ketaclinic.audit import triggers


def tamper(sql: str, params: Any = None) -> None:
    """Run raw SQL against the audit table the way an intruder with database access would:
    drop the append-only triggers by hand, change the rows, put the triggers back."""
    remove, install = (
        (triggers.POSTGRESQL_REMOVE, triggers.POSTGRESQL_INSTALL)
        if connection.vendor == "postgresql"
        else (triggers.SQLITE_REMOVE, triggers.SQLITE_INSTALL)
    )
    with connection.cursor() as cursor:
        for statement in remove:
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in install:
            cursor.execute(statement)
