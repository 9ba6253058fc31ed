"""Migration 0006 on both engines: agents added before it keep their passwords (no change asked of them),
with rows that refer to them in place (the agents table is altered, not copied); the opens and alerts
tables take rows, refuse an alert dismissed by its own agent, and go on a downgrade."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from console import schema
from console.db import make_engine

_AGENTS = """
INSERT INTO agents (id, username, display_name, role, password_hash, created_at) VALUES
  (1, 'ann', 'Ann', 'agent', 'x', '2026-12-01 08:00:00'),
  (2, 'sam', 'Sam', 'supervisor', 'x', '2026-12-01 08:00:00');
INSERT INTO customers (id, account_number, full_name, name_pinyin, name_initials, region, status, created_at)
  VALUES (1, 'OK00000001', 'Li Na', 'lina', 'ln', 'CN', 'active', '2026-12-01 08:00:00');
INSERT INTO audit_events (id, seq, occurred_at, actor, actor_agent_id, action, details, prev_hash, hash)
  VALUES (1, 1, '2026-12-01 08:01:00', 'ann', 1, 'login.success', '{}', 'h0', 'h1')
"""


def _run(connection: Connection, statements: str) -> None:
    for statement in statements.split(";"):
        if statement.strip():
            connection.execute(text(statement))


def test_agents_from_before_keep_their_password_and_the_new_tables_round_trip(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url, "0005")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            _run(connection, _AGENTS)
        schema.upgrade(empty_db_url, "0006")
        with engine.begin() as connection:
            required = connection.execute(text("SELECT password_change_required FROM agents ORDER BY id")).scalars()
            assert [bool(value) for value in required] == [False, False]
            connection.execute(
                text("INSERT INTO customer_opens (agent_id, customer_id, last_opened_at) VALUES (1, 1, :at)"),
                {"at": "2026-12-02 08:00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO insider_alerts (id, agent_id, raised_at, customers, window_seconds, status)"
                    " VALUES (1, 1, '2026-12-02 08:00:00', 31, 3600, 'open')"
                )
            )
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE insider_alerts SET dismissed_by_agent_id = 1 WHERE id = 1"))
        with engine.begin() as connection:
            connection.execute(text("UPDATE insider_alerts SET dismissed_by_agent_id = 2, status = 'dismissed'"))
        schema.downgrade(empty_db_url, "0005")
        tables = set(inspect(engine).get_table_names())
        columns = {column["name"] for column in inspect(engine).get_columns("agents")}
        with engine.connect() as connection:
            agents = connection.execute(text("SELECT username FROM agents ORDER BY id")).scalars().all()
    finally:
        engine.dispose()
    assert {"customer_opens", "insider_alerts"} & tables == set()
    assert "password_change_required" not in columns and agents == ["ann", "sam"]
