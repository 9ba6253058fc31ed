"""The console idle lock: an opaque screen after 15 idle minutes or 12 hours, lifted by the password."""

from __future__ import annotations

from console.app import IDLE_LOCK_SECONDS, REAUTHENTICATE_SECONDS, HotlineApp
from console.db import Database
from console.services.tickets import load_draft
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.workspace import WorkspaceScreen
from tests.support.call_floor import WANG
from tests.ui.clocks import FakeClock
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import drive

NOTE = "Promised a call back about the lock"


async def test_fifteen_idle_minutes_hide_the_console_until_the_password_is_typed(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    clock = FakeClock()
    app.clock = clock
    async with drive(app, notifications=True) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, WANG.phone or "", "CN")
        await console.take_call()
        await console.press(*NOTE, wait=False)
        ticket = console.workspace.ticket
        assert ticket is not None
        await console.sees(WANG.name, "•••01")

        clock.advance(IDLE_LOCK_SECONDS - 1)
        app.check_lock()
        assert isinstance(app.screen, WorkspaceScreen)  # not yet
        clock.advance(1)
        app.check_lock()
        await console.settle()
        assert isinstance(app.screen, LockScreen)
        text = await console.sees(
            "Hotline is locked", "Locked after 15 minutes without a key press.", "Ann Agent (ann)"
        )
        # Nothing of the call shows through: not the caller, not the number, not the note.
        for hidden in [WANG.name, WANG.account, "•••01", NOTE, "Ticket #", "Calls waiting"]:
            assert hidden not in text, hidden
        # The draft was saved before the console locked.
        assert app.agent is not None
        assert load_draft(sqlite_database.sessions, ticket.ticket_id, app.agent.id) == NOTE

        await console.unlock("not-the-password")
        assert isinstance(app.screen, LockScreen)
        assert console.shown("#lock-message") == "Wrong username or password."
        assert WANG.name not in console.text()

        await console.unlock(PASSWORD)
        assert isinstance(app.screen, WorkspaceScreen)
        await console.sees(WANG.name, NOTE)  # the call is where it was


async def test_keys_keep_the_console_open(app: HotlineApp, floor: dict[str, int]) -> None:
    clock = FakeClock()
    app.clock = clock
    async with drive(app) as console:
        await console.log_in("ann")
        clock.advance(IDLE_LOCK_SECONDS - 60)
        await console.press("w", wait=False)
        clock.advance(120)
        app.check_lock()
        await console.pause()
        assert isinstance(app.screen, WorkspaceScreen)


async def test_after_twelve_hours_the_password_is_asked_again_even_when_busy(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    clock = FakeClock()
    app.clock = clock
    async with drive(app) as console:
        await console.log_in("ann")
        for _ in range(12 * 4):
            clock.advance(15 * 60 - 1)
            await console.press("x", wait=False)  # busy all shift
            app.check_lock()
        assert isinstance(app.screen, WorkspaceScreen)
        clock.advance(REAUTHENTICATE_SECONDS)
        await console.press("x", wait=False)
        app.check_lock()
        await console.settle()
        assert isinstance(app.screen, LockScreen)
        await console.sees("You logged in 12 hours ago")
        await console.unlock(PASSWORD)
        assert isinstance(app.screen, WorkspaceScreen)
        # The twelve hours start again from the new password.
        clock.advance(60)
        app.check_lock()
        assert isinstance(app.screen, WorkspaceScreen)


async def test_the_lock_key_locks_at_once_and_log_out_leaves_from_the_lock(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.press("f12")
        assert isinstance(app.screen, LockScreen)
        await console.sees("Locked by you.")
        await console.press("f2")  # the workspace's keys do nothing under the lock
        assert isinstance(app.screen, LockScreen)
        await console.press("ctrl+l")
        assert isinstance(app.screen, LoginScreen)
        assert app.agent is None and not app.locked
        assert len(app.screen_stack) == 2


async def test_notices_that_arrive_while_locked_wait_for_the_unlock(app: HotlineApp, floor: dict[str, int]) -> None:
    async with drive(app, notifications=True) as console:
        await console.log_in("ann")
        await console.press("f12")
        app.notify("A caller is waiting: +86 •••••••••01.", markup=False)
        await console.pause()
        assert "A caller is waiting" not in console.text()
        await console.unlock(PASSWORD)
        await console.sees("A caller is waiting")


async def test_the_login_screen_never_locks(app: HotlineApp) -> None:
    clock = FakeClock()
    app.clock = clock
    async with drive(app) as console:
        clock.advance(IDLE_LOCK_SECONDS * 10)
        app.check_lock()
        await console.pause()
        assert isinstance(app.screen, LoginScreen)
