"""Display labels: the words screens and messages use for the values the models store."""

from __future__ import annotations

from models import Disposition, DisputeStatus, PaymentMethod, TicketReason

REASON_LABELS = {
    TicketReason.LOCKED_ACCOUNT: "Locked account",
    TicketReason.DEPOSIT_WITHDRAWAL: "Deposit / withdrawal",
    TicketReason.ACCOUNT_SECURITY: "Account security",
    TicketReason.STATEMENT_DISPUTE: "Statement dispute",
    TicketReason.FEEDBACK: "Feedback",
    TicketReason.OTHER: "Other",
}

DISPOSITION_LABELS = {
    Disposition.RESOLVED: "Resolved",
    Disposition.FOLLOW_UP: "Follow-up needed",
    Disposition.ESCALATED: "Escalated",
    Disposition.TRANSFERRED: "Transferred",
    Disposition.CALLER_HUNG_UP: "Caller hung up",
    Disposition.WRONG_NUMBER: "Wrong number",
}

# Keyed by the stored value: views carry the lock reason as a plain string.
LOCK_REASON_LABELS = {
    "password_failures": "Too many wrong passwords",
    "abnormal_login": "Abnormal login",
    "risk": "Risk control",
}

DISPUTE_STATUS_LABELS = {
    DisputeStatus.OPEN: "Open",
    DisputeStatus.INVESTIGATING: "Investigating",
    DisputeStatus.ADJUSTMENT_PROPOSED: "Adjustment proposed",
    DisputeStatus.AWAITING_APPROVAL: "Awaiting approval",
    DisputeStatus.ADJUSTED: "Adjusted",
    DisputeStatus.REJECTED: "Rejected",
}

METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.CREDIT_CARD: "Card",
    PaymentMethod.ON_CHAIN: "On-chain",
    PaymentMethod.INTERNAL: "Internal",
}
