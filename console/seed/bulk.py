"""Bulk loading of generated rows: executemany on SQLite, COPY on PostgreSQL, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import CheckConstraint, Connection, text

import models

Row = tuple[Any, ...]


class SeedIntegrityError(RuntimeError):
    """Rows loaded with SQLite's CHECK constraints paused break one of them; the load is rolled back."""


class BulkLoader(Protocol):
    def next_id(self, table: str) -> int: ...

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None: ...

    @contextmanager
    def loading(self, tables: Sequence[str], first_ids: dict[str, int]) -> Iterator[None]: ...


def loader_for(connection: Connection) -> BulkLoader:
    if connection.dialect.name == "sqlite":
        return SqliteLoader(connection)
    if connection.dialect.name == "postgresql":
        return PostgresLoader(connection)
    raise ValueError(f"no bulk loader for {connection.dialect.name}")


class _Loader:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # The DBAPI connection under SQLAlchemy's, already inside the caller's transaction.
        # Typed Any | None by SQLAlchemy: it is the driver's own (sqlite3 or psycopg), present while connected.
        self.raw: Any = connection.connection.driver_connection

    def next_id(self, table: str) -> int:
        # Ids are given explicitly so related rows can refer to each other without a round trip.
        return int(self.connection.scalar(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")))


class SqliteLoader(_Loader):
    """`executemany` in large batches, with secondary indexes rebuilt once at the end.

    Two SQLite costs dominate a load of millions of rows: updating every secondary index row by
    row (a sorted rebuild at the end is several times faster), and CHECK constraints written as
    `col IN (...)`, which SQLite evaluates per row through a temporary table (about three times
    slower than the insert itself). Both are paused inside the one transaction; afterwards the
    indexes are rebuilt from their own stored definitions and every CHECK constraint is evaluated
    over the new rows in a single query, so a bad row still rolls the whole load back.
    """

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        cursor = self.raw.cursor()
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()

    @contextmanager
    def loading(self, tables: Sequence[str], first_ids: dict[str, int]) -> Iterator[None]:
        cursor = self.raw.cursor()
        names = ", ".join(f"'{table}'" for table in tables)
        indexes = cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({names}) ORDER BY name"
        ).fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
        for _name, sql in indexes:
            cursor.execute(sql)
        for table in tables:
            self._check_constraints(cursor, table, first_ids[table])
        cursor.close()

    def _check_constraints(self, cursor: Any, table: str, first_id: int) -> None:
        dialect = self.connection.dialect
        checks = [
            str(constraint.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            for constraint in models.Base.metadata.tables[table].constraints
            if isinstance(constraint, CheckConstraint)
        ]
        if not checks:
            return
        # A CHECK fails only when its expression is false (NULL passes), hence NOT (...) here.
        broken = " OR ".join(f"NOT ({check})" for check in checks)
        count = cursor.execute(f"SELECT count(*) FROM {table} WHERE id >= ? AND ({broken})", (first_id,)).fetchone()[0]
        if count:
            raise SeedIntegrityError(f"{count} new {table} rows break a CHECK constraint")


class PostgresLoader(_Loader):
    """COPY FROM STDIN through psycopg 3, then the id sequences moved past the ids given."""

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def loading(self, tables: Sequence[str], first_ids: dict[str, int]) -> Iterator[None]:
        # Timestamps are written as UTC text; the session zone makes PostgreSQL read them so.
        self.connection.execute(text("SET LOCAL TIME ZONE 'UTC'"))
        yield
        for table in tables:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
        # Fresh statistics, so the planner does not take a million-row table for an empty one
        # until autovacuum gets round to it.
        self.connection.execute(text(f"ANALYZE {', '.join(tables)}"))
