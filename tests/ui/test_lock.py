"""The console idle lock: an opaque screen after 15 idle minutes or 12 hours, lifted by the password."""

from __future__ import annotations

from console.app import IDLE_LOCK_SECONDS, REAUTHENTICATE_SECONDS, HotlineApp
from console.db import Database
from console.services.tickets import load_draft
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.workspace import WorkspaceScreen
from tests.support.call_floor import WANG
from tests.ui.call_helpers import FakeClock, ring_and_wait, workspace
from tests.ui.conftest import PASSWORD, SIZE, log_in, screen_text, settle

NOTE = "Promised a call back about the lock"


def lock_message(app: HotlineApp) -> str:
    return str(app.screen.query_one("#lock-message").render())


async def unlock_with(pilot, password: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one("#unlock-password")
    field.value = password
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_fifteen_idle_minutes_hide_the_console_until_the_password_is_typed(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    clock = FakeClock()
    app.clock = clock
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        await ring_and_wait(pilot, sqlite_database, WANG.phone or "", "CN")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*NOTE)
        ticket = workspace(app).ticket
        assert ticket is not None
        before = screen_text(app)
        assert WANG.name in before and "•••01" in before

        clock.advance(IDLE_LOCK_SECONDS - 1)
        app.check_lock()
        assert isinstance(app.screen, WorkspaceScreen)  # not yet
        clock.advance(1)
        app.check_lock()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        text = screen_text(app)
        assert "Hotline is locked" in text and "Locked after 15 minutes without a key press." in text
        assert "Ann Agent (ann)" in text
        # Nothing of the call shows through: not the caller, not the number, not the note.
        for hidden in [WANG.name, WANG.account, "•••01", NOTE, "Ticket #", "Calls waiting"]:
            assert hidden not in text, hidden
        # The draft was saved before the console locked.
        assert app.agent is not None
        assert load_draft(sqlite_database.sessions, ticket.ticket_id, app.agent.id) == NOTE

        await unlock_with(pilot, "not-the-password")
        assert isinstance(app.screen, LockScreen)
        assert lock_message(app) == "Wrong username or password."
        assert WANG.name not in screen_text(app)

        await unlock_with(pilot, PASSWORD)
        assert isinstance(app.screen, WorkspaceScreen)
        text = screen_text(app)
        assert WANG.name in text and NOTE in text  # the call is where it was


async def test_keys_keep_the_console_open(app: HotlineApp, floor: dict[str, int]) -> None:
    clock = FakeClock()
    app.clock = clock
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        clock.advance(IDLE_LOCK_SECONDS - 60)
        await pilot.press("w")
        clock.advance(120)
        app.check_lock()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)


async def test_after_twelve_hours_the_password_is_asked_again_even_when_busy(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    clock = FakeClock()
    app.clock = clock
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        for _ in range(12 * 4):
            clock.advance(15 * 60 - 1)
            await pilot.press("x")  # busy all shift
            app.check_lock()
        assert isinstance(app.screen, WorkspaceScreen)
        clock.advance(REAUTHENTICATE_SECONDS)
        await pilot.press("x")
        app.check_lock()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "You logged in 12 hours ago" in screen_text(app)
        await unlock_with(pilot, PASSWORD)
        assert isinstance(app.screen, WorkspaceScreen)
        # The twelve hours start again from the new password.
        clock.advance(60)
        app.check_lock()
        assert isinstance(app.screen, WorkspaceScreen)


async def test_the_lock_key_locks_at_once_and_log_out_leaves_from_the_lock(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "Locked by you." in screen_text(app)
        await pilot.press("f2")  # the workspace's keys do nothing under the lock
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.agent is None and not app.locked
        assert len(app.screen_stack) == 2


async def test_notices_that_arrive_while_locked_wait_for_the_unlock(app: HotlineApp, floor: dict[str, int]) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        await pilot.press("f12")
        await settle(pilot)
        app.notify("A caller is waiting: +86 •••••••••01.", markup=False)
        await pilot.pause()
        assert "A caller is waiting" not in screen_text(app)
        await unlock_with(pilot, PASSWORD)
        assert "A caller is waiting" in screen_text(app)


async def test_the_login_screen_never_locks(app: HotlineApp) -> None:
    clock = FakeClock()
    app.clock = clock
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(IDLE_LOCK_SECONDS * 10)
        app.check_lock()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
