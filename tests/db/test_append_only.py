"""The ledger and the audit log are append-only, enforced by the database itself on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.db import Database
from console.services import audit


def _seed_one_entry_and_event(database: Database) -> None:
    with database.sessions.begin() as session:
        session.execute(text("INSERT INTO assets (code, name, scale) VALUES ('CNY', 'Chinese yuan', 2);"))
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
                " description, idempotency_key, created_at) SELECT 'j-1', id, 'CNY', 1000, 'opening',"
                " 'opening', 'k-1', CURRENT_TIMESTAMP FROM customers"
            )
        )
        audit.record(session, actor="test", action="test.event", now=datetime.now(UTC))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET amount = amount + 1",
        "DELETE FROM ledger_entries",
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ],
)
def test_ledger_and_audit_rows_cannot_be_changed_or_removed(database: Database, statement: str) -> None:
    _seed_one_entry_and_event(database)
    with pytest.raises(DBAPIError, match="append-only"), database.sessions.begin() as session:
        session.execute(text(statement))
    with database.sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM ledger_entries")) == 1
        assert session.scalar(text("SELECT amount FROM ledger_entries")) == 1000
        assert session.scalar(text("SELECT actor FROM audit_events")) == "test"


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["ledger_entries", "audit_events"])
def test_truncate_is_refused_on_postgres(postgres_database: Database, table: str) -> None:
    _seed_one_entry_and_event(postgres_database)
    with pytest.raises(DBAPIError, match="append-only"), postgres_database.sessions.begin() as session:
        session.execute(text(f"TRUNCATE {table} CASCADE"))


def test_appending_still_works(database: Database) -> None:
    _seed_one_entry_and_event(database)
    with database.sessions.begin() as session:
        audit.record(session, actor="test", action="test.second", now=datetime.now(UTC))
    report = audit.verify_chain(database.sessions)
    assert report.ok and report.events_checked == 2


# Statements that would replace an existing row in place. SQLite's REPLACE conflict resolution deletes
# the old row without firing DELETE triggers; an upsert's DO UPDATE is an UPDATE. Each collides on
# a different key: the primary key or one of the table's unique columns.
_LEDGER_COLUMNS = "id, journal_id, customer_id, asset_code, amount, kind, description, idempotency_key, created_at"
_AUDIT_COLUMNS = (
    "id, seq, occurred_at, actor, actor_agent_id, action, subject_type, subject_id, details, prev_hash, key_id, hash"
)
_LEDGER_COPY = (
    f"INSERT INTO ledger_entries ({_LEDGER_COLUMNS}) SELECT {{id}}, journal_id, customer_id, asset_code,"
    " amount + 1, kind, description, {key}, created_at FROM ledger_entries WHERE true"
)
_AUDIT_COPY = (
    f"INSERT INTO audit_events ({_AUDIT_COLUMNS}) SELECT {{id}}, {{seq}}, occurred_at, 'mallory', actor_agent_id,"
    " action, subject_type, subject_id, details, prev_hash, key_id, {hash} FROM audit_events WHERE true"
)
_OTHER_HASH = "'" + "f" * 64 + "'"
REPLACING_STATEMENTS = {
    "ledger: INSERT OR REPLACE on the id": _LEDGER_COPY.format(id="id", key="'k-2'").replace(
        "INSERT INTO", "INSERT OR REPLACE INTO"
    ),
    "ledger: REPLACE INTO on the idempotency key": _LEDGER_COPY.format(id="id + 100", key="idempotency_key").replace(
        "INSERT INTO", "REPLACE INTO"
    ),
    "ledger: upsert on the id": _LEDGER_COPY.format(id="id", key="'k-2'")
    + " ON CONFLICT (id) DO UPDATE SET amount = excluded.amount",
    "ledger: upsert on the idempotency key": _LEDGER_COPY.format(id="id + 100", key="idempotency_key")
    + " ON CONFLICT (idempotency_key) DO UPDATE SET amount = excluded.amount",
    "audit: INSERT OR REPLACE on the id": _AUDIT_COPY.format(id="id", seq="seq + 100", hash=_OTHER_HASH).replace(
        "INSERT INTO", "INSERT OR REPLACE INTO"
    ),
    "audit: REPLACE INTO on the seq": _AUDIT_COPY.format(id="id + 100", seq="seq", hash=_OTHER_HASH).replace(
        "INSERT INTO", "REPLACE INTO"
    ),
    "audit: INSERT OR REPLACE on the hash": _AUDIT_COPY.format(id="id + 100", seq="seq + 100", hash="hash").replace(
        "INSERT INTO", "INSERT OR REPLACE INTO"
    ),
    "audit: upsert on the seq": _AUDIT_COPY.format(id="id + 100", seq="seq", hash=_OTHER_HASH)
    + " ON CONFLICT (seq) DO UPDATE SET actor = excluded.actor",
    "audit: upsert on the id": _AUDIT_COPY.format(id="id", seq="seq + 100", hash=_OTHER_HASH)
    + " ON CONFLICT (id) DO UPDATE SET actor = excluded.actor",
}


def _every_row(database: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with database.sessions() as session:
        ledger = [
            tuple(row) for row in session.execute(text(f"SELECT {_LEDGER_COLUMNS} FROM ledger_entries ORDER BY id"))
        ]
        events = [tuple(row) for row in session.execute(text(f"SELECT {_AUDIT_COLUMNS} FROM audit_events ORDER BY id"))]
    return ledger, events


@pytest.mark.parametrize("statement", REPLACING_STATEMENTS.values(), ids=REPLACING_STATEMENTS.keys())
def test_replace_and_upsert_cannot_rewrite_a_ledger_entry_or_an_audit_event(database: Database, statement: str) -> None:
    _seed_one_entry_and_event(database)
    before = _every_row(database)
    # PostgreSQL has no REPLACE at all (a syntax error); every other refusal is the append-only guard.
    refusal = "append-only" if database.dialect == "sqlite" or "ON CONFLICT" in statement else None
    with pytest.raises(DBAPIError, match=refusal), database.sessions.begin() as session:
        session.execute(text(statement))
    assert _every_row(database) == before


def test_an_upsert_that_reaches_do_update_meets_the_update_guard(database: Database) -> None:
    """The guard behind the guard: without the INSERT check, DO UPDATE still fires the UPDATE trigger."""
    _seed_one_entry_and_event(database)
    before = _every_row(database)
    if database.dialect == "sqlite":
        with database.sessions.begin() as session:
            session.execute(text("DROP TRIGGER ledger_entries_no_replace"))
    upsert = REPLACING_STATEMENTS["ledger: upsert on the id"]
    with pytest.raises(DBAPIError, match="append-only: UPDATE"), database.sessions.begin() as session:
        session.execute(text(upsert))
    assert _every_row(database) == before


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["ledger_entries", "audit_events"])
def test_merge_cannot_rewrite_or_remove_rows_on_postgres(postgres_database: Database, table: str) -> None:
    _seed_one_entry_and_event(postgres_database)
    before = _every_row(postgres_database)
    for action in ("UPDATE SET id = target.id", "DELETE"):
        with pytest.raises(DBAPIError, match="append-only"), postgres_database.sessions.begin() as session:
            session.execute(
                text(
                    f"MERGE INTO {table} AS target USING {table} AS source"
                    f" ON target.id = source.id WHEN MATCHED THEN {action}"
                )
            )
    assert _every_row(postgres_database) == before


def test_a_repeated_idempotency_key_is_still_an_integrity_error(database: Database) -> None:
    """Money commands rely on IntegrityError to spot a retried command; the guard keeps that error class."""
    from sqlalchemy.exc import IntegrityError

    _seed_one_entry_and_event(database)
    with pytest.raises(IntegrityError), database.sessions.begin() as session:
        session.execute(text(_LEDGER_COPY.format(id="id + 100", key="idempotency_key")))
