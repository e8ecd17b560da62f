"""The database refuses two booked rows that overlap, for a chair or for a patient.

Why the database and not only the action: two requests checking "is the chair free?" at the
same moment both see it free; only a rule the database enforces while it writes is safe under
concurrency, whatever code writes the row.

* **PostgreSQL**: exclusion constraints (``btree_gist``) over ``(chair_id, tstzrange(starts_at,
  ends_at, '[)'))`` and ``(patient_id, ...)`` ``WHERE status = 'booked'``. Half-open ranges, so
  a booking may start the minute the last one ends. A violation is SQLSTATE 23P01, which
  psycopg raises as ``IntegrityError``.
* **SQLite**: ``BEFORE INSERT`` and ``BEFORE UPDATE`` triggers that ``RAISE(ABORT)`` when a
  booked row of the same chair (or patient) overlaps; SQLite reports it as a constraint
  failure, which Python raises as ``IntegrityError``. SQLite has one writer at a time (the
  project opens transactions ``IMMEDIATE``), so the trigger's check and the insert are atomic.
  Datetimes are stored as ISO text in UTC, so the text comparison is the time comparison.

Fixed slot rows (one row per chair per quarter hour under a unique constraint) were the other
choice: portable, but a 100-minute booking would be seven rows kept in step on every
reschedule, and the slot size would be baked into the data. Ranges keep one row per booking.

Beware on SQLite: a later migration that rebuilds ``scheduling_booking`` (most ``AlterField``
operations) drops its triggers; such a migration must run :func:`install` again.
"""

from __future__ import annotations

from typing import Any

TABLE = "scheduling_booking"
CHAIR_MESSAGE = "scheduling_booking_chair_overlap"
PATIENT_MESSAGE = "scheduling_booking_patient_overlap"

POSTGRESQL_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE {TABLE} ADD CONSTRAINT {CHAIR_MESSAGE}
    EXCLUDE USING gist (chair_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'booked')
    """,
    f"""
    ALTER TABLE {TABLE} ADD CONSTRAINT {PATIENT_MESSAGE}
    EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'booked')
    """,
]
# The extension stays: other tables may use it, and dropping it needs no undo here.
POSTGRESQL_REMOVE = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {PATIENT_MESSAGE}",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CHAIR_MESSAGE}",
]


def _sqlite_trigger(column: str, message: str, event: str) -> str:
    name = f"{message}_{event.lower()}"
    other = "AND b.id <> NEW.id" if event == "UPDATE" else ""
    return f"""
    CREATE TRIGGER {name} BEFORE {event} ON {TABLE}
    FOR EACH ROW WHEN NEW.status = 'booked' AND EXISTS (
        SELECT 1 FROM {TABLE} b
        WHERE b.status = 'booked' AND b.{column} = NEW.{column} {other}
          AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at
    )
    BEGIN
        SELECT RAISE(ABORT, '{message}');
    END
    """  # noqa: S608 (constant names, no input)


SQLITE_TRIGGERS = [
    (column, message, event)
    for column, message in (("chair_id", CHAIR_MESSAGE), ("patient_id", PATIENT_MESSAGE))
    for event in ("INSERT", "UPDATE")
]
SQLITE_INSTALL = [_sqlite_trigger(*t) for t in SQLITE_TRIGGERS]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {message}_{event.lower()}" for _, message, event in SQLITE_TRIGGERS
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_INSTALL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)
    else:  # refuse to migrate a database where double bookings would go unchecked
        raise NotImplementedError(f"no overlap rule for the {vendor} database")


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRESQL_REMOVE if vendor == "postgresql" else SQLITE_REMOVE)


def is_overlap(error: BaseException) -> bool:
    """True when ``error`` is one of the overlap refusals above."""
    text = str(error)
    return CHAIR_MESSAGE in text or PATIENT_MESSAGE in text
