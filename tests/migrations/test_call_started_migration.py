"""Migration 0008 on both engines: a ticket open when it runs is a call in progress since it was opened
(so the agent gets it back with a talk time), a wrapped-up one has no call in progress; downgrade drops it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from console import schema
from console.db import make_engine

_ROWS = """
INSERT INTO agents (id, username, display_name, role, password_hash, created_at) VALUES
  (1, 'ann', 'Ann', 'agent', 'x', '2026-12-01 08:00:00');
INSERT INTO tickets (id, agent_id, reason, status, opened_at) VALUES
  (1, 1, 'other', 'open', '2026-12-02 09:15:00');
INSERT INTO tickets (id, agent_id, reason, status, opened_at, closed_at, disposition) VALUES
  (2, 1, 'other', 'closed', '2026-12-02 08:00:00', '2026-12-02 08:05:00', 'resolved')
"""


def test_open_tickets_get_their_opening_as_the_call_start(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url, "0007")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for statement in _ROWS.split(";"):
                connection.execute(text(statement))
        schema.upgrade(empty_db_url, "0008")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, call_started_at FROM tickets ORDER BY id")).all()
        started = {ticket_id: value for ticket_id, value in rows}
        assert started[2] is None
        opened = started[1]
        if isinstance(opened, str):  # SQLite hands back the stored text
            opened = datetime.fromisoformat(opened)
        assert opened.replace(tzinfo=opened.tzinfo or UTC) == datetime(2026, 12, 2, 9, 15, tzinfo=UTC)
        schema.downgrade(empty_db_url, "0007")
        columns = {column["name"] for column in inspect(engine).get_columns("tickets")}
    finally:
        engine.dispose()
    assert "call_started_at" not in columns
