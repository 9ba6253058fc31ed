"""Telling the supervisors' consoles that their queue changed: a NOTIFY in the command's own transaction.

On PostgreSQL `announce` queues `pg_notify('hotline_escalations', ...)`, which the server delivers to
every listening console when (and only if) the command commits; `escalation_watch` listens. On SQLite
it does nothing: the consoles poll the queue's fingerprint instead.
"""

from __future__ import annotations

import enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

# The channel every supervisors' console LISTENs on.
ESCALATIONS_CHANNEL = "hotline_escalations"


class ItemKind(enum.StrEnum):
    """The kinds of item in the supervisors' queue."""

    ADJUSTMENT = "adjustment"
    UNLOCK = "unlock"
    LOCKOUT = "lockout"
    COMPLAINT = "complaint"
    INSIDER = "insider"


def announce(session: Session, kind: ItemKind, subject_id: object) -> None:
    """Say that an item of `kind` (an adjustment, an unlock request, a lockout, ...) was added, changed
    or decided. The payload is only what changed, never a name or an amount."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(ESCALATIONS_CHANNEL, f"{kind.value}:{subject_id}")))
