"""SVG snapshots of the main screens (textual pinned exactly); regenerate with --snapshot-update.

What could differ between runs is kept out of view: the database is opened by a relative path from
the test's own directory, and the schema revision is masked so a new migration does not churn them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from console.app import HotlineApp, make_app
from console.db import Database, open_database
from console.keys import KeyRing
from console.services.agents import add_agent
from console.services.system import DatabaseInfo
from console.settings import Settings, load_settings, with_overrides
from screens import home
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import Console

MASKED_REVISION = "<head>"
SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture


@pytest.fixture
def relative_database(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The test's migrated SQLite file, opened as `sqlite:///hotline.db` so its path never shows."""
    assert Path(sqlite_url.removeprefix("sqlite:///")) == tmp_path / "hotline.db"
    monkeypatch.chdir(tmp_path)
    database = open_database("sqlite:///hotline.db", KeyRing.generate())
    add_agent(database.sessions, "sam", PASSWORD, "supervisor", display_name="Sam Supervisor", now=datetime.now(UTC))
    add_agent(database.sessions, "ada", PASSWORD, "admin", display_name="Ada Admin", now=datetime.now(UTC))
    yield database
    database.dispose()


@pytest.fixture
def snapshot_app(
    relative_database: Database, isolated_user_dirs: object, monkeypatch: pytest.MonkeyPatch
) -> HotlineApp:
    real = home.describe_database

    def masked(database: Database) -> DatabaseInfo:
        info = real(database)
        assert info.up_to_date
        return dataclasses.replace(info, revision=MASKED_REVISION, head=MASKED_REVISION)

    monkeypatch.setattr(home, "describe_database", masked)
    settings: Settings = with_overrides(load_settings(), database_url="sqlite:///hotline.db")
    return make_app(settings, relative_database)


async def hold_still(pilot: Pilot[object]) -> None:
    await Console(pilot).hold_still()


def test_login_screen(snap_compare: SnapCompare, snapshot_app: HotlineApp) -> None:
    assert snap_compare(snapshot_app, terminal_size=(100, 30), run_before=hold_still)


@pytest.mark.parametrize("language", ["zh-CN", "zh-TW"])
def test_login_screen_in_chinese(
    snap_compare: SnapCompare, relative_database: Database, isolated_user_dirs: object, language: str
) -> None:
    settings = with_overrides(load_settings(), database_url="sqlite:///hotline.db", language=language)
    assert snap_compare(make_app(settings, relative_database), terminal_size=(80, 24), run_before=hold_still)


def test_login_screen_after_a_wrong_password(snap_compare: SnapCompare, snapshot_app: HotlineApp) -> None:
    async def wrong_password(pilot: Pilot[object]) -> None:
        console = Console(pilot)
        await console.log_in("sam", "not-the-password")
        await console.hold_still()

    assert snap_compare(snapshot_app, terminal_size=(100, 30), run_before=wrong_password)


@pytest.mark.parametrize("size", [(100, 30), (200, 50)], ids=["100x30", "200x50"])
def test_database_facts_from_the_admins_desk(
    snap_compare: SnapCompare, snapshot_app: HotlineApp, size: tuple[int, int]
) -> None:
    async def logged_in(pilot: Pilot[object]) -> None:
        console = Console(pilot)
        await console.log_in("ada")
        await console.press("f3")
        await console.settle()
        assert "(up to date)" in console.shown("#database-schema")

    assert snap_compare(snapshot_app, terminal_size=size, run_before=logged_in)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_supervisor_desk_with_nothing_waiting(
    snap_compare: SnapCompare, snapshot_app: HotlineApp, size: tuple[int, int]
) -> None:
    async def logged_in(pilot: Pilot[object]) -> None:
        console = Console(pilot)
        await console.log_in("sam")
        await console.settle()
        await console.sees("Nothing is waiting for a supervisor.")
        await console.hold_still()

    assert snap_compare(snapshot_app, terminal_size=size, run_before=logged_in)
