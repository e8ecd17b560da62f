"""Writers in separate processes never fork the chain (SQLite, and PostgreSQL when it is the
database under test).

Runs real processes against a throwaway database: the entries they commit can never be deleted
(the append-only triggers), so they must not land in the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest

from ketaclinic.lib.child import PROJECT_ROOT, child_env

WORKERS = 4
ENTRIES_EACH = 30
WRITER = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from django.db import transaction
from ketaclinic.audit.log import record
worker = int(sys.argv[1])
for n in range(int(sys.argv[2])):
    with transaction.atomic():
        record("view", after={"worker": worker, "n": n})
"""


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    return child_env(data_dir, {"DATABASE_URL": database_url} if database_url else None)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _backends() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return (
        ["sqlite", "postgresql"] if url.startswith(("postgres://", "postgresql://")) else ["sqlite"]
    )


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"ketaclinic_audit_conc_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.parametrize("database_url", _backends(), indirect=True)
def test_it_keeps_one_unbroken_chain_under_concurrent_writers(
    tmp_path: Path, database_url: str | None
) -> None:
    env = _env(tmp_path, database_url)
    migrate = _run(env, "-m", "ketaclinic", "manage", "migrate", "--skip-checks", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(worker), str(ENTRIES_EACH)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(WORKERS)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr
    verify = _run(env, "-m", "ketaclinic", "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert f"{WORKERS * ENTRIES_EACH} entries verified" in verify.stdout
