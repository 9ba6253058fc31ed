"""Clocks the tests move by hand: the monotonic clock (idle lock, call timers) and the wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta


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
