"""The login screen, driven through the real app on a migrated SQLite database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input

from console.app import HotlineApp
from console.db import Database, open_database
from console.keys import KeyRing
from console.services.agents import MAX_FAILED_LOGINS, add_agent
from screens.admin import AdminDeskScreen
from screens.escalations import EscalationScreen
from screens.home import HomeScreen
from screens.login import CHECKING, LoginScreen
from screens.workspace import WorkspaceScreen
from tests.ui.conftest import PASSWORD, disable_login
from tests.ui.console_driver import drive


async def test_wrong_password_is_refused_in_plain_words(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.log_in("ann", "not-the-password")
        assert isinstance(app.screen, LoginScreen)
        await console.sees("Wrong username or password.")
        # The username stays for the next try; the password does not.
        assert app.screen.query_one("#username", Input).value == "ann"
        password = app.screen.query_one("#password", Input)
        assert password.value == ""
        assert password.has_focus


async def test_unknown_username_gets_the_same_message(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.log_in("nobody")
        assert console.shown("#login-message") == "Wrong username or password."


async def test_disabled_agent_is_told_so(app: HotlineApp, agents: dict[str, str], sqlite_database: Database) -> None:
    disable_login(sqlite_database, "ann")
    async with drive(app) as console:
        await console.log_in("ann")
        assert isinstance(app.screen, LoginScreen)
        assert console.shown("#login-message") == "This agent account is disabled. Ask an admin to enable it."
        await console.sees("This agent account is disabled.")


async def test_fifth_wrong_password_locks_the_agent_and_says_until_when(
    app: HotlineApp, agents: dict[str, str]
) -> None:
    async with drive(app) as console:
        for _ in range(MAX_FAILED_LOGINS - 1):
            await console.log_in("ann", "not-the-password")
            assert console.shown("#login-message") == "Wrong username or password."
        await console.log_in("ann", "not-the-password")
        assert console.shown("#login-message").startswith("Too many wrong passwords. This agent is locked until ")
        # Locked means locked: the right password is refused too.
        await console.log_in("ann")
        assert isinstance(app.screen, LoginScreen)
        assert console.shown("#login-message").startswith("This agent is locked until ")


@pytest.mark.parametrize(
    ("role", "username", "home"),
    [
        # An agent lands on the call workspace (tests/ui/test_workspace.py).
        ("supervisor", "sam", EscalationScreen),
        ("admin", "ada", AdminDeskScreen),
    ],
)
async def test_each_role_lands_on_its_own_desk_with_the_database_in_the_title(
    app: HotlineApp,
    agents: dict[str, str],
    sqlite_database: Database,
    role: str,
    username: str,
    home: type[object],
) -> None:
    async with drive(app) as console:
        await console.log_in(username)
        assert isinstance(app.screen, home)
        assert app.agent is not None and str(app.agent.role) == role
        assert "sqlite" in app.sub_title or "sqlite" in app.title


async def test_markup_and_escapes_in_a_display_name_show_literally(app: HotlineApp, sqlite_database: Database) -> None:
    add_agent(
        sqlite_database.sessions, "bob", PASSWORD, "admin", display_name="[bold]Bob\x1b[2J", now=datetime.now(UTC)
    )
    async with drive(app) as console:
        await console.log_in("bob")
        await console.press("f3")  # who is logged in, from the admin's desk
        assert isinstance(app.screen, HomeScreen)
        await console.sees("[bold]Bob[2J (bob)")


async def test_log_out_returns_to_an_empty_login_form(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.log_in("sam")
        assert isinstance(app.screen, EscalationScreen)
        await console.press("ctrl+l", wait=False)
        await console.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.agent is None
        assert app.screen.query_one("#username", Input).value == ""
        assert app.screen.query_one("#password", Input).value == ""


async def test_log_out_from_the_command_palette(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.log_in("sam")
        await console.press("ctrl+p", wait=False)
        await console.pause()
        await console.press(*"log out", wait=False)
        await console.pause(0.3)  # the palette searches on a short debounce
        await console.press("enter", wait=False)
        await console.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_enter_in_username_moves_to_password_and_empty_fields_are_named(
    app: HotlineApp, agents: dict[str, str]
) -> None:
    async with drive(app) as console:
        await console.press("enter", "enter", wait=False)  # Enter always moves on; the form then names the gap
        assert console.shown("#login-message") == "Type your username."
        assert app.screen.query_one("#username", Input).has_focus
        await console.press(*"ann", "enter", wait=False)
        assert app.screen.query_one("#password", Input).has_focus
        await console.click("#log-in", wait=False)
        assert console.shown("#login-message") == "Type your password."
        assert len(app.workers) == 0


class GatedSessions:
    """A session factory whose transactions wait at a gate: a database that answers slowly."""

    def __init__(self, real: Any, gate: threading.Event) -> None:
        self.real = real
        self.gate = gate
        self.waiting = threading.Event()

    @contextmanager
    def begin(self) -> Iterator[Any]:
        self.waiting.set()
        assert self.gate.wait(timeout=10), "the test never opened the gate"
        with self.real.begin() as session:
            yield session


async def test_a_slow_database_does_not_freeze_the_screen(
    app_with: Callable[..., HotlineApp], agents: dict[str, str], sqlite_database: Database
) -> None:
    gate = threading.Event()
    slow = GatedSessions(sqlite_database.sessions, gate)
    app = app_with(database=replace(sqlite_database, sessions=slow))
    async with drive(app) as console:
        await console.press(*"ann", "enter", *PASSWORD, "enter", wait=False)
        assert slow.waiting.wait(timeout=5)
        await console.pause()
        # While the check waits on the database the screen says so, and keys typed meanwhile are kept for
        # the screen the answer brings (they would be lost in a password field about to be cleared).
        assert console.shown("#login-message") == CHECKING
        assert app.screen.query_one("#log-in", Button).disabled
        await console.press("x", "y", wait=False)
        assert app.screen.query_one("#password", Input).value == PASSWORD
        assert app.keys_waiting == 2
        await console.press("enter", wait=False)  # no second submit while checking
        assert len(app.workers) == 1
        gate.set()
        await console.settle()
        assert isinstance(app.screen, WorkspaceScreen)
        await console.wait_until(lambda: app.screen.query_one("#lookup-input", Input).value == "xy", what="xy")


async def test_an_unreachable_database_is_reported_without_a_stack_trace(
    app_with: Callable[..., HotlineApp], tmp_path: Path
) -> None:
    # A SQLite file in a folder that does not exist cannot be opened: the connection fails.
    missing = open_database(f"sqlite:///{tmp_path / 'no-such-folder' / 'hotline.db'}", KeyRing.generate())
    app = app_with(database=missing)
    try:
        async with drive(app, notifications=True) as console:
            await console.log_in("ann")
            assert isinstance(app.screen, LoginScreen)
            expected = "The database cannot be reached; nothing was changed. Try again."
            assert console.shown("#login-message") == expected
            await console.wait_until(
                lambda: console.text().count("The database cannot be reached;") == 2, what="the form and a notice"
            )
            text = await console.sees("Not done")
            assert "Not done" in text
            assert "Traceback" not in text and "sqlite3" not in text
            # The form is usable again.
            assert not app.screen.query_one("#log-in", Button).disabled
    finally:
        missing.dispose()


async def test_quit_still_works_while_a_slow_database_checks_the_password(
    app_with: Callable[..., HotlineApp], agents: dict[str, str], sqlite_database: Database
) -> None:
    """Keys typed during the check wait for its answer, but the quit key is not held with them."""
    gate = threading.Event()
    slow = GatedSessions(sqlite_database.sessions, gate)
    app = app_with(database=replace(sqlite_database, sessions=slow))
    try:
        async with drive(app) as console:
            await console.press(*"ann", "enter", *PASSWORD, "enter", wait=False)
            assert slow.waiting.wait(timeout=5)
            await console.press("ctrl+q", wait=False)
            await console.wait_until(lambda: app._exit, what="the console to quit", settle=False)
    finally:
        gate.set()


async def test_what_the_console_loaded_at_start_is_out_of_the_collectors_walks_until_it_exits(app: HotlineApp) -> None:
    """A full garbage collection walks every object alive (about 25 ms once the console has loaded): once
    the rest is loaded behind the login, it is frozen, so no collection between two keystrokes walks it."""
    import gc

    async with drive(app) as console:
        await console.wait_until(lambda: gc.get_freeze_count() > 0, what="the loaded console frozen")
        await console.settle()
    assert gc.get_freeze_count() == 0  # an exited console's objects can be collected again
