"""Engine settings: SQLite in WAL with foreign keys and immediate write transactions; bounded retries."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from console.db import Database, is_retryable, run_with_retries


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_database: Database) -> None:
    with sqlite_database.sessions() as session:
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
        assert session.scalar(text("PRAGMA busy_timeout")) >= 1000


def test_sqlite_write_transactions_take_the_write_lock_at_begin(sqlite_database: Database) -> None:
    """A second writer waits at BEGIN instead of failing halfway through its transaction."""
    order: list[str] = []
    first_has_lock = threading.Event()

    def first() -> None:
        with sqlite_database.sessions.begin() as session:
            session.execute(text("SELECT 1"))  # a read only, yet the write lock is already held
            first_has_lock.set()
            time.sleep(0.3)
            order.append("first commits")

    def second() -> None:
        first_has_lock.wait()
        with sqlite_database.sessions.begin() as session:
            session.execute(text("INSERT INTO assets (code, name, scale) VALUES ('ETH', 'Ether', 9)"))
            order.append("second wrote")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["first commits", "second wrote"]


def test_sqlite_reads_do_not_wait_for_a_writer(sqlite_database: Database) -> None:
    release = threading.Event()
    writer_in = threading.Event()

    def writer() -> None:
        with sqlite_database.sessions.begin():
            writer_in.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    writer_in.wait()
    started = time.perf_counter()
    with sqlite_database.read_sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM assets")) == 0
    assert time.perf_counter() - started < 1.0
    release.set()
    thread.join()


@pytest.mark.postgres
def test_postgres_serialization_failures_are_retried(postgres_database: Database) -> None:
    """Two SERIALIZABLE transactions that read-then-write the same row: one loses, is retried, both land."""
    with postgres_database.sessions.begin() as session:
        session.execute(text("INSERT INTO assets (code, name, scale) VALUES ('USD', 'US dollar', 0)"))
    barrier = threading.Barrier(2)
    retries: list[int] = []

    def bump() -> None:
        first_try = [True]

        def work() -> None:
            with postgres_database.sessions.begin() as session:
                session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
                scale = session.scalar(text("SELECT scale FROM assets WHERE code = 'USD'"))
                if first_try[0]:
                    first_try[0] = False
                    barrier.wait()
                session.execute(text("UPDATE assets SET scale = :s WHERE code = 'USD'"), {"s": scale + 1})

        run_with_retries(work, on_retry=lambda attempt, error: retries.append(attempt))

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with postgres_database.sessions() as session:
        assert session.scalar(text("SELECT scale FROM assets WHERE code = 'USD'")) == 2
    assert retries, "one of the two transactions should have been retried"


def test_retries_are_bounded() -> None:
    class Busy(Exception):
        sqlstate = "40001"

    calls = []

    def always_conflicts() -> None:
        calls.append(1)
        raise OperationalError("UPDATE", {}, Busy())

    with pytest.raises(OperationalError):
        run_with_retries(always_conflicts, attempts=3, base_delay=0)
    assert len(calls) == 3


def test_other_errors_are_not_retried() -> None:
    class Broken(Exception):
        sqlstate = "23505"

    calls = []

    def fails() -> None:
        calls.append(1)
        raise OperationalError("INSERT", {}, Broken())

    with pytest.raises(OperationalError):
        run_with_retries(fails, attempts=5, base_delay=0)
    assert len(calls) == 1
    assert not is_retryable(ValueError("not a database error"))
