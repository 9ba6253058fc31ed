"""Fixtures: isolated user dirs, a throwaway PostgreSQL server, and fresh migrated databases on both engines."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from console import schema
from console.db import Database, open_database
from console.i18n import ENGLISH, set_language
from console.keys import KeyRing
from tests.support.postgres import PostgresUnavailable, ThrowawayPostgres

# Fixture modules shared across folders. pytest accepts pytest_plugins only in the root conftest,
# so the UI's demo-console fixtures are registered here too.
pytest_plugins = [
    "tests.support.demo_fixtures",
    "tests.support.world",
    "tests.ui.demo_console",
    "tests.ui.every_screen",
]

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never read the developer's real config, keys or database."""
    for name in list(os.environ):
        if name.startswith("HOTLINE_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("HOTLINE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


@pytest.fixture(autouse=True)
def english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English under an English locale, whatever the developer's; a test that
    switches the language does not leak it into the next one."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language(ENGLISH)
    yield
    set_language(ENGLISH)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailable as error:
        if ON_CI:
            pytest.fail(f"PostgreSQL tests must run on CI, but the server did not start: {error}")
        pytest.skip(f"PostgreSQL not available here: {error}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: ThrowawayPostgres) -> str:
    """A database migrated to head once; each test clones it (CREATE DATABASE ... TEMPLATE)."""
    name = "hotline_template"
    schema.upgrade(postgres_server.create_database(name))
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hotline.db"
    schema.upgrade(f"sqlite:///{path}")
    return path


def fresh_postgres_url(server: ThrowawayPostgres, template: str | None = None) -> str:
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}", template=template)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "hotline.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(postgres_server: ThrowawayPostgres, postgres_template: str) -> Iterator[str]:
    url = fresh_postgres_url(postgres_server, postgres_template)
    yield url
    postgres_server.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database at head, once on each engine."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no schema at all, once on each engine (for migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
    url = fresh_postgres_url(server)
    yield url
    server.drop_database(url.rsplit("/", 1)[1])


def _open(url: str, keyring: KeyRing) -> Iterator[Database]:
    # Tests move time on purpose, so the services take their `now` on trust here; the rule that a
    # console's clock may not be off the server's is proven in tests/security/test_console_clock.py.
    database = open_database(url, keyring, trust_console_clock=True)
    yield database
    database.dispose()


@pytest.fixture
def database(db_url: str, demo_keyring: KeyRing) -> Iterator[Database]:
    yield from _open(db_url, demo_keyring)


@pytest.fixture
def sqlite_database(sqlite_url: str, demo_keyring: KeyRing) -> Iterator[Database]:
    yield from _open(sqlite_url, demo_keyring)


@pytest.fixture
def postgres_database(postgres_url: str, demo_keyring: KeyRing) -> Iterator[Database]:
    yield from _open(postgres_url, demo_keyring)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """On CI a skipped PostgreSQL test is a failure: the shared database must really be tested."""
    outcome = yield
    report = outcome.get_result()
    if ON_CI and report.skipped and item.get_closest_marker("postgres") is not None:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped on CI: {report.longrepr}"
