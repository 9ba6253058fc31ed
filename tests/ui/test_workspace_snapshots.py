"""SVG snapshots of the call workspace with a caller's card, and of the wrap-up dialog.

Kept deterministic: the wall clock is frozen (time-machine) so ticket dates and waiting times do not
move, the console's monotonic clock is a constant so the call and wrap-up timers read 0:00, the
database is opened by a relative path, and the data is the fixed floor of tests/support/call_floor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from textual.pilot import Pilot

from console.app import HotlineApp, make_app
from console.db import Database, open_database
from console.i18n import _
from console.keys import KeyRing
from console.services.agents import add_agent
from console.settings import load_settings, with_overrides
from screens.wrap_up import WrapUpScreen
from tests.support.call_floor import FLOOR_NOW, WANG, build_call_floor
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import Console

SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture


@pytest.fixture
def frozen_time() -> Iterator[None]:
    with time_machine.travel(FLOOR_NOW, tick=False):
        yield


@pytest.fixture
def floor_database(
    frozen_time: None, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """The test's SQLite file, opened as `sqlite:///hotline.db` so its path never shows."""
    assert Path(sqlite_url.removeprefix("sqlite:///")) == tmp_path / "hotline.db"
    monkeypatch.chdir(tmp_path)
    database = open_database("sqlite:///hotline.db", KeyRing.generate())
    add_agent(database.sessions, "ann", PASSWORD, "agent", display_name="Ann Agent", now=datetime.now(UTC))
    build_call_floor(database, now=FLOOR_NOW)
    yield database
    database.dispose()


@pytest.fixture
def snapshot_app(floor_database: Database, isolated_user_dirs: object) -> HotlineApp:
    settings = with_overrides(load_settings(), database_url="sqlite:///hotline.db")
    app = make_app(settings, floor_database)
    app.clock = lambda: 1_000.0  # timers stand still
    return app


async def caller_on_the_line(console: Console, database: Database) -> None:
    await console.log_in("ann")
    await console.ring(database, WANG.phone or "", "CN")
    await console.press("f2")
    assert WANG.name in console.shown("#card-body")
    await console.hold_still()  # before typing, so no line is ever drawn with a blinking cursor
    await console.press(*"Locked out after a new phone; wants to log in today.", wait=False)
    await console.wait_until(lambda: console.shown("#draft-state") == _("Draft saved."), what="the draft save")


@pytest.mark.parametrize("size", [(100, 30), (200, 50)], ids=["100x30", "200x50"])
def test_workspace_with_a_customer_card(
    snap_compare: SnapCompare,
    snapshot_app: HotlineApp,
    floor_database: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        console = Console(pilot)
        await caller_on_the_line(console, floor_database)
        assert console.workspace.ticket is not None
        await console.hold_still()

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["zh-CN", "zh-TW"])
def test_workspace_with_a_caller_in_chinese(
    snap_compare: SnapCompare,
    floor_database: Database,
    isolated_user_dirs: object,
    language: str,
    size: tuple[int, int],
) -> None:
    """Every word of the console in the agent's language; CJK text keeps its columns at 80x24 too."""
    settings = with_overrides(load_settings(), database_url="sqlite:///hotline.db", language=language)
    app = make_app(settings, floor_database)
    app.clock = lambda: 1_000.0

    async def run_before(pilot: Pilot[object]) -> None:
        console = Console(pilot)
        await caller_on_the_line(console, floor_database)
        assert console.workspace.ticket is not None
        await console.hold_still()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_wrap_up_dialog_asking_for_a_follow_up_date(
    snap_compare: SnapCompare, snapshot_app: HotlineApp, floor_database: Database
) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        console = Console(pilot)
        await caller_on_the_line(console, floor_database)
        await console.press("f9", wait=False)
        await console.pause()
        wrap_up = console.on(WrapUpScreen)
        await console.press("down", "enter", wait=False)  # Follow-up needed: the date field appears
        await console.hold_still()
        assert wrap_up.query_one("#follow-up").display

    assert snap_compare(snapshot_app, terminal_size=(100, 30), run_before=run_before)
