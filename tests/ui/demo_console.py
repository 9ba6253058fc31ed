"""The console on the demo database, for driving the account and money screens: an app whose wall
clock is the demo world's frozen time, on SQLite or on PostgreSQL (a pytest plugin; `Console.resume` logs
in and resumes a ticket)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.app import HotlineApp, make_app
from console.db import Database, open_database
from console.keys import KeyRing, write_keyring
from console.services.errors import AgentDisabled
from console.settings import load_settings, with_overrides
from screens.base import WorkFailed
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock


@pytest.fixture
def clock(world: World) -> FrozenWallClock:
    return FrozenWallClock(world.now)


@pytest.fixture
def demo_app(
    isolated_user_dirs: object,
    demo_sqlite_url: str,
    demo_keyring: KeyRing,
    clock: FrozenWallClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[HotlineApp]:
    """The console on the same demo database as `world`, with its keys and its frozen time.

    A worker that fails during the test fails the test, even when nothing asserts on the notice.
    """
    yield from _console_on(demo_sqlite_url, demo_keyring, clock, monkeypatch)


@pytest.fixture
def demo_app_on_postgres(
    isolated_user_dirs: object,
    world_on_postgres: World,
    demo_keyring: KeyRing,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[HotlineApp]:
    """The console on `world_on_postgres`'s demo database, at its frozen time (which the database is told
    to trust, as the world's services are); a failed worker fails the test here too."""
    url = world_on_postgres.database.engine.url.render_as_string(hide_password=False)
    clock = FrozenWallClock(world_on_postgres.now)
    yield from _console_on(url, demo_keyring, clock, monkeypatch, trust_console_clock=True)


def _console_on(
    url: str, keyring: KeyRing, clock: FrozenWallClock, monkeypatch: pytest.MonkeyPatch, **open_options: bool
) -> Iterator[HotlineApp]:
    failures: list[BaseException] = []
    report = HotlineApp.on_work_failed

    def on_work_failed(app: HotlineApp, message: WorkFailed) -> None:
        if not isinstance(message.error, AgentDisabled):  # by design: the app locks the console
            failures.append(message.error)
        report(app, message)

    monkeypatch.setattr(HotlineApp, "on_work_failed", on_work_failed)
    settings = with_overrides(load_settings(), database_url=url)
    write_keyring(settings.keys_file, keyring)
    database: Database = open_database(url, keyring, **open_options)
    app = make_app(settings, database)
    app.wall_clock = clock
    yield app
    database.dispose()
    assert failures == [], f"a worker failed during the test: {failures!r}"
