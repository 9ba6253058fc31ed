"""Fixtures for tests that need the demo data: seeded once per session, copied fresh for each test."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.db import Database, open_database
from console.keys import KeyRing
from console.seed import DemoSeedReport, seed_demo
from tests.support.postgres import ThrowawayPostgres


@pytest.fixture(scope="session")
def demo_keyring() -> KeyRing:
    """The keys the demo template was seeded with (TOTP secrets decrypt with these only)."""
    return KeyRing.generate()


@pytest.fixture(scope="session")
def demo_now() -> datetime:
    """The `now` the demo data is relative to: this test session's start."""
    return datetime.now(UTC)


@pytest.fixture(scope="session")
def demo_sqlite_template(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    demo_keyring: KeyRing,
    demo_now: datetime,
) -> tuple[Path, DemoSeedReport]:
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}", demo_keyring)
    try:
        report = seed_demo(database, demo_keyring, now=demo_now)
    finally:
        database.dispose()
    # Fold the WAL into the main file so copying that one file copies everything.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path, report


@pytest.fixture(scope="session")
def demo_seed_report(demo_sqlite_template: tuple[Path, DemoSeedReport]) -> DemoSeedReport:
    return demo_sqlite_template[1]


@pytest.fixture
def demo_sqlite_url(tmp_path: Path, demo_sqlite_template: tuple[Path, DemoSeedReport]) -> str:
    """A fresh copy of the demo database for this test alone."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_sqlite_template[0], path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_db_url(demo_sqlite_url: str) -> str:
    return demo_sqlite_url


@pytest.fixture
def demo_database(demo_sqlite_url: str, demo_keyring: KeyRing) -> Iterator[Database]:
    database = open_database(demo_sqlite_url, demo_keyring, trust_console_clock=True)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_postgres_template(
    postgres_server: ThrowawayPostgres,
    postgres_template: str,
    demo_keyring: KeyRing,
    demo_now: datetime,
) -> str:
    name = "hotline_demo_template"
    database = open_database(
        postgres_server.create_database(name, template=postgres_template), demo_keyring, trust_console_clock=True
    )
    try:
        seed_demo(database, demo_keyring, now=demo_now)
    finally:
        database.dispose()
    return name


@pytest.fixture
def demo_postgres_url(postgres_server: ThrowawayPostgres, demo_postgres_template: str) -> Iterator[str]:
    url = postgres_server.create_database(f"d_{uuid.uuid4().hex[:12]}", template=demo_postgres_template)
    yield url
    postgres_server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_database_each_engine(request: pytest.FixtureRequest, demo_keyring: KeyRing) -> Iterator[Database]:
    """A fresh demo database, once on each engine."""
    database = open_database(
        request.getfixturevalue(f"demo_{request.param}_url"), demo_keyring, trust_console_clock=True
    )
    yield database
    database.dispose()
