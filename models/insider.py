"""Who opened which customer when, and the insider alerts raised when one agent opens too many in an hour."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum


class CustomerOpen(Base):
    """The last time an agent opened a customer: one row per agent and customer, moved on each open.

    Counting an agent's rows opened in the last hour counts the distinct customers they opened.
    """

    __tablename__ = "customer_opens"
    __table_args__ = (Index(None, "agent_id", "last_opened_at"),)

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    last_opened_at: Mapped[datetime]


class InsiderAlertStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"


class InsiderAlert(Base):
    """An agent opened more distinct customers in an hour than the limit; a supervisor looks into it."""

    __tablename__ = "insider_alerts"
    __table_args__ = (
        Index(None, "agent_id", "raised_at"),
        Index(None, "status", "raised_at"),
        # Nobody clears an alert about themselves.
        CheckConstraint(
            "dismissed_by_agent_id IS NULL OR dismissed_by_agent_id <> agent_id", name="not_dismissed_by_its_agent"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    raised_at: Mapped[datetime]
    # Distinct customers the agent had opened in the window when the alert was raised.
    customers: Mapped[int] = mapped_column(Integer)
    window_seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[InsiderAlertStatus] = mapped_column(
        str_enum(InsiderAlertStatus, "insider_alert_status"), default=InsiderAlertStatus.OPEN
    )
    dismissed_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    dismissed_at: Mapped[datetime | None]
    dismissal_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
