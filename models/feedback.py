"""Feedback from callers, with the department it is routed to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum, utcnow


class FeedbackCategory(enum.StrEnum):
    APP = "app"
    FEES = "fees"
    SERVICE = "service"
    PRODUCT = "product"
    COMPLAINT = "complaint"
    OTHER = "other"


class FeedbackStatus(enum.StrEnum):
    NEW = "new"
    ROUTED = "routed"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (Index(None, "department", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    category: Mapped[FeedbackCategory] = mapped_column(str_enum(FeedbackCategory, "feedback_category"))
    department: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[FeedbackStatus] = mapped_column(
        str_enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
