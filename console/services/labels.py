"""Display labels: the one place that names, for an agent, each value the models store.

Every screen and every message says a stored value through these functions, so one thing has one
name everywhere ("On-chain" on the fee schedule and on the statement). Each label is translated when
it is asked for (`_()` runs at display time, not at import), so a language chosen after start-up
applies. A value with no label (a newer database than this code) shows as stored, never as an error.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TypeVar, overload

from console.i18n import _
from console.services.announce import ItemKind
from models import (
    ApprovalStatus,
    CustomerStatus,
    Department,
    Direction,
    Disposition,
    DisputeStatus,
    FeedbackCategory,
    FeedbackStatus,
    LockReason,
    PaymentMethod,
    ProductArea,
    Role,
    TicketReason,
    TicketStatus,
    TransactionKind,
    TransactionStatus,
)

E = TypeVar("E", bound=enum.StrEnum)
Words = Callable[[], str]

_REASONS: dict[TicketReason, Words] = {
    TicketReason.LOCKED_ACCOUNT: lambda: _("Locked account"),
    TicketReason.DEPOSIT_WITHDRAWAL: lambda: _("Deposit / withdrawal"),
    TicketReason.ACCOUNT_SECURITY: lambda: _("Account security"),
    TicketReason.STATEMENT_DISPUTE: lambda: _("Statement dispute"),
    TicketReason.FEEDBACK: lambda: _("Feedback"),
    TicketReason.OTHER: lambda: _("Other"),
}

_TICKET_STATUSES: dict[TicketStatus, Words] = {
    TicketStatus.OPEN: lambda: _("Open"),
    TicketStatus.PENDING: lambda: _("Pending"),
    TicketStatus.CLOSED: lambda: _("Closed"),
}

_DISPOSITIONS: dict[Disposition, Words] = {
    Disposition.RESOLVED: lambda: _("Resolved"),
    Disposition.FOLLOW_UP: lambda: _("Follow-up needed"),
    Disposition.ESCALATED: lambda: _("Escalated"),
    Disposition.TRANSFERRED: lambda: _("Transferred"),
    Disposition.CALLER_HUNG_UP: lambda: _("Caller hung up"),
    Disposition.WRONG_NUMBER: lambda: _("Wrong number"),
}

_CUSTOMER_STATUSES: dict[CustomerStatus, Words] = {
    CustomerStatus.ACTIVE: lambda: _("Active"),
    CustomerStatus.LOCKED: lambda: _("Locked"),
    CustomerStatus.CLOSED: lambda: _("Closed"),
}

_LOCK_REASONS: dict[LockReason, Words] = {
    LockReason.PASSWORD_FAILURES: lambda: _("Too many wrong passwords"),
    LockReason.ABNORMAL_LOGIN: lambda: _("Abnormal login"),
    LockReason.RISK: lambda: _("Risk control"),
}

_DISPUTE_STATUSES: dict[DisputeStatus, Words] = {
    DisputeStatus.OPEN: lambda: _("Open"),
    DisputeStatus.INVESTIGATING: lambda: _("Investigating"),
    DisputeStatus.ADJUSTMENT_PROPOSED: lambda: _("Adjustment proposed"),
    DisputeStatus.AWAITING_APPROVAL: lambda: _("Awaiting approval"),
    DisputeStatus.ADJUSTED: lambda: _("Adjusted"),
    DisputeStatus.REJECTED: lambda: _("Rejected"),
}

_APPROVAL_STATUSES: dict[ApprovalStatus, Words] = {
    ApprovalStatus.PENDING: lambda: _("Waiting for a supervisor"),
    ApprovalStatus.APPROVED: lambda: _("Approved"),
    ApprovalStatus.REJECTED: lambda: _("Turned down"),
    ApprovalStatus.APPLIED: lambda: _("Posted"),
    ApprovalStatus.VOID: lambda: _("Void"),
}

_METHODS: dict[PaymentMethod, Words] = {
    PaymentMethod.BANK_TRANSFER: lambda: _("Bank transfer"),
    PaymentMethod.CREDIT_CARD: lambda: _("Card"),
    PaymentMethod.ON_CHAIN: lambda: _("On-chain"),
    PaymentMethod.INTERNAL: lambda: _("Internal"),
}

_DIRECTIONS: dict[Direction, Words] = {
    Direction.DEPOSIT: lambda: _("Deposit"),
    Direction.WITHDRAWAL: lambda: _("Withdrawal"),
}

_TRANSACTION_KINDS: dict[TransactionKind, Words] = {
    TransactionKind.DEPOSIT: lambda: _("Deposit"),
    TransactionKind.WITHDRAWAL: lambda: _("Withdrawal"),
    TransactionKind.TRANSFER_IN: lambda: _("Transfer in"),
    TransactionKind.TRANSFER_OUT: lambda: _("Transfer out"),
    TransactionKind.FEE: lambda: _("Fee"),
    TransactionKind.ADJUSTMENT: lambda: _("Adjustment"),
}

_TRANSACTION_STATUSES: dict[TransactionStatus, Words] = {
    TransactionStatus.PENDING: lambda: _("Pending"),
    TransactionStatus.PROCESSING: lambda: _("Processing"),
    TransactionStatus.COMPLETED: lambda: _("Completed"),
    TransactionStatus.DELAYED: lambda: _("Delayed"),
    TransactionStatus.FAILED: lambda: _("Failed"),
    TransactionStatus.REVERSED: lambda: _("Reversed"),
}

_FEEDBACK_CATEGORIES: dict[FeedbackCategory, Words] = {
    FeedbackCategory.BUG: lambda: _("Bug"),
    FeedbackCategory.USABILITY: lambda: _("Usability"),
    FeedbackCategory.FEATURE_REQUEST: lambda: _("Feature request"),
    FeedbackCategory.COMPLAINT: lambda: _("Complaint"),
    FeedbackCategory.PRAISE: lambda: _("Praise"),
    FeedbackCategory.OTHER: lambda: _("Other"),
}

_PRODUCT_AREAS: dict[ProductArea, Words] = {
    ProductArea.ACCOUNT_LOGIN: lambda: _("Account and login"),
    ProductArea.DEPOSITS_WITHDRAWALS: lambda: _("Deposits and withdrawals"),
    ProductArea.TRANSFERS: lambda: _("Transfers"),
    ProductArea.FEES: lambda: _("Fees"),
    ProductArea.STATEMENTS: lambda: _("Statements"),
    ProductArea.SECURITY: lambda: _("Security and 2FA"),
    ProductArea.APP: lambda: _("The app"),
    ProductArea.SUPPORT: lambda: _("Hotline and support"),
    ProductArea.OTHER: lambda: _("Other"),
}

_DEPARTMENTS: dict[Department, Words] = {
    Department.PRODUCT: lambda: _("Product"),
    Department.ENGINEERING: lambda: _("Engineering"),
    Department.PAYMENTS: lambda: _("Payments"),
    Department.RISK_AND_SECURITY: lambda: _("Risk and security"),
    Department.SUPPORT_OPERATIONS: lambda: _("Support operations"),
}

_FEEDBACK_STATUSES: dict[FeedbackStatus, Words] = {
    FeedbackStatus.NEW: lambda: _("New"),
    FeedbackStatus.FORWARDED: lambda: _("Forwarded"),
    FeedbackStatus.ACKNOWLEDGED: lambda: _("Acknowledged"),
    FeedbackStatus.CLOSED: lambda: _("Closed"),
}

_ITEM_KINDS: dict[ItemKind, Words] = {
    ItemKind.ADJUSTMENT: lambda: _("Adjustment"),
    ItemKind.UNLOCK: lambda: _("Unlock"),
    ItemKind.LOCKOUT: lambda: _("Lockout"),
    ItemKind.COMPLAINT: lambda: _("Complaint"),
    ItemKind.INSIDER: lambda: _("Insider alert"),
}

# Verification factors, keyed as the verification records store them.
_FACTORS: dict[str, Words] = {
    "sms": lambda: _("SMS code"),
    "totp": lambda: _("Authenticator app"),
    "email": lambda: _("Email code + ID number"),
}

# What was done on a call, as the wrap-up lists it (keyed by `CallDone.kind`).
_CALL_DONE: dict[str, Words] = {
    "verified": lambda: _("Verified"),
    "unlocked": lambda: _("Unlocked"),
    "unlock_requested": lambda: _("Unlock requested"),
    "dispute_opened": lambda: _("Dispute opened"),
    "adjustment_proposed": lambda: _("Adjustment proposed"),
    "fees_told": lambda: _("Fee told"),
    "withdrawal_followed_up": lambda: _("Withdrawal put on follow-up"),
    "feedback_logged": lambda: _("Feedback logged"),
}

# Database engines, keyed by SQLAlchemy's dialect name.
_ENGINES: dict[str, Words] = {
    "sqlite": lambda: _("SQLite (this computer)"),
    "postgresql": lambda: _("PostgreSQL (shared)"),
}

_ROLES: dict[Role, Words] = {
    Role.AGENT: lambda: _("Agent"),
    Role.SUPERVISOR: lambda: _("Supervisor"),
    Role.ADMIN: lambda: _("Admin"),
}


def _say(words: Mapping[E, Words], kind: type[E], value: E | str) -> str:
    try:
        return words[kind(value)]()
    except (ValueError, KeyError):
        return str(value)


def reason_label(value: TicketReason | str) -> str:
    return _say(_REASONS, TicketReason, value)


def ticket_status_label(value: TicketStatus | str) -> str:
    return _say(_TICKET_STATUSES, TicketStatus, value)


def disposition_label(value: Disposition | str) -> str:
    return _say(_DISPOSITIONS, Disposition, value)


def customer_status_label(value: CustomerStatus | str) -> str:
    return _say(_CUSTOMER_STATUSES, CustomerStatus, value)


@overload
def lock_reason_label(value: LockReason | str) -> str: ...
@overload
def lock_reason_label(value: None) -> None: ...
def lock_reason_label(value: LockReason | str | None) -> str | None:
    """Why an account is locked; None when no reason was stored."""
    return None if value is None else _say(_LOCK_REASONS, LockReason, value)


def dispute_status_label(value: DisputeStatus | str) -> str:
    return _say(_DISPUTE_STATUSES, DisputeStatus, value)


def approval_status_label(value: ApprovalStatus | str) -> str:
    return _say(_APPROVAL_STATUSES, ApprovalStatus, value)


def method_label(value: PaymentMethod | str) -> str:
    return _say(_METHODS, PaymentMethod, value)


def direction_label(value: Direction | str) -> str:
    return _say(_DIRECTIONS, Direction, value)


def transaction_kind_label(value: TransactionKind | str) -> str:
    return _say(_TRANSACTION_KINDS, TransactionKind, value)


def transaction_status_label(value: TransactionStatus | str) -> str:
    return _say(_TRANSACTION_STATUSES, TransactionStatus, value)


def feedback_category_label(value: FeedbackCategory | str) -> str:
    return _say(_FEEDBACK_CATEGORIES, FeedbackCategory, value)


def product_area_label(value: ProductArea | str) -> str:
    return _say(_PRODUCT_AREAS, ProductArea, value)


def department_label(value: Department | str) -> str:
    return _say(_DEPARTMENTS, Department, value)


def feedback_status_label(value: FeedbackStatus | str) -> str:
    return _say(_FEEDBACK_STATUSES, FeedbackStatus, value)


def item_kind_label(value: ItemKind | str) -> str:
    """What kind of thing waits in the supervisors' queue."""
    return _say(_ITEM_KINDS, ItemKind, value)


