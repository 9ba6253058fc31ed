"""`hotline audit verify` against someone who can write the database but holds no audit key.

Each attack first drops the append-only triggers, as anyone with the database file or an owner's login
can. The report must name the first altered or missing event and exit non-zero.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text

from console import cli, verified_heads
from console.db import Database, open_database
from console.keys import KeyRing, load_keyring, write_keyring
from console.services import agents, audit
from console.settings import load_settings
from models.audit import AuditEvent, AuditHead

EVENTS = 6


def _url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def log(database: Database, demo_keyring: KeyRing) -> Iterator[Database]:
    """Six signed events (two agents added, four actions by ann) and the CLI holding the same keys."""
    write_keyring(load_settings().keys_file, demo_keyring)
    agents.add_agent(database.sessions, "ann", "correct horse", "agent", now=datetime.now(UTC))
    agents.add_agent(database.sessions, "bob", "correct horse", "agent", now=datetime.now(UTC))
    ann = _agent_id(database, "ann")
    for n in range(EVENTS - 2):
        with database.sessions.begin() as session:
            audit.record(
                session, actor="ann", actor_agent_id=ann, action="test.step", details={"n": n}, now=datetime.now(UTC)
            )
    yield database


def _agent_id(database: Database, username: str) -> int:
    with database.sessions() as session:
        return session.scalar(text("SELECT id FROM agents WHERE username = :u"), {"u": username})


def _verify(database: Database, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["audit", "verify", "--db", _url(database)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _drop_guards(database: Database) -> None:
    """What an attacker with file access does first: remove the append-only triggers."""
    with database.sessions.begin() as session:
        if database.dialect == "sqlite":
            for name in ("no_update", "no_delete", "no_replace"):
                session.execute(text(f"DROP TRIGGER IF EXISTS audit_events_{name}"))
        else:
            session.execute(text("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"))


def _tamper(database: Database, *statements: str, **params: object) -> None:
    _drop_guards(database)
    with database.sessions.begin() as session:
        for statement in statements:
            session.execute(text(statement), params)


def _rewrite_from(database: Database, first_seq: int, sign: object) -> None:
    """Rewrite event `first_seq` and recompute every later hash and link, then the head, with `sign`."""
    _drop_guards(database)
    with database.sessions.begin() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev_hash = audit.GENESIS_HASH
        for event in events:
            if event.seq == first_seq:
                event.details = json.dumps({"n": 99})
            if event.seq >= first_seq:
                event.prev_hash = prev_hash
                event.key_id, event.hash = sign(event)  # type: ignore[operator]
            prev_hash = event.hash
            session.flush()
        head = session.get(AuditHead, 1)
        assert head is not None
        head.seq, head.hash = events[-1].seq, events[-1].hash
        head.mac = hashlib.sha256(f"{head.seq}{head.hash}".encode()).hexdigest()


def test_an_untouched_log_verifies_on_each_engine(log: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_OK, said
    assert f"intact: {EVENTS} events checked" in said


def test_an_edited_event_is_named(log: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _tamper(log, "UPDATE audit_events SET details = :d WHERE seq = 4", d=json.dumps({"n": 9}))
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert "broken at event 4" in said and "does not match its signature" in said


def test_an_edited_actor_agent_id_is_named(log: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """The old hash left actor_agent_id out: blaming another agent for an action went unseen."""
    _tamper(log, "UPDATE audit_events SET actor_agent_id = :bob WHERE seq = 5", bob=_agent_id(log, "bob"))
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED and "broken at event 5" in said


def test_a_deleted_middle_event_is_named_by_its_missing_number(
    log: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _tamper(log, "DELETE FROM audit_events WHERE seq = 3")
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert "broken at event 3" in said and "event 3 is missing" in said


def test_deleting_the_three_newest_events_is_seen_through_the_signed_head(
    log: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _tamper(log, "DELETE FROM audit_events WHERE seq > 3")
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert "broken at event 4" in said and "events 4 to 6 are missing" in said


def test_deleting_the_newest_events_and_putting_back_an_old_head_is_seen_by_the_remembered_head(
    log: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with log.sessions() as session:
        old_head = session.get(AuditHead, 1)
        assert old_head is not None and old_head.seq == EVENTS
    saved = {"seq": old_head.seq - 3, "mac": old_head.mac}
    with log.sessions() as session:
        # The attacker kept a copy of the head as it was three events ago: take it from event 3's append.
        third = session.scalar(select(AuditEvent).where(AuditEvent.seq == 3))
        assert third is not None
    key_id, key = load_keyring(load_settings()).audit_keys[0]
    saved["hash"], saved["key_id"] = third.hash, key_id
    saved["mac"] = audit.head_mac(key, 3, third.hash, key_id)  # exactly what the console wrote back then
    assert _verify(log, capsys)[0] == cli.EXIT_OK  # this machine remembers event 6
    _tamper(
        log,
        "DELETE FROM audit_events WHERE seq > 3",
        "UPDATE audit_head SET seq = :seq, hash = :hash, key_id = :key_id, mac = :mac",
        **saved,
    )
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert "broken at event 4" in said and "verified the log up to event 6" in said


def test_a_history_rewritten_with_another_key_is_named(log: Database, capsys: pytest.CaptureFixture[str]) -> None:
    wrong_key = KeyRing.generate().audit_keys[0][1]

    def sign(event: AuditEvent) -> tuple[str, str]:
        columns = {name: getattr(event, name) for name in audit.SIGNED_COLUMNS}
        return event.key_id or "a0", audit.event_mac(wrong_key, columns)

    _rewrite_from(log, 3, sign)
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert "broken at event 3" in said and "signed without the key" in said


def test_a_history_rewritten_with_plain_sha256_is_named(log: Database, capsys: pytest.CaptureFixture[str]) -> None:
    def sign(event: AuditEvent) -> tuple[None, str]:
        return None, audit.legacy_event_hash(
            event.prev_hash,
            event.seq,
            event.occurred_at,
            event.actor,
            event.action,
            event.subject_type,
            event.subject_id,
            event.details,
        )

    _rewrite_from(log, 3, sign)
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert "broken at event 3" in said and "rewritten without the key" in said


def test_a_whole_history_rewritten_as_unsigned_is_caught_by_the_remembered_head(
    log: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unsigned events pass only before the first signed one, so an attacker could make every event
    unsigned and drop the head; a machine that verified the log before is not fooled."""
    assert _verify(log, capsys)[0] == cli.EXIT_OK

    def sign(event: AuditEvent) -> tuple[None, str]:
        return None, audit.legacy_event_hash(
            event.prev_hash,
            event.seq,
            event.occurred_at,
            event.actor,
            event.action,
            event.subject_type,
            event.subject_id,
            event.details,
        )

    _rewrite_from(log, 1, sign)
    _tamper(log, "DELETE FROM audit_head")
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED
    assert f"broken at event {EVENTS}" in said and "not the event this machine verified" in said


