"""Calls: the hotline directory, incoming calls waiting to be claimed, tickets and their notes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum, utcnow


class Hotline(Base):
    """A published support number: where callers ring from and where agents transfer to."""

    __tablename__ = "hotlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    region: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(20))
    hours: Mapped[str] = mapped_column(String(128))
    # Comma-separated BCP 47 tags, e.g. "zh-CN,en".
    languages: Mapped[str] = mapped_column(String(64))


class IncomingCall(Base):
    __tablename__ = "incoming_calls"
    __table_args__ = (
        Index(None, "claimed_by_agent_id", "received_at"),
        CheckConstraint("(claimed_by_agent_id IS NULL) = (claimed_at IS NULL)", name="claimed_together"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # As the telephony system gave it, normalized to E.164 when it parses.
    caller_number: Mapped[str] = mapped_column(String(32))
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    claimed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class TicketReason(enum.StrEnum):
    LOCKED_ACCOUNT = "locked_account"
    DEPOSIT_WITHDRAWAL = "deposit_withdrawal"
    ACCOUNT_SECURITY = "account_security"
    STATEMENT_DISPUTE = "statement_dispute"
    FEEDBACK = "feedback"
    OTHER = "other"


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


class Disposition(enum.StrEnum):
    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"
    ESCALATED = "escalated"
    TRANSFERRED = "transferred"
    CALLER_HUNG_UP = "caller_hung_up"
    WRONG_NUMBER = "wrong_number"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index(None, "agent_id", "status"),
        Index(None, "customer_id", "opened_at"),
        CheckConstraint(
            "status <> 'closed' OR (closed_at IS NOT NULL AND disposition IS NOT NULL)",
            name="closed_has_disposition",
        ),
        CheckConstraint("talk_seconds >= 0 AND wrap_up_seconds >= 0", name="handle_time_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_calls.id"))
    reason: Mapped[TicketReason] = mapped_column(str_enum(TicketReason, "ticket_reason"), default=TicketReason.OTHER)
    status: Mapped[TicketStatus] = mapped_column(str_enum(TicketStatus, "ticket_status"), default=TicketStatus.OPEN)
    disposition: Mapped[Disposition | None] = mapped_column(str_enum(Disposition, "disposition"))
    # The verification script followed, so an audit can replay exactly what was read.
    script_id: Mapped[str | None] = mapped_column(String(64))
    script_version: Mapped[str | None] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the call on this ticket began (taken, opened or reopened); empty once wrapped up. Talk time
    # counts from it, so it survives a restart of the console.
    call_started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    follow_up_due: Mapped[date | None] = mapped_column(Date)
    # Handle time in parts: talking to the caller, then wrap-up after the call.
    talk_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    wrap_up_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    # Verified state belongs to the ticket (the call): the last factor passed and when.
    verified_at: Mapped[datetime | None]
    # Whom the factor was passed for: verified state holds only while the ticket's customer is this one.
    verified_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    verified_factor: Mapped[str | None] = mapped_column(String(16))
    last_activity_at: Mapped[datetime | None]
    # Standard security advice given on this call, as a comma-separated list of advice codes.
    advice_given: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class TicketNote(Base):
    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoteDraft(Base):
    """What the agent is typing right now, saved continuously so a crash loses nothing."""

    __tablename__ = "note_drafts"
    __table_args__ = (UniqueConstraint("ticket_id", "agent_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
