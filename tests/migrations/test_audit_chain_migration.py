"""Revision 0003: the append-only triggers survive it both ways, and events written before it still verify."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from console import schema
from console.db import make_engine, open_database
from console.keys import KeyRing
from console.services import audit

ORIGINAL_GUARDS = {
    "audit_events_no_delete",
    "audit_events_no_update",
    "ledger_entries_no_delete",
    "ledger_entries_no_update",
}
REPLACE_GUARDS = {"audit_events_no_replace", "ledger_entries_no_replace"}


def _sqlite_triggers(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    finally:
        engine.dispose()


def test_append_only_triggers_survive_the_upgrade_and_the_downgrade_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    schema.upgrade(url)
    assert _sqlite_triggers(url) >= ORIGINAL_GUARDS | REPLACE_GUARDS
    schema.downgrade(url, "0002")
    assert _sqlite_triggers(url) == ORIGINAL_GUARDS
    schema.upgrade(url)
    assert _sqlite_triggers(url) >= ORIGINAL_GUARDS | REPLACE_GUARDS


def _legacy_event(seq: int, prev_hash: str, action: str) -> dict[str, object]:
    at = datetime(2026, 11, 30, 9, seq, tzinfo=UTC)
    details = f'{{"n":{seq}}}'
    hashed = audit.legacy_event_hash(prev_hash, seq, at, "system", action, None, None, details)
    return {
        "seq": seq,
        "at": at.replace(tzinfo=None),
        "action": action,
        "details": details,
        "prev": prev_hash,
        "hash": hashed,
    }


def test_events_written_before_the_key_verify_as_an_unsigned_prefix(empty_db_url: str) -> None:
    """Old events keep their plain SHA-256; the first signed event vouches for them through prev_hash."""
    schema.upgrade(empty_db_url, "0002")
    first = _legacy_event(1, audit.GENESIS_HASH, "legacy.one")
    second = _legacy_event(2, str(first["hash"]), "legacy.two")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for event in (first, second):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (seq, occurred_at, actor, action, details, prev_hash, hash)"
                        " VALUES (:seq, :at, 'system', :action, :details, :prev, :hash)"
                    ),
                    event,
                )
    finally:
        engine.dispose()
    schema.upgrade(empty_db_url)
    database = open_database(empty_db_url, KeyRing.generate())
    try:
        before = audit.verify_chain(database.read_sessions)
        assert before.ok and before.events_checked == 2 and before.unsigned_events == 2
        with database.sessions.begin() as session:
            signed = audit.record(session, actor="system", action="after.upgrade", now=datetime.now(UTC))
        assert signed.key_id == "a0" and signed.prev_hash == second["hash"]
        after = audit.verify_chain(database.read_sessions)
        assert after.ok and after.events_checked == 3 and after.unsigned_events == 2
        assert after.head == audit.ChainHead(3, signed.hash)
    finally:
        database.dispose()


def test_the_downgrade_keeps_every_event(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    database = open_database(empty_db_url, KeyRing.generate())
    try:
        with database.sessions.begin() as session:
            audit.record(session, actor="system", action="before.downgrade", now=datetime.now(UTC))
    finally:
        database.dispose()
    schema.downgrade(empty_db_url, "0002")
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM audit_events")) == 1
    finally:
        engine.dispose()
