"""Hot-path reads on the driver: a Core statement compiled once per engine, run on a connection each thread keeps.

A caller lookup runs on every keystroke and costs the database a few microseconds; SQLAlchemy's
execution around it (a Connection, its transaction and events, the compiled-statement cache, the
result object) cost ten times that, and so does taking a connection out of the pool and putting it
back (its checkout and reset events, the queue's lock). Here the statement is still built with Core
and compiled by the engine's dialect, once; each thread that reads keeps one driver connection of
the engine's own making (the engine's connect settings applied), runs the SQL with its cursor and
hands back plain tuples. Reads only, in autocommit: on SQLite a single statement needs no BEGIN and
holds no lock once its rows are fetched; on PostgreSQL, no BEGIN/ROLLBACK round trips. A driver error
is raised as SQLAlchemy's own exception for it (the console explains those in words). A connection
the server dropped is closed and the read is sent once more on a new one; when no new one can be
opened, that failure is what the agent is told. The connections are closed when the engine is
disposed, and one older than the engine's recycle age is replaced.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Select, event
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class _Plan:
    sql: str
    # Positional drivers (sqlite3's "?"): each placeholder's parameter name, or None and the value the
    # statement itself holds (an OFFSET 0 the compiler added). Named drivers (psycopg's "%(name)s"): None.
    order: tuple[tuple[str | None, Any], ...] | None
    # Named drivers: the values the statement itself holds, by name.
    fixed: dict[str, Any]

    def values(self, params: dict[str, Any]) -> Any:
        if self.order is None:
            return {**self.fixed, **params} if self.fixed else params
        return tuple(params[key] if key is not None else value for key, value in self.order)


_plans: dict[tuple[int, Any], _Plan] = {}


def _plan(engine: Engine, statement: Select[Any]) -> _Plan:
    key = (id(engine.dialect), statement)
    plan = _plans.get(key)
    if plan is None:
        compiled = statement.compile(dialect=engine.dialect)
        given: dict[str, str | None] = {}
        fixed: dict[str, Any] = {}
        for bind, name in compiled.bind_names.items():
            if bind.callable is not None or (bind.value is not None and not bind.key.startswith("%(")):
                raise ValueError(f"plain reads take the parameter {bind.key!r} from the caller, not the statement")
            if bind.value is not None:
                given[name], fixed[name] = None, bind.value  # a value the compiler put in (OFFSET 0)
            else:
                given[name] = bind.key
                if name != bind.key:
                    raise ValueError(f"the compiler renamed the parameter {bind.key!r}; plain reads need it as given")
        order = None
        if compiled.positional:
            order = tuple((given[name], fixed.get(name)) for name in compiled.positiontup or ())
        plan = _plans.setdefault(key, _Plan(compiled.string, order, {} if order is not None else fixed))
    return plan


@dataclass
class _Held:
    connection: Any  # the driver's own connection (sqlite3 / psycopg)
    opened_at: float
    generation: int


class PlainReads:
    """`reads.rows(statement, params)` on the calling thread's own connection to `engine`.

    `engine` is the engine that reads (its execution options are not consulted: plain reads are always
    autocommit); `recycle_s` is the age after which a connection is replaced (the pool's setting).
    """

    def __init__(self, engine: Engine, *, recycle_s: float = -1) -> None:
        self.engine = engine
        self._recycle_s = recycle_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[Any] = []  # every thread's connection, so `close` reaches them all
        self._generation = 0
        self._error = engine.dialect.loaded_dbapi.Error

    def rows(self, statement: Select[Any], params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        plan = _plan(self.engine, statement)
        return self._read(plan, plan.values(params), again=True)

    def _read(self, plan: _Plan, values: Any, *, again: bool) -> Sequence[Sequence[Any]]:
        connection = self._connection()
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(plan.sql, values)
            rows: Sequence[Sequence[Any]] = cursor.fetchall()
            return rows
        except self._error as error:
            dropped = self.engine.dialect.is_disconnect(error, connection, cursor)
            if dropped:
                self._drop(connection)
                if again:
                    # A read changes nothing, so it can simply be sent again on a new connection (after a
                    # server restart or a failover the agent sees the caller, not an error). If the
                    # database is really gone, opening that connection says so.
                    return self._read(plan, values, again=False)
            raise DBAPIError.instance(
                plan.sql,
                values,
                error,
                self._error,
                hide_parameters=True,
                connection_invalidated=dropped,
                dialect=self.engine.dialect,
                ismulti=False,
            ) from error
        finally:
            if cursor is not None:
                cursor.close()

    def close(self) -> None:
        """Close every thread's connection (the engine was disposed); the next read on a thread opens one."""
        with self._lock:
            self._generation += 1
            connections, self._open = self._open, []
        for connection in connections:
            _close_quietly(connection)

    def _connection(self) -> Any:
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.generation == self._generation:
            if self._recycle_s < 0 or time.monotonic() - held.opened_at < self._recycle_s:
                return held.connection
            self._drop(held.connection)
        return self._open_one()

    def _open_one(self) -> Any:
        # Made by the pool, so the engine's connect events run (SQLite's PRAGMAs); then detached: it is
        # this thread's from now on, not the pool's to hand to another or to reset after every read.
        pooled = self.engine.raw_connection()
        pooled.detach()
        connection: Any = pooled.dbapi_connection
        if self.engine.dialect.name == "postgresql":
            connection.autocommit = True
        with self._lock:
            self._open.append(connection)
            self._local.held = _Held(connection, time.monotonic(), self._generation)
        return connection

    def _drop(self, connection: Any) -> None:
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)
        self._local.held = None
        _close_quietly(connection)


def _close_quietly(connection: Any) -> None:
    # Closing a connection the server already dropped may raise: it is closed either way.
    with contextlib.suppress(Exception):
        connection.close()


def plain_reads_for(engine: Engine, *, disposed_with: Engine, recycle_s: float = -1) -> PlainReads:
    """Plain reads on `engine`, closed whenever `disposed_with` (the engine that owns the pool) is disposed."""
    reads = PlainReads(engine, recycle_s=recycle_s)
    event.listen(disposed_with, "engine_disposed", lambda _engine: reads.close())
    return reads


def plain_reads_of(sessions: sessionmaker[Session]) -> PlainReads | None:
    """The plain reads that come with a database's read sessions (see `console.db.open_database`), or None."""
    reads = getattr(sessions, "plain_reads", None)
    return reads if isinstance(reads, PlainReads) else None
