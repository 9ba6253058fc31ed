"""The audit log: every action appends a signed, chained event in the same transaction; a check walks the chain.

Each event carries an HMAC-SHA256, under an audit key from the key ring (outside the database), of
every other column, its key id and the previous event's hash included. A signed head row names the
newest event, so removing the newest events is seen, and `hotline audit verify` also remembers the
head it last verified outside the database, so restoring an old head row is seen too.

Events written before the chain was keyed have no key id and a plain SHA-256 (`legacy_event_hash`).
They are accepted only as the prefix before the first signed event, whose MAC covers that prefix
through its prev_hash: an unsigned event after a signed one is a rewrite by someone without the key.
A log that holds only unsigned events cannot prove itself from the database alone; only the head
remembered by a machine that verified it before can.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from console.db import KEYRING_INFO
from console.i18n import _
from console.keys import KeyRing
from console.services.driver import run
from models import AuditEvent
from models.audit import AuditHead

GENESIS_HASH = "0" * 64
# Any constant: every audit append on PostgreSQL takes this transaction-scoped advisory lock, so
# the chain has one writer at a time. SQLite's BEGIN IMMEDIATE already gives the same guarantee.
_AUDIT_LOCK_ID = 0x484F544C  # "HOTL"
_HEAD_ID = 1
# Every column of an event but its hash, in the order they are signed. A new column must be added
# here on purpose (a test compares this with the table), and old events keep verifying meanwhile.
SIGNED_COLUMNS = (
    "id",
    "seq",
    "occurred_at",
    "actor",
    "actor_agent_id",
    "action",
    "subject_type",
    "subject_id",
    "details",
    "prev_hash",
    "key_id",
)


class AuditKeyMissing(RuntimeError):
    """The session carries no key ring, so no event can be signed or checked."""


def _canonical(event: Mapping[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def keyring_of(session: Session) -> KeyRing:
    """The key ring the session factory was opened with (`open_database(url, keyring)`)."""
    keyring = session.info.get(KEYRING_INFO)
    if not isinstance(keyring, KeyRing):
        raise AuditKeyMissing(
            _(
                "The audit key is not configured: open the database with the key ring (open_database(url, "
                "keyring)); nothing was recorded."
            )
        )
    return keyring


def legacy_event_hash(
    prev_hash: str,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    subject_type: str | None,
    subject_id: str | None,
    details: str,
) -> str:
    """The unkeyed SHA-256 of events written before the chain was keyed (it left actor_agent_id out)."""
    body = _canonical(
        {
            "seq": seq,
            "at": occurred_at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "details": details,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def event_mac(key: bytes, columns: Mapping[str, Any]) -> str:
    """HMAC-SHA256 over a canonical JSON of every signed column (the timestamp as UTC ISO 8601)."""
    signed = {name: columns[name] for name in SIGNED_COLUMNS}
    signed["occurred_at"] = _timestamp(signed["occurred_at"])
    message = b"hotline audit event\n" + _canonical(signed).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, event_hash: str, key_id: str) -> str:
    message = b"hotline audit head\n" + _canonical({"seq": seq, "hash": event_hash, "key_id": key_id}).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# The key in `Session.info` of the events waiting to be appended at the end of a unit of work.
_PENDING_INFO = "hotline_audit_pending"


@contextmanager
def appended_last(session: Session) -> Iterator[None]:
    """Events recorded in the block are appended, in order, when it ends without an error: after
    everything else its transaction does. On PostgreSQL the chain's lock (one for every writer on the
    floor) is then held only for the appends and the commit, not while the command reads what it
    answers with; on SQLite nothing changes (the write lock is taken at BEGIN)."""
    pending: list[_Event] = []
    session.info[_PENDING_INFO] = pending
    try:
        yield
    finally:
        session.info.pop(_PENDING_INFO, None)
    if pending:
        _append(session, pending)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: object | None = None,
    details: Mapping[str, Any] | None = None,
    actor_agent_id: int | None = None,
    now: datetime,
) -> AuditEvent | None:
    """Append one signed event inside the caller's transaction. `details` must hold no codes or secrets.

    Inside `appended_last` (every unit of work) the event waits for the end of the block, and None is
    returned; otherwise it is appended now and returned.
    """
    # The time of the action, not of the append.
    event = _Event(actor, action, subject_type, subject_id, dict(details or {}), actor_agent_id, now)
    pending = session.info.get(_PENDING_INFO)
    if pending is not None:
        pending.append(event)
        return None
    return _append(session, [event])[0]


@dataclass(frozen=True)
class _Event:
    actor: str
    action: str
    subject_type: str | None
    subject_id: object | None
    details: dict[str, Any]
    actor_agent_id: int | None
    now: datetime


def _append(session: Session, events: list[_Event]) -> list[AuditEvent]:
    """Append `events` to the chain in order, in as few round trips as the engine allows: on
    PostgreSQL one to take the chain's lock and read where the chain ends, and one to insert every
    event and move the head; on SQLite (already the only writer) one read and the same two writes."""
    # Whatever the command still holds unwritten goes first: the chain's lock is held for the
    # appends and the commit only.
    session.flush()
    key_id, key = keyring_of(session).audit_keys[0]
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        found = run(session, _LOCK_AND_HEAD, {"lock": _AUDIT_LOCK_ID, "head": _HEAD_ID}).first()
        if found is None:
            # No signed head yet (a new log, or events from before the chain was keyed): read the
            # end of the chain from the events, now that the lock is held.
            first_id = connection.execute(_LOCK_AND_NEXT_ID, {"lock": _AUDIT_LOCK_ID}).scalar_one()
            last = connection.execute(_LAST_EVENT).first()
            end = (last.seq, last.hash) if last is not None else None
        else:
            first_id, end = found[0], (found[1], found[2])
    else:
        # Under BEGIN IMMEDIATE nobody else appends; SQLite would pick the same rowid itself.
        found = run(session, _LAST_EVENT_AND_MAX_ID).first()
        first_id = (found[2] if found is not None else 0) + 1
        end = (found[0], found[1]) if found is not None else None
    seq, prev_hash = end if end else (0, GENESIS_HASH)
    # The ids are drawn here rather than by the INSERT, because the signature covers them.
    ids = [first_id]
    if len(events) > 1:
        if postgres:
            more = connection.execute(_NEXT_IDS, {"count": len(events) - 1}).scalars()
            ids += sorted(int(event_id) for event_id in more)
        else:
            ids += range(first_id + 1, first_id + len(events))
    rows: list[dict[str, Any]] = []
    for event_id, event in zip(ids, events, strict=True):
        seq += 1
        columns: dict[str, Any] = {
            "id": event_id,
            "seq": seq,
            "occurred_at": event.now,
            "actor": event.actor,
            "actor_agent_id": event.actor_agent_id,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": None if event.subject_id is None else str(event.subject_id),
            "details": _canonical(event.details),
            "prev_hash": prev_hash,
            "key_id": key_id,
        }
        prev_hash = columns["hash"] = event_mac(key, columns)
        rows.append(columns)
    head = {"seq": seq, "hash": prev_hash, "key_id": key_id, "mac": head_mac(key, seq, prev_hash, key_id)}
    moving = {"head_id": _HEAD_ID, **{f"head_{name}": value for name, value in head.items()}}
    if postgres and len(rows) == 1:
        # The event and the head in one statement: a data-modifying WITH always runs to completion.
        signed = {f"event_{name}": value for name, value in rows[0].items()}
        moved = run(session, _APPEND_AND_MOVE_HEAD, {**signed, **moving})
    else:
        run(session, _INSERT_EVENT, rows)
        moved = run(session, _MOVE_HEAD, moving)
    if moved.rowcount == 0:  # the first signed append: the head row does not exist yet
        connection.execute(insert(AuditHead).values(id=_HEAD_ID, **head))
    return [AuditEvent(**row) for row in rows]


# The chain's lock, then the head as it is now (FOR UPDATE reads the newest committed version, not the
# statement's snapshot, which predates the lock) and the next event id, drawn once both are held. The
# head's subquery refers to the lock's row, so PostgreSQL must take the chain's lock first: every
# writer takes the two in the same order, and none can hold the head while waiting for the chain.
_LOCK_AND_HEAD = text(
    "SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) AS id, head.seq, head.hash"
    " FROM pg_advisory_xact_lock(:lock) WITH ORDINALITY AS chain(locked, n)"
    " CROSS JOIN LATERAL (SELECT seq, hash FROM audit_head WHERE id = :head AND chain.n = 1 FOR UPDATE) AS head"
)
_LOCK_AND_NEXT_ID = text(
    "SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) FROM pg_advisory_xact_lock(:lock)"
)
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) FROM generate_series(1, :count)")
# Built once: the statements every command's append sends.
_INSERT_EVENT = insert(AuditEvent)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == bindparam("head_id"))
    .values(
        seq=bindparam("head_seq"),
        hash=bindparam("head_hash"),
        key_id=bindparam("head_key_id"),
        mac=bindparam("head_mac"),
    )
)
_APPEND_AND_MOVE_HEAD = _MOVE_HEAD.add_cte(
    insert(AuditEvent).values({name: bindparam(f"event_{name}") for name in (*SIGNED_COLUMNS, "hash")}).cte("appended")
)
_LAST_EVENT = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_LAST_EVENT_AND_MAX_ID = (
    select(AuditEvent.seq, AuditEvent.hash, select(func.max(AuditEvent.id)).scalar_subquery().label("max_id"))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)


@dataclass(frozen=True)
class ChainHead:
    """The newest event of a verified chain, as remembered outside the database."""

    seq: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    ok: bool
    # The first event that is altered, unlinked or missing, and what is wrong, in plain words.
    broken_at_seq: int | None = None
    problem: str | None = None
    # On success: the newest event, to remember for the next check. None for an empty log.
    head: ChainHead | None = None
    # Events before the chain was keyed, checked by plain SHA-256 only.
    unsigned_events: int = 0


def _read_one_snapshot(session: Session) -> None:
    # The events and the head must come from one snapshot, or an append during the check looks like
    # tampering. A streamed read also needs a transaction on PostgreSQL (read sessions autocommit).
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


def _missing(first: int, last: int) -> str:
    return (
        _("event {first} is missing").format(first=first)
        if first == last
        else _("events {first} to {last} are missing").format(first=first, last=last)
    )


def verify_chain(
    sessions: sessionmaker[Session], batch_size: int = 5_000, remembered: ChainHead | None = None
) -> ChainReport:
    """Check every event's link and signature in order, then the signed head and the remembered one.

    Reports the first missing, unlinked or altered event by its sequence number.
    """
    checked = unsigned = 0
    prev_hash = GENESIS_HASH
    expected_seq = 1
    signed_seen = False

    def broken(seq: int, problem: str) -> ChainReport:
        return ChainReport(checked, False, seq, problem, unsigned_events=unsigned)

    with sessions() as session:
        keyring = keyring_of(session)
        _read_one_snapshot(session)
        head = session.get(AuditHead, _HEAD_ID)
        rows = session.execute(
            select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
        ).scalars()
        for event in rows:
            if event.seq != expected_seq:
                if event.seq > expected_seq:
                    return broken(
                        expected_seq,
                        _("{missing} (deleted from the log)").format(missing=_missing(expected_seq, event.seq - 1)),
                    )
                return broken(event.seq, _("its sequence number is out of order"))
            if event.prev_hash != prev_hash:
                return broken(event.seq, _("it does not link to the event before it"))
            if event.key_id is None:
                if signed_seen:
                    return broken(event.seq, _("it is unsigned, after signed events: it was rewritten without the key"))
                recomputed = legacy_event_hash(
                    event.prev_hash,
                    event.seq,
                    event.occurred_at,
                    event.actor,
                    event.action,
                    event.subject_type,
                    event.subject_id,
                    event.details,
                )
                if not hmac.compare_digest(recomputed, event.hash):
                    return broken(event.seq, _("its content does not match its hash (it was changed)"))
                unsigned += 1
            else:
                key = keyring.audit_key(event.key_id)
                if key is None:
                    return broken(
                        event.seq,
                        _("it is signed with audit key {key_id!r}, which is not in the key ring").format(
                            key_id=event.key_id
                        ),
                    )
                columns = {name: getattr(event, name) for name in SIGNED_COLUMNS}
                if not hmac.compare_digest(event_mac(key, columns), event.hash):
                    return broken(
                        event.seq,
                        _("its content does not match its signature (it was changed, or signed without the key)"),
                    )
                signed_seen = True
            if remembered is not None and event.seq == remembered.seq and event.hash != remembered.hash:
                return broken(event.seq, _("it is not the event this machine verified before (history was rewritten)"))
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
    last_seq = expected_seq - 1
    if head is None:
        if signed_seen:
            return broken(
                last_seq + 1, _("the signed head record is missing, so events after the last one may have been removed")
            )
    else:
        head_key = keyring.audit_key(head.key_id)
        if head_key is None or not hmac.compare_digest(head_mac(head_key, head.seq, head.hash, head.key_id), head.mac):
            return broken(
                min(head.seq, last_seq + 1), _("the head record is not signed with an audit key (it was forged)")
            )
        if head.seq > last_seq:
            return broken(
                last_seq + 1,
                _(
                    "{missing}: the signed head says the log reaches event {seq}, but it ends at event {last_seq}"
                ).format(missing=_missing(last_seq + 1, head.seq), seq=head.seq, last_seq=last_seq),
            )
        if head.seq < last_seq:
            return broken(
                head.seq + 1,
                _("it and the events after it were added without the signed head (which ends at {seq})").format(
                    seq=head.seq
                ),
            )
        if head.hash != prev_hash:
            return broken(head.seq, _("it is not the event the signed head names (history was rewritten)"))
    if remembered is not None and remembered.seq > last_seq:
        return broken(
            last_seq + 1,
            _(
                "{missing}: this machine verified the log up to event {seq} before, but it now ends at "
                "event {last_seq} (an old head was restored)"
            ).format(missing=_missing(last_seq + 1, remembered.seq), seq=remembered.seq, last_seq=last_seq),
        )
    newest = ChainHead(last_seq, prev_hash) if last_seq else None
    return ChainReport(checked, True, head=newest, unsigned_events=unsigned)
