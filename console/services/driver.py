"""The statements every money command sends, compiled once per engine and run on the driver, inside
the command's own transaction.

Sixteen agents adjusting the same accounts are bound by what each command costs the client: SQLAlchemy's
execution path (a context, its events, parameter and result objects) costs two to three times what the
driver does to send a statement and read its answer. A statement written here is still built with
Core and compiled by the engine's dialect, with SQLAlchemy's own conversion of each value (an enum to
its text, a time to SQLite's format) and of each result column; `run` sends it on the connection the
command's session already holds, in its transaction. A driver error comes back as SQLAlchemy's own
exception for it (an IntegrityError, or the serialization failure `run_with_retries` runs again), and
listeners of the engine's `before_cursor_execute` still see every statement (the tests count them).

What a plan refuses when it is built, so a statement cannot quietly lose a value: an INSERT or UPDATE
that would fill a column from a Python-side default (pass every value), and an IN list (write the
alternatives out).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Executable, Select, TextClause, UpdateBase
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Plan:
    """One statement as the driver takes it: its SQL, how to lay out and convert the values, and how to
    convert what comes back."""

    sql: str
    # Positional drivers (sqlite3's "?"): each placeholder's parameter name; None for named ones.
    order: tuple[str, ...] | None
    # Parameter name -> SQLAlchemy's conversion of its value for this dialect (those that have one).
    convert: Mapping[str, Callable[[Any], Any]]
    # Values the statement holds itself (a literal the compiler made a parameter), converted.
    fixed: Mapping[str, Any]
    # One conversion per result column (None: the driver's value as it is).
    results: tuple[Processor, ...]
    # The row type: a named tuple of the result columns' keys (a plain tuple for text()).
    shape: Callable[..., tuple[Any, ...]]

    def values(self, params: Mapping[str, Any]) -> Any:
        given = {**self.fixed, **{name: self._converted(name, value) for name, value in params.items()}}
        if self.order is None:
            return given
        return tuple(given[name] for name in self.order)

    def _converted(self, name: str, value: Any) -> Any:
        convert = self.convert.get(name)
        return value if convert is None else convert(value)

    def row(self, raw: Sequence[Any]) -> Any:
        if not self.results:  # text(): no column types to convert by
            return tuple(raw)
        return self.shape(
            *(value if convert is None else convert(value) for convert, value in zip(self.results, raw, strict=True))
        )


_plans: dict[tuple[int, Executable, frozenset[str]], Plan] = {}


def plan(dialect: Dialect, statement: Executable, keys: frozenset[str]) -> Plan:
    """The statement compiled for this dialect and these parameter names, once."""
    found = _plans.get((id(dialect), statement, keys))
    if found is None:
        found = _plans.setdefault((id(dialect), statement, keys), _compile(dialect, statement, keys))
    return found


def _compile(dialect: Dialect, statement: Executable, keys: frozenset[str]) -> Plan:
    # An INSERT or UPDATE without its own VALUES takes its columns from the parameters given.
    column_keys = sorted(keys) if isinstance(statement, UpdateBase) else None
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)  # type: ignore[attr-defined]
    if compiled.insert_prefetch or compiled.update_prefetch:
        columns = [column.key for column in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        raise ValueError(f"give every value on the driver; SQLAlchemy would fill {columns} from Python defaults")
    convert: dict[str, Callable[[Any], Any]] = {}
    fixed: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        if bind.expanding:
            raise ValueError(f"an IN list ({bind.key!r}) is not run on the driver; write the alternatives out")
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert[name] = processor
        if name not in keys:
            if bind.callable is not None or (bind.value is None and bind.required):
                raise ValueError(f"the statement needs the parameter {name!r}")
            fixed[name] = bind.value if processor is None else processor(bind.value)
    order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
    columns = _result_columns(statement)
    results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    shape = row_type("Row", [str(column.key) for column in columns]) if columns else tuple
    return Plan(compiled.string, order, convert, fixed, results, shape)


def _result_columns(statement: Executable) -> list[Any]:
    if isinstance(statement, Select):
        return list(statement.selected_columns)
    if isinstance(statement, UpdateBase):
        return list(statement.exported_columns)
    if isinstance(statement, TextClause):
        return []  # text() says nothing of its columns: the driver's values as they are
    raise TypeError(f"no plan for {type(statement).__name__}")


def row_type(name: str, fields: Sequence[str]) -> Any:
    """A named tuple type for plain rows: `row.status`, as an object's attribute reads."""
    return namedtuple(name, fields, rename=True)


def remember(session: Session, table: str, key: object, row: object) -> None:
    """Keep a plain row the command read, for the rules after it (`known`): read once per command."""
    session.info.setdefault(_KNOWN_INFO, {})[table, key] = row


def known(session: Session, table: str, key: object) -> Any | None:
    """The plain row of `table` with this key that the command read on the driver, or None."""
    rows = session.info.get(_KNOWN_INFO)
    return None if rows is None else rows.get((table, key))


# The key in `Session.info` of the plain rows a command has read.
_KNOWN_INFO = "hotline_known_rows"


@dataclass(frozen=True)
class Ran:
    """What a statement answered: its rows (converted) and how many rows it changed."""

    rows: list[Any]  # named tuples: `row.status`, or unpacked in the statement's column order
    rowcount: int

    def one(self) -> Any:
        if len(self.rows) != 1:
            raise AssertionError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]

    def first(self) -> Any | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


def run(session: Session, statement: Executable, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] = {}) -> Ran:
    """Send `statement` on the session's connection, in its transaction; a list of parameter sets runs
    it once for each (the driver's executemany)."""
    connection = session.connection()
    dialect = connection.dialect
    many = not isinstance(params, Mapping)
    sets: Sequence[Mapping[str, Any]] = params if many else [params]  # type: ignore[assignment,list-item]
    if not sets:
        return Ran([], 0)
    statement_plan = plan(dialect, statement, frozenset(sets[0]))
    values = [statement_plan.values(one) for one in sets] if many else statement_plan.values(sets[0])
    fairy = connection.connection
    cursor: DBAPICursor | None = None
    try:
        cursor = fairy.cursor()
        if connection.dispatch.before_cursor_execute:
            for listener in connection.dispatch.before_cursor_execute:
                listener(connection, cursor, statement_plan.sql, values, None, many)
        if many:
            cursor.executemany(statement_plan.sql, values)
        else:
            cursor.execute(statement_plan.sql, values)
        rows = [statement_plan.row(raw) for raw in cursor.fetchall()] if cursor.description else []
        return Ran(rows, cursor.rowcount)
    except dialect.loaded_dbapi.Error as error:
        dropped = dialect.is_disconnect(error, fairy.dbapi_connection, cursor)
        if dropped:
            connection.invalidate(error)
        raise DBAPIError.instance(
            statement_plan.sql,
            values,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=dropped,
            dialect=dialect,
            ismulti=many,
        ) from error
    finally:
        if cursor is not None:
            cursor.close()
