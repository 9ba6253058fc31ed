"""Helpers for driving the call workspace: the floor fixture, waiting on a condition, fake clocks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from textual.pilot import Pilot

from console.app import HotlineApp
from console.db import Database
from screens.workspace import WorkspaceScreen


class FakeClock:
    """A monotonic clock the test moves by hand (idle lock, login age, call timers)."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FrozenWallClock:
    """The app's wall clock, stopped at a moment and moved by hand (the services get `now` from it)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


async def wait_until(
    pilot: Pilot[object],
    condition: Callable[[], bool],
    timeout: float = 5.0,
    what: str = "",
    *,
    settle: bool = True,
) -> None:
    """Let the app run until `condition` holds (a debounce or a poll is due); fail after `timeout`.

    `settle`: then wait for running workers too (not when one is meant to be stuck).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what or 'the condition'} after {timeout}s")
        await pilot.pause(0.02)
    if settle:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def workspace(app: HotlineApp) -> WorkspaceScreen:
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen), f"expected the workspace, not {screen!r}"
    return screen


async def search(pilot: Pilot[object], query: str) -> None:
    """Type `query` into the lookup box (f3) key by key and wait for its results."""
    app = pilot.app
    assert isinstance(app, HotlineApp)
    await pilot.press("f3")
    screen = workspace(app)
    await pilot.press(*query)
    await wait_until(
        pilot,
        lambda: screen.result is not None and screen.result.query == query.strip(),
        what=f"results for {query!r}",
    )


async def ring_and_wait(pilot: Pilot[object], database: Database, number: str, line: str | None = None) -> int:
    """A call rings (as `hotline ring` records it) and the workspace's poll shows it."""
    from console.services.calls import record_incoming_call

    call = record_incoming_call(database.sessions, number, line)
    app = pilot.app
    assert isinstance(app, HotlineApp)
    await wait_until(
        pilot,
        lambda: any(c.call_id == call.call_id for c in workspace(app).calls),
        what="the call to show",
    )
    return call.call_id