def test_a_forged_head_is_named(log: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _tamper(log, "UPDATE audit_head SET mac = :mac", mac="0" * 64)
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_FAILED and "head record is not signed" in said


def test_keys_rotate_keeps_old_events_verifiable_and_signs_new_ones_with_the_new_key(
    log: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(log)
    assert cli.main(["keys", "rotate", "--db", url]) == cli.EXIT_OK
    assert "signed with audit key a1" in capsys.readouterr().out
    rotated = load_keyring(load_settings())
    assert [key_id for key_id, _ in rotated.audit_keys] == ["a1", "a0"]
    after = open_database(url, rotated)
    try:
        with after.sessions.begin() as session:
            audit.record(session, actor="ann", action="test.after_rotation", now=datetime.now(UTC))
        with after.sessions() as session:
            key_ids = session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.seq)).all()
    finally:
        after.dispose()
    assert key_ids[:EVENTS] == ["a0"] * EVENTS and key_ids[-1] == "a1"
    code, said = _verify(log, capsys)
    assert code == cli.EXIT_OK, said
    assert f"intact: {len(key_ids)} events checked" in said


def test_the_remembered_head_is_private_and_holds_no_password(
    log: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(log, capsys)[0] == cli.EXIT_OK
    path = verified_heads.heads_file(load_settings())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    remembered = json.loads(path.read_text())
    assert len(remembered) == 1
    ((key, head),) = remembered.items()
    assert head["seq"] == EVENTS and ":***@" not in key
    assert verified_heads.database_key("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u@h/db"


def test_an_event_cannot_be_recorded_without_the_audit_key(log: Database) -> None:
    keyless = open_database(_url(log))
    try:
        with (
            pytest.raises(RuntimeError, match="audit key is not configured"),
            keyless.sessions.begin() as session,
        ):
            audit.record(session, actor="ann", action="test.unsigned", now=datetime.now(UTC))
    finally:
        keyless.dispose()
    with log.sessions() as session:
        assert session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) == EVENTS


def test_the_signature_covers_every_column_but_the_hash(database: Database) -> None:
    columns = {column["name"] for column in inspect(database.engine).get_columns("audit_events")}
    assert set(audit.SIGNED_COLUMNS) == columns - {"hash"}
