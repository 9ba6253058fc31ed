"""The console on the demo database, for driving the account and money screens: an app whose wall
clock is the demo world's frozen time, logged in as a demo agent, resuming a ticket made by the services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from console.app import HotlineApp, make_app
from console.db import Database, open_database
from console.keys import KeyRing, write_keyring
from console.services.errors import AgentDisabled
from console.settings import load_settings, with_overrides
from screens.base import WorkFailed
from tests.support.world import World
from tests.ui.call_helpers import FrozenWallClock, wait_until, workspace
from tests.ui.conftest import log_in, settle


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


async def resume(pilot: Pilot[object], username: str, ticket_id: int) -> None:
    """Log in as a demo agent (password "<name>-demo") and resume one of their open tickets."""
    app = pilot.app
    assert isinstance(app, HotlineApp)
    await log_in(pilot, username, f"{username}-demo")
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    listing = app.screen.query_one("#my-ticket-list", OptionList)
    listing.highlighted = listing.get_option_index(f"ticket-{ticket_id}")
    listing.focus()
    await pilot.press("enter")
    await wait_until(
        pilot,
        lambda: (
            (ticket := workspace(app).ticket) is not None
            and ticket.ticket_id == ticket_id
            and workspace(app).card is not None
        ),
        what="the ticket and its card",
    )
