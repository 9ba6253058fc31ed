"""No database call ever runs on the event loop: a whole call through the console, every statement watched.

Every use of the database takes a connection from the engine's pool (`checkout`: an ORM session or a
plain connection) and every statement SQLAlchemy sends passes `before_cursor_execute`; the lookup's
reads on the driver, on a connection their thread keeps, pass `PlainReads.rows`. Any of them on the
event loop's thread, by anything but the test's own steps (ringing the call, reading the code the
caller's phone got), is the design broken: a screen called a service without `run_service`'s worker,
and the agent's keys wait for the database.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from console.app import HotlineApp
from console.db import Database
from console.keys import ensure_keyring
from console.services.lookup import find_customers
from console.services.plain_reads import PlainReads
from console.settings import Settings
from screens.account import AccountScreen
from screens.money import MoneyScreen
from screens.workspace import WorkspaceScreen
from screens.wrap_up import WrapUpScreen
from tests.support.call_floor import FLOOR_NOW, ZHANG
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import drive
from tests.ui.test_verify_flow import latest_code

TESTS = str(Path(__file__).resolve().parents[1])


class LoopWatch:
    """Statements sent on the event loop's thread other than by the test's own steps, and how many
    were sent from worker threads (so a run that sent nothing cannot pass by accident)."""

    def __init__(self, loop_thread: int) -> None:
        self.loop_thread = loop_thread
        self.on_the_loop: list[str] = []
        self.off_the_loop = 0

    def statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._seen(" ".join(statement.split()[:6]))

    def checkout(self, *_args: Any) -> None:
        self._seen("a connection taken from the pool")

    def _seen(self, what: str) -> None:
        if threading.get_ident() != self.loop_thread:
            self.off_the_loop += 1
            return
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename.startswith(TESTS):
                return  # the test's own step (a call ringing, the code read from the outbox)
            frame = frame.f_back  # type: ignore[assignment]
        self.on_the_loop.append(what)


_PLAIN_ROWS = PlainReads.rows


@pytest.fixture
def watch(sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopWatch]:
    watching = LoopWatch(threading.get_ident())  # the test runs on the loop the app runs on
    engine = sqlite_database.engine
    event.listen(engine, "before_cursor_execute", watching.statement)
    event.listen(engine, "checkout", watching.checkout)

    def plain_read(reads: PlainReads, statement: Any, params: dict[str, Any]) -> Any:
        watching._seen("a plain read on the driver")  # two frames down is the service that read
        return _PLAIN_ROWS(reads, statement, params)

    monkeypatch.setattr(PlainReads, "rows", plain_read)
    yield watching
    event.remove(engine, "checkout", watching.checkout)
    event.remove(engine, "before_cursor_execute", watching.statement)


async def test_the_watch_catches_a_service_called_on_the_event_loop(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, watch: LoopWatch
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        assert app.agent is not None
        # The test's own lookup on the loop (not counted) leaves the loop's thread a connection of its own;
        find_customers(sqlite_database.read_sessions, "wang", agent_id=app.agent.id)
        assert watch.on_the_loop == []
        # then, as a screen would break the rule: a lookup called straight from a callback on the loop.
        app.call_later(partial(find_customers, sqlite_database.read_sessions, "wang", agent_id=app.agent.id))
        await console.settle()
    # Seen by its reads alone: no connection was taken from the pool for them.
    assert watch.on_the_loop and set(watch.on_the_loop) == {"a plain read on the driver"}


async def test_a_whole_call_sends_no_statement_from_the_event_loop(
    app: HotlineApp, settings: Settings, floor: dict[str, int], sqlite_database: Database, watch: LoopWatch
) -> None:
    keyring = ensure_keyring(settings)
    app.wall_clock = FrozenWallClock(FLOOR_NOW)
    async with drive(app) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, ZHANG.phone or "")
        await console.take_call()
        await console.press(*"Locked out after a new phone")  # the note, saved as a draft
        await console.find("wang")
        await console.press("escape")
        console.on(WorkspaceScreen)
        await console.open_verify()
        await console.send_code()
        await console.enter_code(latest_code(sqlite_database, keyring, ZHANG.account))
        assert "Verified by SMS code" in console.panel_text()
        await console.back()
        await console.open_account()
        await console.settle()
        console.on(AccountScreen)
        await console.back()
        await console.open_money()
        await console.settle()
        console.on(MoneyScreen)
        await console.back()
        await console.press("f9")
        console.on(WrapUpScreen)
        await console.press("enter", wait=False)  # the first disposition: Resolved
        await console.press("ctrl+s")
        console.on(WorkspaceScreen)
        await console.sees("is closed: Resolved")
    assert watch.off_the_loop > 20  # the services did run, in workers
    assert watch.on_the_loop == []
