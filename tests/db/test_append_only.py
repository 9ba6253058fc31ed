"""The ledger and the audit log are append-only, enforced by the database itself on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.db import Database
from console.services import audit


def _seed_one_entry_and_event(database: Database) -> None:
    with database.sessions.begin() as session:
        session.execute(
            text(
                "INSERT INTO assets (code, name, scale) VALUES ('CNY', 'Chinese yuan', 2);"
            )
        )
        session.execute(
            text(
                "INSERT INTO customers (account_number, full_name, name_pinyin, name_initials,"
                " region, status, created_at) VALUES ('OK00000001', '王伟', 'wangwei', 'ww', 'CN',"
                " 'active', CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO ledger_entries (journal_id, customer_id, asset_code, amount, kind,"
                " description, created_at) SELECT 'j-1', id, 'CNY', 1000, 'opening', 'opening',"
                " CURRENT_TIMESTAMP FROM customers"
            )
        )
        audit.record(session, actor="test", action="test.event")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET amount = amount + 1",
        "DELETE FROM ledger_entries",
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ],
)
def test_ledger_and_audit_rows_cannot_be_changed_or_removed(
    database: Database, statement: str
) -> None:
    _seed_one_entry_and_event(database)
    with pytest.raises(DBAPIError, match="append-only"):
        with database.sessions.begin() as session:
            session.execute(text(statement))
    with database.sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM ledger_entries")) == 1
        assert session.scalar(text("SELECT amount FROM ledger_entries")) == 1000
        assert session.scalar(text("SELECT actor FROM audit_events")) == "test"


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["ledger_entries", "audit_events"])
def test_truncate_is_refused_on_postgres(postgres_database: Database, table: str) -> None:
    _seed_one_entry_and_event(postgres_database)
    with pytest.raises(DBAPIError, match="append-only"):
        with postgres_database.sessions.begin() as session:
            session.execute(text(f"TRUNCATE {table} CASCADE"))


def test_appending_still_works(database: Database) -> None:
    _seed_one_entry_and_event(database)
    with database.sessions.begin() as session:
        audit.record(session, actor="test", action="test.second")
    report = audit.verify_chain(database.sessions)
    assert report.ok and report.events_checked == 2
