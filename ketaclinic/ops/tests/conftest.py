"""Fixtures for the operations tests: throwaway clinics and databases of this leg's kind.

The backup, restore and worker tests run the real command line in child processes against
their own data directory and database (the audit entries they commit can never be deleted, so
they must not land in the test database). On the PostgreSQL leg (``DATABASE_URL`` names a
PostgreSQL server) each throwaway database is created beside the test database, named after it
(``<name>_<purpose>_<random>``), and dropped afterwards.

Migrating takes seconds, so one clinic (``helpers.SETUP``) is set up per test session and
copied: its data directory with ``shutil.copytree``, its PostgreSQL database with
``CREATE DATABASE ... TEMPLATE``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

from ketaclinic.ops.tests.helpers import leg, setup_clinic


class _Server:
    """CREATE/DROP DATABASE on the PostgreSQL server of ``DATABASE_URL``."""

    def __init__(self) -> None:
        import psycopg

        self.url = os.environ["DATABASE_URL"]
        config = dj_database_url.parse(self.url)
        self.prefix = str(config["NAME"])
        self.admin: Any = psycopg.connect(
            dbname="postgres",
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            autocommit=True,
        )
        self.created: list[str] = []

    def create(self, purpose: str, template: str = "") -> str:
        name = f"{self.prefix}_{purpose}_{uuid.uuid4().hex[:8]}"
        like = f' TEMPLATE "{template}"' if template else ""
        self.admin.execute(f'CREATE DATABASE "{name}"{like}')
        self.created.append(name)
        return name

    def url_of(self, name: str) -> str:
        return f"{self.url.rsplit('/', 1)[0]}/{name}"

    def drop_all(self) -> None:
        for name in self.created:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture
def fresh_database() -> Iterator[Callable[[str], str | None]]:
    """A factory: ``fresh_database("dst")`` is a new empty database of this leg's kind, as a
    ``DATABASE_URL`` (None on the SQLite leg, where each data directory has its own file)."""
    if leg() == "sqlite":
        yield lambda purpose: None
        return
    server = _Server()
    try:
        yield lambda purpose: server.url_of(server.create(purpose))
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = tmp_path_factory.mktemp("clinic-template") / "data"
    setup_clinic(template)
    return template


@pytest.fixture(scope="session")
def _postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    server = _Server()
    try:
        name = server.create("template")
        data = tmp_path_factory.mktemp("pg-clinic-template") / "data"
        setup_clinic(data, server.url_of(name))  # its connections are closed when it exits
        yield data, name
    finally:
        server.drop_all()


@pytest.fixture
def sqlite_clinic(_sqlite_template: Path) -> Callable[[Path], Path]:
    """A factory: ``sqlite_clinic(dir)`` makes ``dir`` a data directory holding a migrated SQLite
    clinic (``helpers.SETUP``: a clinic admin, a logo, 3 audit entries) and returns it."""

    def make(directory: Path) -> Path:
        shutil.copytree(_sqlite_template, directory)
        return directory

    return make


@pytest.fixture
def clinic(request: pytest.FixtureRequest) -> Iterator[Callable[[Path], str | None]]:
    """A factory: ``clinic(dir)`` sets up the same clinic on this leg's database, with ``dir``
    as its data directory, and returns its ``DATABASE_URL`` (None on SQLite)."""
    if leg() == "sqlite":
        template = request.getfixturevalue("_sqlite_template")

        def make_sqlite(directory: Path) -> None:
            shutil.copytree(template, directory)

        yield make_sqlite
        return
    data, name = request.getfixturevalue("_postgres_template")
    server = _Server()

    def make(directory: Path) -> str:
        shutil.copytree(data, directory)
        return server.url_of(server.create("clinic", template=name))

    try:
        yield make
    finally:
        server.drop_all()
