"""The console on the demo database, for driving the account and money screens: an app whose wall
clock is the demo world's frozen time (a pytest plugin; `Console.resume` logs in and resumes a ticket)."""

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
    failures: list[BaseException] = []
    report = HotlineApp.on_work_failed

    def on_work_failed(app: HotlineApp, message: WorkFailed) -> None:
        if not isinstance(message.error, AgentDisabled):  # by design: the app locks the console
            failures.append(message.error)
        report(app, message)

    monkeypatch.setattr(HotlineApp, "on_work_failed", on_work_failed)
    settings = with_overrides(load_settings(), database_url=demo_sqlite_url)
    write_keyring(settings.keys_file, demo_keyring)
    database: Database = open_database(demo_sqlite_url, demo_keyring)
    app = make_app(settings, database)
    app.wall_clock = clock
    yield app
    database.dispose()
    assert failures == [], f"a worker failed during the test: {failures!r}"
