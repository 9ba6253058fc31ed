"""The outbox: messages to customers (codes, notices), written in the same transaction as the action."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum, utcnow


class OutboxChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index(None, "sent_at", "created_at"),
        Index(None, "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[OutboxChannel] = mapped_column(str_enum(OutboxChannel, "outbox_channel"))
    recipient: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    # What kind of message ("otp", "unlock_notice", "dispute_progress"), for filtering and metrics.
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
