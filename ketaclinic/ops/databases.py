"""Consistent database snapshots and their restore, for SQLite and PostgreSQL.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database in one
step, inside one read transaction; in WAL mode writers go on meanwhile. The copy is switched to
rollback-journal mode (one self-contained file) and passes ``PRAGMA quick_check``.

PostgreSQL: a REPEATABLE READ transaction exports its snapshot and ``pg_dump --snapshot``
dumps exactly that snapshot, while the manifest's counts and audit head are read in the same
transaction, so they describe exactly what was dumped. ``pg_restore --single-transaction``
restores all or nothing.

The state (migrations, row counts, audit head) is read from the snapshot itself, never from
the live database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from ketaclinic.audit.log import GENESIS_HASH, HEAD_PK
from ketaclinic.ops.manifest import Refused

_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "options")


@dataclass(frozen=True)
class State:
    migrations: dict[str, list[str]]
    row_counts: dict[str, int]
    audit: dict[str, Any]

    @classmethod
    def read(
        cls, query: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]], tables: Iterable[str]
    ) -> State:
        migrations: dict[str, list[str]] = {}
        for app, name in query("SELECT app, name FROM django_migrations ORDER BY id", []):
            migrations.setdefault(str(app), []).append(str(name))
        counts = {
            table: int(query(f'SELECT count(*) FROM "{table}"', [])[0][0])  # noqa: S608
            for table in sorted(tables)
        }
        head = query(
            "SELECT last_hash, last_entry_id FROM audit_auditchainhead WHERE id = %s", [HEAD_PK]
        )
        last_hash, last_id = head[0] if head else (GENESIS_HASH, None)
        audit = {
            "entries": counts.get("audit_auditentry", 0),
            "last_entry_id": None if last_id is None else int(last_id),
            "head_hash": str(last_hash) if last_id is not None else GENESIS_HASH,
        }
        return cls(migrations, counts, audit)


def _check_table_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise Refused(f"unexpected table name {name!r} in the database")
    return name


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def _sqlite_state(db: sqlite3.Connection) -> State:
    def query(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return db.execute(sql.replace("%s", "?"), list(params)).fetchall()

    tables = [
        _check_table_name(row[0])
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return State.read(query, tables)


def sqlite_snapshot(target: Path) -> State:
    """Copy the live database into ``target`` and describe the copy."""
    source_path = sqlite_path()
    if not source_path.is_file():
        raise Refused(f"there is no database at {source_path}")
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True, timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one consistent read transaction
        copy.execute("PRAGMA journal_mode=DELETE")
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise Refused(f"the database copy fails SQLite's integrity check: {check}")
        return _sqlite_state(copy)
    finally:
        copy.close()
        source.close()


def sqlite_target_problem(media_root: Path) -> str:
    path = sqlite_path()
    for candidate in (path, Path(f"{path}-wal")):
        if candidate.exists() and candidate.stat().st_size > 0:
            return f"{path.parent} already holds a database ({candidate.name})"
    return _media_problem(media_root)


def sqlite_install(plain_copy: Path) -> Path:
    """Move the restored file into place (same directory, so the rename is atomic)."""
    path = sqlite_path()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), path):
        leftover.unlink(missing_ok=True)  # empty files only: checked by sqlite_target_problem
    os.replace(plain_copy, path)
    return path


def sqlite_set_aside(suffix: str = ".failed-restore") -> Path:
    """After a failed check, move the restored database out of the way (kept for a look)."""
    from django.db import connections

    connections.close_all()
    path = sqlite_path()
    aside = path.with_name(path.name + suffix)
    os.replace(path, aside)
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        extra.unlink(missing_ok=True)
    return aside


# --- PostgreSQL --------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Refused(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def tool_version(name: str) -> str:
    result = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.(\d+))?", result.stdout)
    if result.returncode != 0 or match is None:
        raise Refused(f"cannot tell the version of {name}: {result.stderr.strip()}")
    return match.group(0)


def server_version() -> str:
    version = int(connection.pg_version)  # type: ignore[attr-defined]
    return f"{version // 10000}.{version % 10000}"


def major(version: str) -> int:
    return int(version.split(".")[0])


def _libpq() -> tuple[str, dict[str, str]]:
    """A conninfo string without the password, and the environment carrying the password
    (never on a command line, where other users could read it)."""
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    options = db.get("OPTIONS") or {}
    params: dict[str, Any] = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    params.update({k: str(options[k]) for k in _LIBPQ_OPTIONS if k in options})
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return make_conninfo(**{k: v for k, v in params.items() if v is not None}), env


def _postgres_state(cursor: Any) -> State:
    def query(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    tables = [_check_table_name(row[0]) for row in cursor.fetchall()]
    return State.read(query, tables)


def postgres_snapshot(target: Path) -> tuple[State, dict[str, str]]:
    """``pg_dump`` the snapshot of one transaction into ``target``; the state from the same one."""
    dump_version = tool_version("pg_dump")
    connection.ensure_connection()
    server = server_version()
    if major(dump_version) < major(server):
        raise Refused(
            f"pg_dump {dump_version} is older than the PostgreSQL {server} server: install "
            f"the client tools of version {major(server)} or newer"
        )
    conninfo, env = _libpq()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        dump = subprocess.run(
            [
                _tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={target}",
                f"--dbname={conninfo}",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if dump.returncode != 0:
            raise Refused(f"pg_dump failed: {_first_line(dump.stderr)}")
        state = _postgres_state(cursor)
    return state, {"server_version": server, "pg_dump_version": dump_version}


def postgres_target_problem(media_root: Path) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE %s",
            ["pg_toast%"],
        )
        (relations,) = cursor.fetchone()
    if relations:
        name = connection.settings_dict["NAME"]
        return f"the database {name!r} is not empty ({relations} tables, views or sequences)"
    return _media_problem(media_root)


def postgres_install(dump: Path, dumped_with: str) -> None:
    restore_version = tool_version("pg_restore")
    if major(restore_version) < major(dumped_with):
        raise Refused(
            f"pg_restore {restore_version} cannot read a dump made by pg_dump {dumped_with}: "
            "install newer PostgreSQL client tools"
        )
    conninfo, env = _libpq()
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Refused(f"pg_restore failed, nothing was restored: {_first_line(result.stderr)}")


# --- Both --------------------------------------------------------------------------------------


def live_state() -> State:
    """The state of the database Django is connected to (after a restore)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _postgres_state(cursor)
    db = sqlite3.connect(f"{sqlite_path().as_uri()}?mode=ro", uri=True)
    try:
        return _sqlite_state(db)
    finally:
        db.close()


def _media_problem(media_root: Path) -> str:
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        return f"{media_root} already holds uploaded files"
    return ""


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "(no message)"