def factor_label(value: str | None) -> str:
    """How a verification factor is named: "SMS code", "Authenticator app"."""
    words = _FACTORS.get(value or "")
    return words() if words else str(value or "-")


def call_done_label(kind: str) -> str:
    """One thing done on a call, as the wrap-up lists it: "Verified", "Dispute opened"."""
    words = _CALL_DONE.get(kind)
    return words() if words else kind


def engine_label(dialect: str) -> str:
    """Which kind of database: "SQLite (this computer)", "PostgreSQL (shared)"."""
    words = _ENGINES.get(dialect)
    return words() if words else dialect


def role_label(value: Role | str) -> str:
    return _say(_ROLES, Role, value)


def choices(kind: type[E]) -> list[tuple[str, str]]:
    """(label, stored value) for every value of `kind`, in its declared order, for a Select."""
    label = LABELLERS[kind]
    return [(label(value) or value.value, value.value) for value in kind]


# Which function names the values of each stored kind (for `choices` and the tests).
LABELLERS: dict[type[enum.StrEnum], Callable[[str], str | None]] = {
    TicketReason: reason_label,
    TicketStatus: ticket_status_label,
    Disposition: disposition_label,
    CustomerStatus: customer_status_label,
    LockReason: lock_reason_label,
    DisputeStatus: dispute_status_label,
    ApprovalStatus: approval_status_label,
    PaymentMethod: method_label,
    Direction: direction_label,
    TransactionKind: transaction_kind_label,
    TransactionStatus: transaction_status_label,
    FeedbackCategory: feedback_category_label,
    ProductArea: product_area_label,
    Department: department_label,
    FeedbackStatus: feedback_status_label,
    Role: role_label,
    ItemKind: item_kind_label,
}


# The choices screens offer (screens do not import the models), each translated when asked for.


def reason_choices() -> list[tuple[str, str]]:
    return choices(TicketReason)


def disposition_choices() -> list[tuple[str, str]]:
    return choices(Disposition)


def direction_choices() -> list[tuple[str, str]]:
    return choices(Direction)


def transaction_kind_choices() -> list[tuple[str, str]]:
    return choices(TransactionKind)


def transaction_status_choices() -> list[tuple[str, str]]:
    return choices(TransactionStatus)


def feedback_category_choices() -> list[tuple[str, str]]:
    return choices(FeedbackCategory)


def product_area_choices() -> list[tuple[str, str]]:
    return choices(ProductArea)


def department_choices() -> list[tuple[str, str]]:
    return choices(Department)
