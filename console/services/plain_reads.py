"""Hot-path reads on the driver: a Core statement compiled once per engine, run on a pooled DBAPI connection.

A caller lookup runs on every keystroke and costs the database a few microseconds; SQLAlchemy's
execution around it (a Connection, its transaction and events, the compiled-statement cache, the
result object) cost ten times that. Here the statement is still built with Core and compiled by the
engine's dialect, once; each call checks a connection out of the engine's pool, runs the SQL with
the driver's cursor and hands back plain tuples. Reads only, in autocommit: on SQLite a single
statement needs no BEGIN, on PostgreSQL no BEGIN/ROLLBACK round trips (the read engine's setting). A
driver error is raised as SQLAlchemy's own exception for it (the console explains those in words),
and a connection the server dropped is thrown out of the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.exc import DBAPIError
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


class PlainReads:
    """`with PlainReads(engine) as reads: reads.rows(statement, params)`: one pooled connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._restore_autocommit: bool | None = None

    def __enter__(self) -> PlainReads:
        self._raw = self.engine.raw_connection()
        driver = self._raw.driver_connection
        if self.engine.dialect.name == "postgresql" and driver is not None and not driver.autocommit:
            driver.autocommit = True  # idle after the pool's reset, so no round trip
            self._restore_autocommit = False
        return self

    def rows(self, statement: Select[Any], params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        plan = _plan(self.engine, statement)
        values = plan.values(params)
        cursor = self._raw.cursor()
        try:
            cursor.execute(plan.sql, values)
            return cursor.fetchall()
        except self.engine.dialect.loaded_dbapi.Error as error:
            dropped = self.engine.dialect.is_disconnect(error, self._raw.dbapi_connection, cursor)
            if dropped:
                self._raw.invalidate(error)
            raise DBAPIError.instance(
                plan.sql,
                values,
                error,
                self.engine.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=dropped,
                dialect=self.engine.dialect,
                ismulti=False,
            ) from error
        finally:
            cursor.close()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if self._restore_autocommit is not None and self._raw.driver_connection is not None:
                self._raw.driver_connection.autocommit = self._restore_autocommit
        finally:
            self._raw.close()  # back to the pool (reset there: nothing to roll back in autocommit)


def engine_of(sessions: sessionmaker[Session]) -> Engine | None:
    """The one engine a session factory is bound to, or None (a factory with no single engine)."""
    bind = getattr(sessions, "kw", {}).get("bind")
    return bind if isinstance(bind, Engine) else None
