"""Display labels: the words screens and messages use for the values the models store."""

from __future__ import annotations

from models import (
    Department,
    Disposition,
    DisputeStatus,
    FeedbackCategory,
    FeedbackStatus,
    PaymentMethod,
    ProductArea,
    TicketReason,
)

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

# The factor a caller verified with, keyed by the stored value.
FACTOR_LABELS = {
    "sms": "SMS code",
    "totp": "Authenticator app",
    "email": "Email code + ID number",
}

# What was done on a call, as the wrap-up lists it (keyed by `CallDone.kind`).
CALL_DONE_LABELS = {
    "verified": "Verified",
    "unlocked": "Unlocked",
    "unlock_requested": "Unlock requested",
    "dispute_opened": "Dispute opened",
    "adjustment_proposed": "Adjustment proposed",
    "fees_told": "Fee told",
    "withdrawal_followed_up": "Withdrawal put on follow-up",
    "feedback_logged": "Feedback logged",
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

FEEDBACK_CATEGORY_LABELS = {
    FeedbackCategory.BUG: "Bug",
    FeedbackCategory.USABILITY: "Usability",
    FeedbackCategory.FEATURE_REQUEST: "Feature request",
    FeedbackCategory.COMPLAINT: "Complaint",
    FeedbackCategory.PRAISE: "Praise",
    FeedbackCategory.OTHER: "Other",
}

PRODUCT_AREA_LABELS = {
    ProductArea.ACCOUNT_LOGIN: "Account and login",
    ProductArea.DEPOSITS_WITHDRAWALS: "Deposits and withdrawals",
    ProductArea.TRANSFERS: "Transfers",
    ProductArea.FEES: "Fees",
    ProductArea.STATEMENTS: "Statements",
    ProductArea.SECURITY: "Security and 2FA",
    ProductArea.APP: "The app",
    ProductArea.SUPPORT: "Hotline and support",
    ProductArea.OTHER: "Other",
}

DEPARTMENT_LABELS = {
    Department.PRODUCT: "Product",
    Department.ENGINEERING: "Engineering",
    Department.PAYMENTS: "Payments",
    Department.RISK_AND_SECURITY: "Risk and security",
    Department.SUPPORT_OPERATIONS: "Support operations",
}

FEEDBACK_STATUS_LABELS = {
    FeedbackStatus.NEW: "New",
    FeedbackStatus.FORWARDED: "Forwarded",
    FeedbackStatus.ACKNOWLEDGED: "Acknowledged",
    FeedbackStatus.CLOSED: "Closed",
}
