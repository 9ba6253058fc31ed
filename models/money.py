"""Money: assets and their scale, balances, the append-only ledger, statement rows and the fee schedule."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, Money, str_enum, utcnow


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (CheckConstraint("scale BETWEEN 0 AND 18", name="scale_in_range"),)

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # Digits after the point: amounts are stored as integers of 10**-scale units.
    scale: Mapped[int]


class Balance(Base):
    """A cached sum of the ledger for one customer and asset, kept in step by the services."""

    __tablename__ = "balances"
    __table_args__ = (UniqueConstraint("customer_id", "asset_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"))
    amount: Mapped[int] = mapped_column(Money, default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class EntryKind(enum.StrEnum):
    OPENING = "opening"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRANSFER = "transfer"
    FEE = "fee"
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"


class LedgerEntry(Base):
    """One signed movement of money. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index(None, "customer_id", "asset_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Entries written together (an adjustment and its fee, say) share a journal id.
    journal_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"))
    amount: Mapped[int] = mapped_column(Money)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "entry_kind"))
    description: Mapped[str] = mapped_column(String(255))
    # Money commands carry a key so a retried or double-submitted command writes once.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TransactionKind(enum.StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    FEE = "fee"
    ADJUSTMENT = "adjustment"


class PaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CREDIT_CARD = "credit_card"
    ON_CHAIN = "on_chain"
    INTERNAL = "internal"


class TransactionStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    DELAYED = "delayed"
    FAILED = "failed"
    REVERSED = "reversed"


class Transaction(Base):
    """A line on the customer's statement, as the caller sees it in the app."""

    __tablename__ = "transactions"
    __table_args__ = (
        Index(None, "customer_id", "created_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("fee >= 0", name="fee_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"))
    kind: Mapped[TransactionKind] = mapped_column(str_enum(TransactionKind, "transaction_kind"))
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    status: Mapped[TransactionStatus] = mapped_column(str_enum(TransactionStatus, "transaction_status"))
    # Unsigned amount in minor units; the kind says which way it went.
    amount: Mapped[int] = mapped_column(Money)
    fee: Mapped[int] = mapped_column(Money, default=0, server_default="0")
    reference: Mapped[str] = mapped_column(String(64))
    counterparty: Mapped[str | None] = mapped_column(String(128))
    journal_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # For withdrawals: when the customer was told to expect it (updated when one is delayed).
    expected_by: Mapped[datetime | None]


class Direction(enum.StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"


class FeeSchedule(Base):
    """Public prices and times: what a deposit or withdrawal costs by method and asset."""

    __tablename__ = "fee_schedule"
    __table_args__ = (
        UniqueConstraint("method", "asset_code", "direction"),
        CheckConstraint("fee_fixed >= 0 AND fee_rate_bp >= 0", name="fees_non_negative"),
        CheckConstraint("minimum_amount >= 0", name="minimum_non_negative"),
        CheckConstraint("expected_hours >= 0", name="expected_hours_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    # Fixed part in the asset's minor units plus a rate in basis points (1 bp = 0.01 %).
    fee_fixed: Mapped[int] = mapped_column(Money)
    fee_rate_bp: Mapped[int]
    minimum_amount: Mapped[int] = mapped_column(Money)
    maximum_amount: Mapped[int | None] = mapped_column(Money)
    expected_hours: Mapped[int]
    notes: Mapped[str | None] = mapped_column(String(255))
