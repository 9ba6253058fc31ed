"""The audit log: append-only (database triggers refuse UPDATE and DELETE) and hash-chained."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index(None, "subject_type", "subject_id"),
        Index(None, "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # 1, 2, 3, ... with no gaps; unique so two writers cannot both append event N.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who acted: an agent's username, or "system" / "cli" for the console's own work.
    actor: Mapped[str] = mapped_column(String(64))
    actor_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    # Canonical JSON (sorted keys); never holds a code, a secret or a full personal number.
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
