"""Disputes about statement rows, their timeline, the adjustments they lead to and unlock approvals."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from models.base import Base, BigId, Money, str_enum, utcnow


class DisputeStatus(enum.StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ADJUSTMENT_PROPOSED = "adjustment_proposed"
    AWAITING_APPROVAL = "awaiting_approval"
    ADJUSTED = "adjusted"
    REJECTED = "rejected"


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (
        Index(None, "customer_id", "status"),
        CheckConstraint("claimed_amount > 0", name="claimed_amount_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    opened_by_agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"))
    claimed_amount: Mapped[int] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(str_enum(DisputeStatus, "dispute_status"), default=DisputeStatus.OPEN)
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class DisputeEvent(Base):
    """One step of a dispute's status timeline, shown on the card and in later calls."""

    __tablename__ = "dispute_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    status: Mapped[DisputeStatus] = mapped_column(str_enum(DisputeStatus, "dispute_status"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    APPLIED = "applied"
    VOID = "void"


def four_eyes_checks() -> tuple[CheckConstraint, CheckConstraint]:
    """The database's own guard of the two-person rule, for every table of approvals."""
    return (
        CheckConstraint(
            "approved_by_agent_id IS NULL OR approved_by_agent_id <> requested_by_agent_id",
            name="approver_differs_from_requester",
        ),
        CheckConstraint(
            "approved_by_agent_id IS NULL OR edited_by_agent_id IS NULL OR approved_by_agent_id <> edited_by_agent_id",
            name="approver_differs_from_last_editor",
        ),
    )


class TwoPersonApproval:
    """The columns of anything one agent asks for and another decides (adjustments, unlock requests):
    who asked and when, who last changed it, who decided, when and why, and a version so a decision
    holds only for what the decider saw. Tables that mix this in add `four_eyes_checks()`."""

    status: Mapped[ApprovalStatus] = mapped_column(
        str_enum(ApprovalStatus, "approval_status"), default=ApprovalStatus.PENDING
    )
    requested_by_agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last person who changed what is to be decided; every editor is in approval_edits.
    edited_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    # Who decided it, approving or turning it down (the name predates rejections being recorded here).
    approved_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Adjustment(TwoPersonApproval, Base):
    """A proposed compensating ledger entry for a dispute; large ones wait for a supervisor."""

    __tablename__ = "adjustments"
    __table_args__ = (
        *four_eyes_checks(),
        CheckConstraint("amount <> 0", name="amount_non_zero"),
        Index(None, "customer_id", "requested_at"),
        # The supervisors' queue reads the pending ones; decided ones pile up by the ten thousand.
        Index(None, "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"))
    # Signed minor units: positive credits the customer.
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    # The adjustment's version that the approver saw; an approval is void once they differ.
    approved_version: Mapped[int | None]
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    journal_id: Mapped[str | None] = mapped_column(String(36))


class UnlockRequest(TwoPersonApproval, Base):
    """An unlock of a risk or abnormal-login lock, filed by an agent for a supervisor to decide."""

    __tablename__ = "unlock_requests"
    __table_args__ = (
        *four_eyes_checks(),
        Index(None, "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    reason: Mapped[str] = mapped_column(Text)


class ApprovalEdit(Base):
    """One change to an adjustment or an unlock request while it waited for a decision. Whoever made
    it may not decide it (four eyes), so every editor is kept, not only the last."""

    __tablename__ = "approval_edits"
    __table_args__ = (CheckConstraint("(adjustment_id IS NULL) <> (unlock_request_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id"), index=True)
    unlock_request_id: Mapped[int | None] = mapped_column(ForeignKey("unlock_requests.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    # The version of the adjustment or request that this change made.
    version: Mapped[int]
    # What changed, in words ("the amount and reason", "the dispute's claim").
    what: Mapped[str] = mapped_column(String(80))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
