"""Verification: one-time code challenges sent to a caller, and every attempt to verify."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum, utcnow


class Channel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class Factor(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"
    TOTP = "totp"


class OtpChallenge(Base):
    """A code sent to the caller's bound phone or email. Only an HMAC of the code is stored."""

    __tablename__ = "otp_challenges"
    __table_args__ = (Index(None, "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    # What the code is for ("verify", "step_up"); a code only works for its own purpose.
    purpose: Mapped[str] = mapped_column(String(32))
    code_hmac: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]


class VerificationAttempt(Base):
    __tablename__ = "verification_attempts"
    __table_args__ = (
        Index(None, "customer_id", "attempted_at"),
        Index(None, "attempted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("otp_challenges.id"))
    factor: Mapped[Factor] = mapped_column(str_enum(Factor, "factor"))
    success: Mapped[bool]
    # Why it failed in plain words for the dashboard: "wrong code", "expired", "malformed", ...
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # From the start of verification on the ticket to this success, for the dashboard.
    seconds_to_verify: Mapped[int | None]
