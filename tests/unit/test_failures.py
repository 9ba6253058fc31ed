"""Worker failures become one plain sentence: no SQL, no connection string, no stack trace."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from console.services.errors import Conflict
from console.services.system import explain_failure

SECRET = "postgresql://hotline:s3cret@db.internal/hotline SELECT * FROM customers"


def test_a_rule_that_said_no_is_shown_in_its_own_words() -> None:
    assert explain_failure(Conflict("Someone else unlocked this account first.")) == (
        "Someone else unlocked this account first."
    )


def test_a_lost_connection_says_nothing_was_changed() -> None:
    error = OperationalError(SECRET, {}, ConnectionRefusedError(SECRET))
    assert explain_failure(error) == ("The database cannot be reached; nothing was changed. Try again.")


def test_a_busy_sqlite_database_is_called_busy() -> None:
    error = OperationalError(SECRET, {}, sqlite3.OperationalError("database is locked"))
    assert explain_failure(error).startswith("The database is busy; nothing was changed.")


def test_a_missing_table_points_at_the_schema_not_the_network() -> None:
    error = OperationalError(SECRET, {}, sqlite3.OperationalError("no such table: customers"))
    assert explain_failure(error).startswith("The database schema does not match this Hotline;")


@pytest.mark.parametrize(
    "error",
    [
        OperationalError(SECRET, {}, Exception(SECRET)),
        IntegrityError(SECRET, {}, Exception(SECRET)),
        ProgrammingError(SECRET, {}, Exception(SECRET)),
        ConnectionResetError(SECRET),
        RuntimeError(SECRET),
        KeyError(SECRET),
    ],
)
def test_no_explanation_leaks_sql_or_connection_details(error: BaseException) -> None:
    text = explain_failure(error)
    assert "s3cret" not in text and "SELECT" not in text and "Traceback" not in text
    assert text.endswith(".")
