"""Feedback from callers: its category and product area, the department it is routed to, its status
with every change kept, and a complaint's escalation to a supervisor and how it was resolved."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum, utcnow


class FeedbackCategory(enum.StrEnum):
    BUG = "bug"
    USABILITY = "usability"
    FEATURE_REQUEST = "feature_request"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    OTHER = "other"


class ProductArea(enum.StrEnum):
    """What part of the wallet the feedback is about."""

    ACCOUNT_LOGIN = "account_login"
    DEPOSITS_WITHDRAWALS = "deposits_withdrawals"
    TRANSFERS = "transfers"
    FEES = "fees"
    STATEMENTS = "statements"
    SECURITY = "security"
    APP = "app"
    SUPPORT = "support"
    OTHER = "other"


class Department(enum.StrEnum):
    """Where routing rules send feedback (console/settings.py `feedback_routing`)."""

    PRODUCT = "product"
    ENGINEERING = "engineering"
    PAYMENTS = "payments"
    RISK_AND_SECURITY = "risk_and_security"
    SUPPORT_OPERATIONS = "support_operations"


class FeedbackStatus(enum.StrEnum):
    NEW = "new"
    FORWARDED = "forwarded"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class Feedback(Base):
    """What a caller said, in their words, and where it went. A complaint may be escalated once to the
    supervisors' queue; a supervisor other than the one who escalated it resolves it."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index(None, "customer_id", "created_at"),
        Index(None, "escalated_at"),
        # What waits in a department, newest first (the desk's list), without reading its closed history.
        Index(
            "ix_feedback_waiting",
            "department",
            "created_at",
            "id",
            sqlite_where=text("status <> 'closed'"),
            postgresql_where=text("status <> 'closed'"),
        ),
        # Complaints escalated and not yet resolved (the supervisors' queue), not every one ever escalated.
        Index(
            "ix_feedback_escalation_waiting",
            "escalated_at",
            "id",
            sqlite_where=text("escalated_at IS NOT NULL AND escalation_resolved_at IS NULL"),
            postgresql_where=text("escalated_at IS NOT NULL AND escalation_resolved_at IS NULL"),
        ),
        CheckConstraint(
            "(escalated_by_agent_id IS NULL) = (escalated_at IS NULL)"
            " AND (escalated_at IS NULL) = (escalation_reason IS NULL)",
            name="escalated_together",
        ),
        CheckConstraint(
            "(escalation_resolved_by_agent_id IS NULL) = (escalation_resolved_at IS NULL)"
            " AND (escalation_resolved_at IS NULL) = (escalation_resolution IS NULL)"
            " AND (escalation_resolved_at IS NULL OR escalated_at IS NOT NULL)",
            name="resolved_together",
        ),
        CheckConstraint("escalated_at IS NULL OR category = 'complaint'", name="only_complaints_escalate"),
        CheckConstraint(
            "escalation_resolved_by_agent_id IS NULL OR escalation_resolved_by_agent_id <> escalated_by_agent_id",
            name="resolver_differs_from_escalator",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # Who recorded it.
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    category: Mapped[FeedbackCategory] = mapped_column(str_enum(FeedbackCategory, "feedback_category"))
    product_area: Mapped[ProductArea] = mapped_column(str_enum(ProductArea, "product_area"))
    department: Mapped[Department] = mapped_column(str_enum(Department, "department"))
    # The caller's words, as the agent typed them (control characters taken out).
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[FeedbackStatus] = mapped_column(
        str_enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A complaint escalated to the supervisors' queue: by whom, when and why.
    escalated_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    escalated_at: Mapped[datetime | None]
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    # ... and its outcome: the supervisor who resolved it, when, and what they decided.
    escalation_resolved_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    escalation_resolved_at: Mapped[datetime | None]
    escalation_resolution: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class FeedbackStatusChange(Base):
    """One change of a feedback's status: from what (none when it was recorded), to what, by whom, when.
    Written once with the change and never edited, like a dispute's timeline."""

    __tablename__ = "feedback_status_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), index=True)
    from_status: Mapped[FeedbackStatus | None] = mapped_column(str_enum(FeedbackStatus, "from_status"))
    to_status: Mapped[FeedbackStatus] = mapped_column(str_enum(FeedbackStatus, "to_status"))
    # None for a change made before status history was kept (carried over by the migration).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
