"""A call is never lost: quitting, logging out or locking with a call open asks first; after logging in
again (on a restarted console too) the call comes back with its card, its notes and a talk time that
counts from when it was taken."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from console.app import HotlineApp
from console.db import Database
from screens.leave_call import LeaveCallDialog
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.workspace import WorkspaceScreen
from tests.support.call_floor import WANG
from tests.ui.clocks import FakeClock, FrozenWallClock
from tests.ui.console_driver import Console, drive
from tests.ui.test_workspace import ticket_row

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
WANG_MASKED = "+86 •••••••••01"


async def asked(console: Console) -> str:
    """Wait for the question and return what it says."""
    await console.wait_until(lambda: isinstance(console.app.screen, LeaveCallDialog), what="the question")
    return console.shown("#confirm-what")


async def take_wangs_call(console: Console, database: Database) -> int:
    await console.ring(database, WANG.phone or "", "CN")
    screen = await console.take_call()
    assert screen.ticket is not None
    return screen.ticket.ticket_id


async def test_quitting_with_a_call_open_asks_and_escape_stays_on_the_call(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press("ctrl+q")
        assert await asked(console) == (
            f"The call with {WANG_MASKED} stays open on ticket #{ticket_id}; it comes back when you log in again."
        )
        await console.press("escape")
        assert isinstance(app.screen, WorkspaceScreen) and not app._exit
        assert console.workspace.ticket is not None and console.workspace.ticket.ticket_id == ticket_id
        # Asked again, Enter goes on: the console quits and the ticket stays open.
        await console.press("ctrl+q")
        await console.press("enter")
        await console.wait_until(lambda: app._exit, what="the console to quit")
    assert ticket_row(sqlite_database, ticket_id).status == "open"


async def test_without_a_call_quitting_asks_nothing(app: HotlineApp, floor: dict[str, int]) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.press("ctrl+q")
        await console.wait_until(lambda: app._exit, what="the console to quit")
        assert not isinstance(app.screen, LeaveCallDialog)


async def test_locking_with_a_call_open_asks_and_the_call_is_there_after_unlocking(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press("f12")
        assert await asked(console) == (
            f"The call with {WANG_MASKED} stays open on ticket #{ticket_id}; it is here when you unlock."
        )
        await console.press("enter")
        await console.wait_until(lambda: isinstance(app.screen, LockScreen), what="the lock screen")
        # On the lock screen, logging out asks too, without naming the caller to whoever is there.
        await console.press("ctrl+l")
        assert await asked(console) == (
            f"Your call stays open on ticket #{ticket_id}; it comes back when you log in again."
        )
        assert WANG_MASKED not in console.text()
        await console.press("escape")
        assert isinstance(app.screen, LockScreen)
        from tests.ui.conftest import PASSWORD

        await console.unlock(PASSWORD)
        await console.wait_until(lambda: isinstance(app.screen, WorkspaceScreen), what="the workspace")
        assert console.workspace.ticket is not None and console.workspace.ticket.ticket_id == ticket_id


async def test_after_logging_out_and_in_the_call_comes_back_as_it_was(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    wall = FrozenWallClock(START)
    app.wall_clock = wall
    app.clock = FakeClock()  # the call timer moves only with the test's clocks
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press(*"Locked after a new phone", wait=False)
        await console.wait_until(lambda: console.shown("#draft-state") == "Draft saved.", what="the draft")
        wall.advance(timedelta(seconds=70))
        await console.press("ctrl+l")
        assert f"ticket #{ticket_id}; it comes back when you log in again." in await asked(console)
        await console.press("enter")
        await console.wait_until(lambda: isinstance(app.screen, LoginScreen), what="the login screen")
        assert app.open_call is None
        wall.advance(timedelta(seconds=60))
        await console.log_in("ann")
        workspace = console.workspace
        await console.wait_until(
            lambda: workspace.ticket is not None and workspace.card is not None, what="the call to come back"
        )
        assert workspace.ticket is not None and workspace.ticket.ticket_id == ticket_id
        await console.sees(WANG.name, "Locked after a new phone", "Call 2:10")


async def test_a_restarted_console_gives_the_call_back_with_its_talk_time(
    app: HotlineApp,
    app_with: Callable[..., HotlineApp],
    floor: dict[str, int],
    sqlite_database: Database,
) -> None:
    """The issue's case: a call of more than two minutes recorded 5 seconds after a restart."""
    wall = FrozenWallClock(START)
    app.wall_clock = wall
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press("ctrl+q")
        await console.press("enter")
        await console.wait_until(lambda: app._exit, what="the console to quit")
    wall.advance(timedelta(seconds=125))
    restarted = app_with()
    restarted.wall_clock = wall
    restarted.clock = FakeClock()  # the call timer stands still while the test reads it
    async with drive(restarted, notifications=True) as console:
        await console.log_in("ann")
        workspace = console.workspace
        await console.wait_until(lambda: workspace.ticket is not None, what="the call to come back")
        assert workspace.ticket is not None and workspace.ticket.ticket_id == ticket_id
        await console.sees(f"Your open call is back: ticket #{ticket_id}", "Call 2:05")
        await console.press("f9", wait=False)
        await console.sees("Talk time         2:05")
