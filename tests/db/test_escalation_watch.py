"""The supervisors' queue notices changes by itself: LISTEN on PostgreSQL (coming back after its connection
is killed), a polled fingerprint on SQLite."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest

from console.services.context import Actor
from console.services.decisions import decide_escalation
from console.services.escalation_watch import QueueWatch
from tests.support.desk import unlock_waiting
from tests.support.world import World


class Heard:
    """Counts the watch's `changed()` calls, from its thread."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.count += 1


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> float:
    """Seconds until `condition` held; fails after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"gave up waiting for {what} after {timeout}s")
        time.sleep(0.01)
    return time.monotonic() - started


@contextmanager
def watching(w: World, **options: object) -> Iterator[tuple[QueueWatch, Heard]]:
    watch = QueueWatch(w.database.read_sessions, Actor(w.agent("chenjing"), w.now), **options)  # type: ignore[arg-type]
    heard, stop = Heard(), threading.Event()
    thread = threading.Thread(target=watch.run, args=(heard, stop.is_set), daemon=True)
    thread.start()
    try:
        yield watch, heard
    finally:
        stop.set()
        thread.join(timeout=5)
        assert not thread.is_alive(), "the watch did not stop when told"


def test_on_sqlite_a_new_item_is_noticed_within_a_poll(world: World) -> None:
    with watching(world, poll_seconds=0.2) as (watch, heard):
        # The first read is reported (the console reads the queue once it is watched), then nothing
        # until the queue changes.
        _wait_for(lambda: heard.count >= 1, "the first read")
        time.sleep(0.5)
        assert heard.count == 1 and not watch.listens
        unlock_waiting(world)
        assert _wait_for(lambda: heard.count >= 2, "the change") < 2.0


@pytest.mark.postgres
def test_on_postgresql_the_listener_hears_a_new_item_and_comes_back_after_its_connection_is_killed(
    world_on_postgres: World,
) -> None:
    w = world_on_postgres
    with watching(w, backoff_seconds=(0.05, 0.5)) as (watch, heard):
        _wait_for(lambda: watch.backend_pid is not None, "the listener to connect")
        assert watch.listens
        # Listening, it reports a change once (the console reads the queue then), then waits.
        _wait_for(lambda: heard.count >= 1, "the first read once listening")
        time.sleep(0.3)
        assert heard.count == 1
        request = unlock_waiting(w)
        _wait_for(lambda: heard.count >= 2, "the notification of the new item")
        killed = watch.backend_pid
        url = w.database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (killed,))
        _wait_for(lambda: watch.backend_pid not in (None, killed), "the listener to reconnect")
        assert watch.reconnects >= 1
        # Anything may have been said while it was away: it reports a change on coming back.
        _wait_for(lambda: heard.count >= 3, "the reload after reconnecting")
        before = heard.count
        supervisor = Actor(w.typed_password("admin"), w.now)
        decide_escalation(
            w.sessions, supervisor, "unlock", request.request_id, request.version, approve=False, reason="No."
        )
        assert _wait_for(lambda: heard.count > before, "the notification after the reconnect") < 2.0
