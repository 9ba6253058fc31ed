"""A failed login is audited without the text typed as the username: it may be a password typed into the wrong box."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.types import String

from console.db import Database
from console.services import agents
from models import AuditEvent

TYPED_PASSWORD = "Tr0ub4dor&3-Xyzzy"


def _every_audit_text(database: Database) -> list[str]:
    columns = [
        column["name"]
        for column in inspect(database.engine).get_columns("audit_events")
        if isinstance(column["type"], String)
    ]
    with database.sessions() as session:
        rows = session.execute(text(f"SELECT {', '.join(columns)} FROM audit_events")).all()
    return [value for row in rows for value in row if isinstance(value, str)]


def _refused_login(database: Database, username: str) -> None:
    with pytest.raises(agents.LoginRefused):
        agents.authenticate(database.sessions, username, "whatever it was", now=datetime.now(UTC))


def test_a_password_typed_as_the_username_is_stored_nowhere(database: Database) -> None:
    _refused_login(database, TYPED_PASSWORD)
    for typed in (TYPED_PASSWORD, TYPED_PASSWORD.lower()):
        assert not any(typed in value for value in _every_audit_text(database))
    if database.dialect == "sqlite":
        path = Path(str(database.engine.url.database))
        stored = b"".join(file.read_bytes() for file in (path, path.with_name(path.name + "-wal")) if file.exists())
        assert TYPED_PASSWORD.lower().encode() not in stored and TYPED_PASSWORD.encode() not in stored


def test_failed_logins_with_the_same_unknown_username_can_be_correlated(database: Database) -> None:
    _refused_login(database, TYPED_PASSWORD)
    _refused_login(database, f"  {TYPED_PASSWORD.upper()} ")  # the form trims and lower-cases names
    _refused_login(database, "someone-else")
    with database.sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [event.actor for event in events] == [agents.UNKNOWN_ACTOR] * 3
    tags = [event.details for event in events]
    assert tags[0] == tags[1] != tags[2]
    assert all('"username_tag":' in details for details in tags)
