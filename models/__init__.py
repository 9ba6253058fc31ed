"""Typed SQLAlchemy models for the whole Hotline schema; importing this registers every table."""

from models.agents import Agent, Role
from models.audit import AuditEvent
from models.base import Base
from models.calls import (
    Disposition,
    Hotline,
    IncomingCall,
    NoteDraft,
    Ticket,
    TicketNote,
    TicketReason,
    TicketStatus,
)
from models.customers import Customer, CustomerStatus, LockReason, LoginEvent
from models.disputes import (
    Adjustment,
    ApprovalEdit,
    ApprovalStatus,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    UnlockRequest,
)
from models.feedback import (
    Department,
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
    FeedbackStatusChange,
    ProductArea,
)
from models.insider import CustomerOpen, InsiderAlert, InsiderAlertStatus
from models.money import (
    Asset,
    Balance,
    Direction,
    EntryKind,
    FeeSchedule,
    LedgerEntry,
    PaymentMethod,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from models.outbox import OutboxChannel, OutboxMessage
from models.verification import Channel, Factor, OtpChallenge, VerificationAttempt

# Tables whose rows may only ever be inserted; the initial migration installs triggers for them.
APPEND_ONLY_TABLES = ("ledger_entries", "audit_events")

__all__ = [
    "APPEND_ONLY_TABLES",
    "Adjustment",
    "Agent",
    "ApprovalEdit",
    "ApprovalStatus",
    "Asset",
    "AuditEvent",
    "Balance",
    "Base",
    "Channel",
    "Customer",
    "CustomerOpen",
    "CustomerStatus",
    "Department",
    "Direction",
    "Disposition",
    "Dispute",
    "DisputeEvent",
    "DisputeStatus",
    "EntryKind",
    "Factor",
    "FeeSchedule",
    "Feedback",
    "FeedbackCategory",
    "FeedbackStatus",
    "FeedbackStatusChange",
    "Hotline",
    "IncomingCall",
    "InsiderAlert",
    "InsiderAlertStatus",
    "LedgerEntry",
    "LockReason",
    "LoginEvent",
    "NoteDraft",
    "OtpChallenge",
    "OutboxChannel",
    "OutboxMessage",
    "PaymentMethod",
    "ProductArea",
    "Role",
    "Ticket",
    "TicketNote",
    "TicketReason",
    "TicketStatus",
    "Transaction",
    "TransactionKind",
    "TransactionStatus",
    "UnlockRequest",
    "VerificationAttempt",
]
