"""Customers of the wallet as the agent finds them, and their login history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, str_enum, utcnow


class CustomerStatus(enum.StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    CLOSED = "closed"


class LockReason(enum.StrEnum):
    PASSWORD_FAILURES = "password_failures"
    ABNORMAL_LOGIN = "abnormal_login"
    RISK = "risk"


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(
            "(status = 'locked' AND lock_reason IS NOT NULL AND locked_at IS NOT NULL)"
            " OR (status <> 'locked' AND lock_reason IS NULL)",
            name="lock_reason_iff_locked",
        ),
        CheckConstraint("phone_e164 IS NOT NULL OR NOT phone_bound", name="bound_phone_exists"),
        CheckConstraint("failed_password_count >= 0", name="failed_password_count_non_negative"),
        CheckConstraint("verify_failures >= 0", name="verify_failures_non_negative"),
        # Lookup keys end in the id, so "first 21 matches in order" is an index scan on both
        # engines, however many customers share a common name.
        Index(None, "full_name", "id"),
        Index(None, "name_pinyin", "id"),
        Index(None, "name_initials", "id"),
        Index(None, "phone_last4", "id"),
        Index(None, "id_last4", "id"),
        # The supervisors' queue lists the callers locked out of verification now, every second.
        Index(None, "verify_locked_until"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The number printed in the app and on statements; what callers read out.
    account_number: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str] = mapped_column(String(128))
    # Search keys for the name: pinyin without tones or spaces ("wangwei") and initials ("ww");
    # for Latin names, the lower-cased letters and their initials.
    name_pinyin: Mapped[str] = mapped_column(String(128))
    name_initials: Mapped[str] = mapped_column(String(16))
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    phone_bound: Mapped[bool] = mapped_column(default=False, server_default=false())
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # A keyed hash of the normalized ID number; only its last 4 characters are kept in clear.
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    id_last4: Mapped[str | None] = mapped_column(String(4))
    region: Mapped[str] = mapped_column(String(2))
    status: Mapped[CustomerStatus] = mapped_column(
        str_enum(CustomerStatus, "customer_status"), default=CustomerStatus.ACTIVE
    )
    lock_reason: Mapped[LockReason | None] = mapped_column(str_enum(LockReason, "lock_reason"))
    locked_at: Mapped[datetime | None]
    failed_password_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The authenticator secret, MultiFernet-encrypted with the customer id inside the plaintext.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    # The last TOTP time step accepted, so each step verifies at most once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    password_reset_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    withdrawals_held_until: Mapped[datetime | None]
    # Consecutive failed verification attempts (all methods, all agents) and the lockout they cause.
    verify_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    verify_locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret_encrypted is not None


class LoginEvent(Base):
    """A login to the customer's wallet (not to the console): what the security review shows."""

    __tablename__ = "login_events"
    __table_args__ = (Index(None, "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    region: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(128))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    success: Mapped[bool]
    # Flagged by risk rules as an unusual region or device.
    unusual: Mapped[bool] = mapped_column(default=False, server_default=false())
