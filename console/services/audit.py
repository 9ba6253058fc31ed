"""The audit log: every action appends a hash-chained event in the same transaction; a check walks the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from models import AuditEvent
from models.base import utcnow

GENESIS_HASH = "0" * 64
# Any constant: every audit append on PostgreSQL takes this transaction-scoped advisory lock, so
# the chain has one writer at a time. SQLite's BEGIN IMMEDIATE already gives the same guarantee.
_AUDIT_LOCK_ID = 0x484F544C  # "HOTL"


def _canonical(event: Mapping[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    prev_hash: str,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    subject_type: str | None,
    subject_id: str | None,
    details: str,
) -> str:
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


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: object | None = None,
    details: Mapping[str, Any] | None = None,
    actor_agent_id: int | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction. `details` must hold no codes or secrets."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _AUDIT_LOCK_ID})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    occurred_at = now or utcnow()
    details_json = _canonical(dict(details or {}))
    subject = None if subject_id is None else str(subject_id)
    event = AuditEvent(
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        actor_agent_id=actor_agent_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject,
        details=details_json,
        prev_hash=prev_hash,
        hash=event_hash(
            prev_hash, seq, occurred_at, actor, action, subject_type, subject, details_json
        ),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    ok: bool
    # The first event whose hash or link does not match, and what is wrong with it.
    broken_at_seq: int | None = None
    problem: str | None = None


def verify_chain(sessions: sessionmaker[Session], batch_size: int = 5_000) -> ChainReport:
    """Recompute every hash in order; report the first gap, broken link or altered event."""
    checked = 0
    prev_hash = GENESIS_HASH
    expected_seq = 1
    with sessions() as session:
        rows = session.execute(
            select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
        ).scalars()
        for event in rows:
            if event.seq != expected_seq:
                return ChainReport(checked, False, event.seq, f"expected event {expected_seq} next")
            if event.prev_hash != prev_hash:
                return ChainReport(checked, False, event.seq, "does not link to the event before")
            recomputed = event_hash(
                event.prev_hash,
                event.seq,
                event.occurred_at,
                event.actor,
                event.action,
                event.subject_type,
                event.subject_id,
                event.details,
            )
            if recomputed != event.hash:
                return ChainReport(checked, False, event.seq, "content does not match its hash")
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
    return ChainReport(checked, True)
