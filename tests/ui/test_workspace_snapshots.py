"""SVG snapshots of the call workspace with a caller's card, and of the wrap-up dialog.

Kept deterministic: the wall clock is frozen (time-machine) so ticket dates and waiting times do not
move, the console's monotonic clock is a constant so the call and wrap-up timers read 0:00, the
database is opened by a relative path, and the data is the fixed floor of tests/support/call_floor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from console.app import HotlineApp, make_app
from console.db import Database, open_database
from console.keys import KeyRing
from console.services.agents import add_agent
from console.settings import load_settings, with_overrides
from screens.wrap_up import WrapUpScreen
from tests.support.call_floor import FLOOR_NOW, WANG, build_call_floor
from tests.ui.call_helpers import ring_and_wait, wait_until, workspace
from tests.ui.conftest import PASSWORD, log_in, settle

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
    add_agent(database.sessions, "ann", PASSWORD, "agent", display_name="Ann Agent")
    build_call_floor(database, now=FLOOR_NOW)
    yield database
    database.dispose()


@pytest.fixture
def snapshot_app(floor_database: Database, isolated_user_dirs: object) -> HotlineApp:
    settings = with_overrides(load_settings(), database_url="sqlite:///hotline.db")
    app = make_app(settings, floor_database)
    app.clock = lambda: 1_000.0  # timers stand still
    return app


async def steady(pilot: Pilot[object]) -> None:
    """No blinking cursors and no notices: the picture must not depend on when it is taken."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


async def caller_on_the_line(pilot: Pilot[object], database: Database) -> None:
    await log_in(pilot, "ann", PASSWORD)
    await ring_and_wait(pilot, database, WANG.phone or "", "CN")
    await pilot.press("f2")
    await settle(pilot)
    assert WANG.name in str(pilot.app.screen.query_one("#card-body").render())
    await steady(pilot)  # before typing, so no line is ever drawn with a blinking cursor
    await pilot.press(*"Locked out after a new phone; wants to log in today.")
    state = pilot.app.screen.query_one("#draft-state")
    await wait_until(pilot, lambda: str(state.render()) == "Draft saved.", what="the draft save")


@pytest.mark.parametrize("size", [(100, 30), (200, 50)], ids=["100x30", "200x50"])
def test_workspace_with_a_customer_card(
    snap_compare: SnapCompare,
    snapshot_app: HotlineApp,
    floor_database: Database,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        await caller_on_the_line(pilot, floor_database)
        assert workspace(pilot.app).ticket is not None  # type: ignore[arg-type]
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=size, run_before=run_before)


def test_wrap_up_dialog_asking_for_a_follow_up_date(
    snap_compare: SnapCompare, snapshot_app: HotlineApp, floor_database: Database
) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        await caller_on_the_line(pilot, floor_database)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(pilot.app.screen, WrapUpScreen)
        await pilot.press("down", "enter")  # Follow-up needed: the date field appears
        await steady(pilot)
        assert pilot.app.screen.query_one("#follow-up").display

    assert snap_compare(snapshot_app, terminal_size=(100, 30), run_before=run_before)
