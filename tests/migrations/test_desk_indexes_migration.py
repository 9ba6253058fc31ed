"""Migration 0009 on both engines: the desks' indexes (pending adjustments by status, feedback still waiting
in a department, complaints still escalated) come and go with it, and the index of feedback by department
and status they replace goes and comes back; on SQLite the queue's, the department list's and the
waiting counts' statements read through them instead of scanning the history of decided work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect

from console import schema
from console.db import Database, make_engine
from console.services.agents import add_agent
from console.services.context import Actor
from console.services.escalations import escalation_queue
from console.services.feedback_desk import department_feedback, waiting_by_department

DESK_INDEXES = {
    ("adjustments", "ix_adjustments_status_requested_at"),
    ("feedback", "ix_feedback_waiting"),
    ("feedback", "ix_feedback_escalation_waiting"),
}


def _indexes(url: str) -> set[tuple[str, str]]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        return {
            (table, index["name"]) for table in ("adjustments", "feedback") for index in inspector.get_indexes(table)
        }
    finally:
        engine.dispose()


REPLACED = ("feedback", "ix_feedback_department_status")


def test_the_desk_indexes_come_with_0009_and_go_on_downgrade(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url, "0009")
    assert _indexes(empty_db_url) >= DESK_INDEXES
    assert REPLACED not in _indexes(empty_db_url)
    schema.downgrade(empty_db_url, "0008")
    assert not DESK_INDEXES & _indexes(empty_db_url)
    assert REPLACED in _indexes(empty_db_url)


def _plans_of(database: Database, call: Any) -> dict[str, list[str]]:
    """Each SELECT the call sent, with its SQLite query plan."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    with database.engine.connect() as connection:
        return {
            sql: [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)]
            for sql, parameters in sent
        }


def test_the_queue_and_a_department_list_read_the_waiting_rows_by_index(sqlite_database: Database) -> None:
    now = datetime.now(UTC)
    supervisor = add_agent(
        sqlite_database.sessions, "sam", "sam-password-123", "supervisor", display_name="Sam", now=now
    )
    desk = Actor(supervisor.id, now)

    queue = _plans_of(sqlite_database, lambda: escalation_queue(sqlite_database.read_sessions, desk))
    listed = _plans_of(sqlite_database, lambda: department_feedback(sqlite_database.read_sessions, desk, "payments"))
    counted = _plans_of(sqlite_database, lambda: waiting_by_department(sqlite_database.read_sessions, desk))

    lines = [line for plan in (*queue.values(), *listed.values(), *counted.values()) for line in plan]
    # A scan of the partial index reads only what waits; a scan of anything else reads the whole history.
    scans = [line for line in lines if line.startswith("SCAN") and not line.endswith("INDEX ix_feedback_waiting")]
    for table in ("adjustments", "unlock_requests", "feedback"):
        assert not [line for line in scans if line.startswith(f"SCAN {table}")], lines
    assert any("ix_adjustments_status_requested_at" in line for line in lines)
    assert any("ix_feedback_escalation_waiting" in line for line in lines)
    department_list = next(plan for sql, plan in listed.items() if "FROM feedback" in sql and "ORDER BY" in sql)
    # Newest first straight from the index: no sort of the department's whole history.
    assert department_list == ["SEARCH feedback USING INDEX ix_feedback_waiting (department=?)"]
    # The counts read only what waits (the partial index), not every piece of feedback ever filed.
    counts = next(plan for sql, plan in counted.items() if "FROM feedback" in sql)
    assert len(counts) == 1 and counts[0].startswith("SCAN feedback USING") and "ix_feedback_waiting" in counts[0]
