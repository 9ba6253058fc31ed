"""Engines and sessions for both databases, and the retry helper for serialization failures."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from console.keys import KeyRing
from console.private_files import narrow, private_file
from console.services.plain_reads import PlainReads, plain_reads_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
log = logging.getLogger("hotline.db")

SQLITE_BUSY_TIMEOUT_MS = 5_000
# A PostgreSQL connection older than this is replaced (a server or proxy may drop long-lived ones).
POSTGRES_RECYCLE_S = 1800
# SQLSTATEs PostgreSQL uses when a transaction lost a race and can simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


def make_engine(url: str, **kwargs: Any) -> Engine:
    """One factory for both engines, with each engine's safety settings switched on."""
    parsed = make_url(url)
    # Errors and logs never carry statement parameters: they hold phone numbers, hashes and names.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    # No pre-ping: it costs a round trip on every checkout, doubling a lookup's latency. A dropped
    # connection fails its statement instead, SQLAlchemy discards the pool, and the agent is told.
    kwargs.setdefault("pool_recycle", POSTGRES_RECYCLE_S)
    kwargs.setdefault("connect_args", {"connect_timeout": 5, "application_name": "hotline"})
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    # Threads share the pool (workers run off the event loop); SQLite serializes writes itself.
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    in_memory = make_url(url).database in (None, "", ":memory:")
    if not in_memory:
        _keep_sqlite_files_private(engine, url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write transaction that starts as a read and upgrades later can fail with SQLITE_BUSY
        # without waiting; taking the write lock at BEGIN makes writers queue on the busy timeout.
        if connection.get_execution_options().get("hotline_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _keep_sqlite_files_private(engine: Engine, url: str) -> None:
    """The database file is created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
    database file's mode, so those are owner-only too. Files an older version left open are narrowed."""
    parsed = make_url(url)
    if parsed.query.get("uri") or str(parsed.database).startswith("file:"):
        return  # a URI names its own file and mode; leave it to SQLite
    path = Path(str(parsed.database))

    @event.listens_for(engine, "do_connect")
    def _before_sqlite_opens(*_args: Any) -> None:
        if not path.parent.is_dir():
            return  # SQLite reports the missing folder in its own words
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            narrow(path.with_name(path.name + suffix))


@dataclass(frozen=True)
class Database:
    """An engine with the two session factories services use: writes, and plain reads."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def keyring(self) -> KeyRing | None:
        """The key ring every session carries (None when the database was opened without one)."""
        keyring = self.sessions.kw.get("info", {}).get(KEYRING_INFO)
        return keyring if isinstance(keyring, KeyRing) else None

    def dispose(self) -> None:
        self.engine.dispose()


class _Sessions:
    """A `sessionmaker` made on first use, so the ORM is not imported before the console's first frame
    (the login screen needs none of it); it answers everything a sessionmaker does by making one."""

    def __init__(self, bind: Engine, info: dict[str, Any], plain_reads: PlainReads | None = None) -> None:
        self._bind = bind
        self._info = info
        self._made: sessionmaker[Session] | None = None
        # Reads that skip the ORM and the pool (the caller lookup's): see console.services.plain_reads.
        self.plain_reads = plain_reads

    def _maker(self) -> sessionmaker[Session]:
        if self._made is None:
            from sqlalchemy.orm import sessionmaker

            self._made = sessionmaker(self._bind, expire_on_commit=False, info=self._info)
        return self._made

    def __call__(self, **local_kw: Any) -> Session:
        return self._maker()(**local_kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._maker(), name)


# The key in `Session.info` under which sessions carry the key ring (the audit log signs with it).
KEYRING_INFO = "hotline_keyring"


# The key in `Session.info` that says the caller vouches for the `now` it passes (see `open_database`).
TRUSTED_CLOCK_INFO = "hotline_trusted_clock"


def open_database(
    url: str, keyring: KeyRing | None = None, *, trust_console_clock: bool = False, **engine_kwargs: Any
) -> Database:
    """Sessions for `url`; with a key ring, every session carries it, so the audit log can sign events.

    Without one, reads work but anything that writes an audit event is refused. On PostgreSQL the
    services refuse a `now` more than 30 s off the server's clock; `trust_console_clock` lifts that
    for tests that move time on purpose (never for a console).
    """
    engine = make_engine(url, **engine_kwargs)
    recycle_s: float = -1
    if engine.dialect.name == "postgresql":
        # Reads skip BEGIN/ROLLBACK round trips; a read that needs one snapshot opens its own.
        reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        recycle_s = engine_kwargs.get("pool_recycle", POSTGRES_RECYCLE_S)
    else:
        reader = engine.execution_options(hotline_read_only=True)
    info: dict[str, Any] = {} if keyring is None else {KEYRING_INFO: keyring}
    if trust_console_clock:
        info[TRUSTED_CLOCK_INFO] = True
    return Database(
        engine=engine,
        sessions=cast("sessionmaker[Session]", _Sessions(engine, info)),
        read_sessions=cast(
            "sessionmaker[Session]",
            _Sessions(reader, info, plain_reads_for(reader, disposed_with=engine, recycle_s=recycle_s)),
        ),
    )


def is_retryable(error: BaseException) -> bool:
    """A serialization failure or deadlock on PostgreSQL, or a busy SQLite that ran out of patience."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def run_with_retries(
    work: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.01,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Run a whole unit of work again when it lost a race; give up after `attempts` tries.

    `work` must open and commit its own transaction, so each try starts from fresh data.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as error:
            if attempt == attempts or not is_retryable(error):
                raise
            log.info("transaction lost a race (attempt %d of %d); running it again", attempt, attempts)
            if on_retry is not None:
                on_retry(attempt, error)
            # Jittered exponential backoff so the racers do not collide again in lockstep.
            time.sleep(base_delay * (2 ** (attempt - 1)) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def rows_changed(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE run through `Session.execute` changed.

    `Session.execute` is typed to return a `Result`; for an UPDATE it is a `CursorResult`, which has the count.
    """
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount
