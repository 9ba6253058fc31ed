"""Watching the supervisors' queue for changes, so a console reloads it by itself within 2 seconds.

On PostgreSQL a dedicated connection LISTENs on the channel that every queue command NOTIFYs in its own
transaction (see `announce`); when the connection drops, it reconnects with a growing pause. On SQLite
it polls the queue's fingerprint, at most once a second. Either way the first change is reported as soon
as the watch has begun (and again after each reconnection): the console reads the queue then, so an item
filed before anyone listened is not missed. `QueueWatch.run` blocks until told to stop: run it in a thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from console.services.announce import ESCALATIONS_CHANNEL
from console.services.context import Actor
from console.services.escalations import queue_fingerprint

if TYPE_CHECKING:  # psycopg is loaded by a console on PostgreSQL only (9 MiB a SQLite console never needs)
    import psycopg

# The application name the listening connection carries (pg_stat_activity shows it).
LISTENER_NAME = "hotline-escalations"


@dataclass
class QueueWatch:
    """Calls `changed()` whenever the queue may have changed, until `stopped()` says to stop."""

    sessions: sessionmaker[Session]
    actor: Actor
    # SQLite: how often the fingerprint is read.
    poll_seconds: float = 1.0
    # PostgreSQL: how long one wait for a notification lasts before `stopped` is asked again.
    wait_seconds: float = 0.25
    # PostgreSQL: a silent connection is checked this often (a dropped network sends no error).
    ping_seconds: float = 15.0
    # PostgreSQL: the pause before reconnecting, doubled after each failure up to the last.
    backoff_seconds: tuple[float, float] = (0.2, 5.0)
    sleep: Callable[[float], None] = time.sleep
    # What happened, for the benchmark and the tests.
    reconnects: int = 0
    backend_pid: int | None = None
    _last_fingerprint: int | None = field(default=None, repr=False)

    @property
    def engine(self) -> Any:
        return self.sessions.kw["bind"]

    @property
    def listens(self) -> bool:
        """True on PostgreSQL (notifications); False on SQLite (polling)."""
        return bool(self.engine.dialect.name == "postgresql")

    def run(self, changed: Callable[[], None], stopped: Callable[[], bool]) -> None:
        if self.listens:
            self._listen(changed, stopped)
        else:
            self._poll(changed, stopped)

    # SQLite

    def _poll(self, changed: Callable[[], None], stopped: Callable[[], bool]) -> None:
        while not stopped():
            try:
                fingerprint = queue_fingerprint(self.sessions, self.actor)
            except OperationalError:
                # A busy or unreachable database: the next poll tries again.
                self._pause(self.poll_seconds, stopped)
                continue
            if fingerprint != self._last_fingerprint:
                # The first read reports a change too: the queue is read once the watch has begun,
                # so an item filed just before is not missed.
                self._last_fingerprint = fingerprint
                changed()
            self._pause(self.poll_seconds, stopped)

    # PostgreSQL

    def _connect(self) -> psycopg.Connection[Any]:
        engine = self.engine
        _, params = engine.dialect.create_connect_args(engine.url)
        params = {**params, "application_name": LISTENER_NAME, "connect_timeout": 5}
        import psycopg

        return psycopg.connect(**params, autocommit=True)

    def _listen(self, changed: Callable[[], None], stopped: Callable[[], bool]) -> None:
        import psycopg

        first_pause, longest_pause = self.backoff_seconds
        pause = first_pause
        while not stopped():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {ESCALATIONS_CHANNEL}")
                    self.backend_pid = connection.info.backend_pid
                    pause = first_pause
                    # Read the queue now that the notifications will be heard: whatever was filed before
                    # (before the first connection, or while the connection was down) was said to no one.
                    changed()
                    self._wait(connection, changed, stopped)
            except psycopg.OperationalError:
                self.backend_pid = None
                self.reconnects += 1
                self._pause(pause, stopped)
                pause = min(pause * 2, longest_pause)

    def _wait(
        self, connection: psycopg.Connection[Any], changed: Callable[[], None], stopped: Callable[[], bool]
    ) -> None:
        quiet_since = time.monotonic()
        while not stopped():
            # Back at once with the first notification; the next wait picks up any others.
            heard = any(True for _ in connection.notifies(timeout=self.wait_seconds, stop_after=1))
            if heard:
                changed()
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > self.ping_seconds:
                connection.execute("SELECT 1")
                quiet_since = time.monotonic()

    def _pause(self, seconds: float, stopped: Callable[[], bool]) -> None:
        """Sleep in short steps, so a stop is noticed quickly."""
        deadline = time.monotonic() + seconds
        while not stopped() and (left := deadline - time.monotonic()) > 0:
            self.sleep(min(left, 0.1))
