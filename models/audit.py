"""The audit log: append-only (database triggers refuse any change), chained with a keyed hash, and its signed head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
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
    # Which audit key signed this event (HMAC-SHA256 over every other column); None on events written
    # before the chain was keyed, which carry a plain SHA-256 instead.
    key_id: Mapped[str | None] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The newest event's seq and hash, signed: deleting the newest events leaves the head pointing past them.

    One row (id 1), rewritten in the same transaction as every append.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))
