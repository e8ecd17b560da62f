"""Fixtures for the operations tests: throwaway databases of this leg's kind.

The backup, restore and worker tests run the real command line in child processes against
their own data directory and database (the audit entries they commit can never be deleted, so
they must not land in the test database). On the PostgreSQL leg (``DATABASE_URL`` names a
PostgreSQL server) each throwaway database is created beside the test database, named after it
(``<name>_<purpose>_<random>``), and dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dj_database_url
import pytest

from ketaclinic.ops.tests.helpers import leg, setup_clinic


@pytest.fixture
def fresh_database() -> Iterator[Callable[[str], str | None]]:
    """A factory: ``fresh_database("src")`` is a new empty database of this leg's kind, as a
    ``DATABASE_URL`` (None on the SQLite leg, where each data directory has its own file)."""
    if leg() == "sqlite":
        yield lambda purpose: None
        return
    import psycopg

    url = os.environ["DATABASE_URL"]
    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )
    created: list[str] = []

    def make(purpose: str) -> str:
        name = f"{config['NAME']}_{purpose}_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{url.rsplit('/', 1)[0]}/{name}"

    try:
        yield make
    finally:
        for name in created:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def _clinic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = tmp_path_factory.mktemp("clinic-template") / "data"
    setup_clinic(template)  # migrating takes seconds: done once, then copied
    return template


@pytest.fixture
def sqlite_clinic(_clinic_template: Path) -> Callable[[Path], Path]:
    """A factory: ``sqlite_clinic(dir)`` makes ``dir`` a data directory holding a migrated SQLite
    clinic (``helpers.SETUP``: a clinic admin, a logo, 3 audit entries) and returns it."""

    def make(directory: Path) -> Path:
        shutil.copytree(_clinic_template, directory)
        return directory

    return make
