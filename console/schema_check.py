"""The start-up schema check: one query for the database's revision against the code's head, no Alembic.

On a SQLite file it reads with the standard library's sqlite3, so `hotline run` loads neither Alembic
nor SQLAlchemy before the login screen is drawn; on PostgreSQL it runs on the console's own engine.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# The newest revision in migrations/versions; tests/migrations/test_schema_head.py holds it to
# Alembic's own answer, so a new migration fails that test until this names it.
HEAD_REVISION = "0009"
FIX_COMMAND = "hotline db upgrade"
_REVISION_QUERY = "SELECT version_num FROM alembic_version"


class SchemaBehind(RuntimeError):
    """The database is older than the code; the message says which command fixes it."""


def sqlite_path(database_url: str) -> Path | None:
    """The file of a plain SQLite file URL (sqlite:///relative or sqlite:////absolute); None for anything
    else (another engine, memory, a URL with options), which the engine then reads."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or "?" in database_url:
        return None
    path = database_url[len(prefix) :]
    return None if path in ("", ":memory:") or path.startswith("file:") else Path(path)


def sqlite_revision(path: Path) -> str | None:
    """The revision in a SQLite file (None: no file, or no Hotline schema in it), opened read-only."""
    if not path.exists():
        return None  # looking must not create an empty file
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute(_REVISION_QUERY).fetchone()
    except sqlite3.OperationalError:
        return None  # no alembic_version table: never migrated
    finally:
        connection.close()
    return None if row is None else str(row[0])


def url_revision(database_url: str) -> str | None:
    """The revision through an engine of its own (PostgreSQL, or a SQLite URL with options)."""
    from sqlalchemy.exc import DBAPIError

    from console.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            try:
                row = connection.exec_driver_sql(_REVISION_QUERY).first()
            except DBAPIError:
                return None  # no alembic_version table: never migrated
    finally:
        engine.dispose()
    return None if row is None else str(row[0])


def ensure_current(revision: str | None, db_flag: str = "") -> None:
    """Refuse to go on when the database's `revision` is not HEAD_REVISION, naming the fixing command."""
    if revision == HEAD_REVISION:
        return
    from console.schema import behind_message  # Alembic loads only to say what is wrong

    raise SchemaBehind(behind_message(revision, db_flag))
