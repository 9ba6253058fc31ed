"""Initial schema: every table, named constraints, and append-only guards on the ledger and audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 19:10:03.018401+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Rows in these tables are facts: the database itself refuses to change or remove them.
APPEND_ONLY_TABLES = ("ledger_entries", "audit_events")


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column(
            "role",
            sa.Enum("agent", "supervisor", "admin", name="role", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("username", name=op.f("uq_agents_username")),
    )
    op.create_table(
        "assets",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.CheckConstraint("scale BETWEEN 0 AND 18", name=op.f("ck_assets_scale_in_range")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_assets")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_number", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=128), nullable=False),
        sa.Column("name_pinyin", sa.String(length=128), nullable=False),
        sa.Column("name_initials", sa.String(length=16), nullable=False),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("phone_last4", sa.String(length=4), nullable=True),
        sa.Column("phone_bound", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_last4", sa.String(length=4), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "locked", "closed", name="customer_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "lock_reason",
            sa.Enum(
                "password_failures",
                "abnormal_login",
                "risk",
                name="lock_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_password_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("totp_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("password_reset_required", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("withdrawals_held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verify_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("verify_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "(status = 'locked' AND lock_reason IS NOT NULL AND locked_at IS NOT NULL)"
            " OR (status <> 'locked' AND lock_reason IS NULL)",
            name=op.f("ck_customers_lock_reason_iff_locked"),
        ),
        sa.CheckConstraint("failed_password_count >= 0", name=op.f("ck_customers_failed_password_count_non_negative")),
        sa.CheckConstraint("phone_e164 IS NOT NULL OR NOT phone_bound", name=op.f("ck_customers_bound_phone_exists")),
        sa.CheckConstraint("verify_failures >= 0", name=op.f("ck_customers_verify_failures_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("account_number", name=op.f("uq_customers_account_number")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_full_name_id"), ["full_name", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_id_last4_id"), ["id_last4", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_name_initials_id"), ["name_initials", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_name_pinyin_id"), ["name_pinyin", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_phone_e164"), ["phone_e164"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_phone_last4_id"), ["phone_last4", "id"], unique=False)

    op.create_table(
        "hotlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("hours", sa.String(length=128), nullable=False),
        sa.Column("languages", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlines")),
        sa.UniqueConstraint("code", name=op.f("uq_hotlines_code")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_agent_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_agent_id"], ["agents.id"], name=op.f("fk_audit_events_actor_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_subject_type_subject_id"), ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "balances",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("asset_code", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["asset_code"], ["assets.code"], name=op.f("fk_balances_asset_code_assets")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_balances_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balances")),
        sa.UniqueConstraint("customer_id", "asset_code", name=op.f("uq_balances_customer_id_asset_code")),
    )
    op.create_table(
        "fee_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "bank_transfer",
                "credit_card",
                "on_chain",
                "internal",
                name="payment_method",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("asset_code", sa.String(length=8), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("deposit", "withdrawal", name="direction", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("fee_fixed", sa.BigInteger(), nullable=False),
        sa.Column("fee_rate_bp", sa.Integer(), nullable=False),
        sa.Column("minimum_amount", sa.BigInteger(), nullable=False),
        sa.Column("maximum_amount", sa.BigInteger(), nullable=True),
        sa.Column("expected_hours", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=255), nullable=True),
        sa.CheckConstraint("expected_hours >= 0", name=op.f("ck_fee_schedule_expected_hours_non_negative")),
        sa.CheckConstraint("fee_fixed >= 0 AND fee_rate_bp >= 0", name=op.f("ck_fee_schedule_fees_non_negative")),
        sa.CheckConstraint("minimum_amount >= 0", name=op.f("ck_fee_schedule_minimum_non_negative")),
        sa.ForeignKeyConstraint(["asset_code"], ["assets.code"], name=op.f("fk_fee_schedule_asset_code_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedule")),
        sa.UniqueConstraint(
            "method", "asset_code", "direction", name=op.f("uq_fee_schedule_method_asset_code_direction")
        ),
    )
    op.create_table(
        "incoming_calls",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=False),
        sa.Column("hotline_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(claimed_by_agent_id IS NULL) = (claimed_at IS NULL)", name=op.f("ck_incoming_calls_claimed_together")
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_agent_id"], ["agents.id"], name=op.f("fk_incoming_calls_claimed_by_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(["hotline_id"], ["hotlines.id"], name=op.f("fk_incoming_calls_hotline_id_hotlines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incoming_calls")),
    )
    with op.batch_alter_table("incoming_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incoming_calls_claimed_by_agent_id_received_at"),
            ["claimed_by_agent_id", "received_at"],
            unique=False,
        )

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("journal_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("asset_code", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "opening",
                "deposit",
                "withdrawal",
                "transfer",
                "fee",
                "adjustment",
                "reversal",
                name="entry_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("created_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["asset_code"], ["assets.code"], name=op.f("fk_ledger_entries_asset_code_assets")),
        sa.ForeignKeyConstraint(
            ["created_by_agent_id"], ["agents.id"], name=op.f("fk_ledger_entries_created_by_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ledger_entries_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_customer_id_asset_code"), ["customer_id", "asset_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_entries_journal_id"), ["journal_id"], unique=False)

    op.create_table(
        "login_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=128), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("unusual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_login_events_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_events")),
    )
    with op.batch_alter_table("login_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_events_customer_id_occurred_at"), ["customer_id", "occurred_at"], unique=False
        )

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("sms", "email", name="outbox_channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_outbox_messages_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_customer_id_created_at"), ["customer_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_sent_at_created_at"), ["sent_at", "created_at"], unique=False
        )

    op.create_table(
        "transactions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("asset_code", sa.String(length=8), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "deposit",
                "withdrawal",
                "transfer_in",
                "transfer_out",
                "fee",
                "adjustment",
                name="transaction_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "method",
            sa.Enum(
                "bank_transfer",
                "credit_card",
                "on_chain",
                "internal",
                name="payment_method",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "processing",
                "completed",
                "delayed",
                "failed",
                "reversed",
                name="transaction_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("counterparty", sa.String(length=128), nullable=True),
        sa.Column("journal_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_by", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_transactions_amount_positive")),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_transactions_fee_non_negative")),
        sa.ForeignKeyConstraint(["asset_code"], ["assets.code"], name=op.f("fk_transactions_asset_code_assets")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_transactions_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transactions_customer_id_created_at"), ["customer_id", "created_at"], unique=False
        )

    op.create_table(
        "tickets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "locked_account",
                "deposit_withdrawal",
                "account_security",
                "statement_dispute",
                "feedback",
                "other",
                name="ticket_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "pending", "closed", name="ticket_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "disposition",
            sa.Enum(
                "resolved",
                "follow_up",
                "escalated",
                "transferred",
                "caller_hung_up",
                "wrong_number",
                name="disposition",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("script_id", sa.String(length=64), nullable=True),
        sa.Column("script_version", sa.String(length=16), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_due", sa.Date(), nullable=True),
        sa.Column("talk_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("wrap_up_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_factor", sa.String(length=16), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("advice_given", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "status <> 'closed' OR (closed_at IS NOT NULL AND disposition IS NOT NULL)",
            name=op.f("ck_tickets_closed_has_disposition"),
        ),
        sa.CheckConstraint(
            "talk_seconds >= 0 AND wrap_up_seconds >= 0", name=op.f("ck_tickets_handle_time_non_negative")
        ),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_tickets_agent_id_agents")),
        sa.ForeignKeyConstraint(["call_id"], ["incoming_calls.id"], name=op.f("fk_tickets_call_id_incoming_calls")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_tickets_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_agent_id_status"), ["agent_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tickets_customer_id_opened_at"), ["customer_id", "opened_at"], unique=False
        )

    op.create_table(
        "disputes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("opened_by_agent_id", sa.Integer(), nullable=False),
        sa.Column("asset_code", sa.String(length=8), nullable=False),
        sa.Column("claimed_amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "investigating",
                "adjustment_proposed",
                "awaiting_approval",
                "adjusted",
                "rejected",
                name="dispute_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("resolution_reason", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("claimed_amount > 0", name=op.f("ck_disputes_claimed_amount_positive")),
        sa.ForeignKeyConstraint(["asset_code"], ["assets.code"], name=op.f("fk_disputes_asset_code_assets")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_disputes_customer_id_customers")),
        sa.ForeignKeyConstraint(
            ["opened_by_agent_id"], ["agents.id"], name=op.f("fk_disputes_opened_by_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_disputes_ticket_id_tickets")),
        sa.ForeignKeyConstraint(
            ["transaction_id"], ["transactions.id"], name=op.f("fk_disputes_transaction_id_transactions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_customer_id_status"), ["customer_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_transaction_id"), ["transaction_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "app",
                "fees",
                "service",
                "product",
                "complaint",
                "other",
                name="feedback_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "routed",
                "in_progress",
                "closed",
                name="feedback_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_feedback_agent_id_agents")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_feedback_customer_id_customers")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_feedback_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_department_status"), ["department", "status"], unique=False)

    op.create_table(
        "note_drafts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_note_drafts_agent_id_agents")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_note_drafts_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_drafts")),
        sa.UniqueConstraint("ticket_id", "agent_id", name=op.f("uq_note_drafts_ticket_id_agent_id")),
    )
    op.create_table(
        "otp_challenges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("sms", "email", name="channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("code_hmac", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_otp_challenges_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_otp_challenges_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_otp_challenges_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_challenges")),
    )
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_otp_challenges_customer_id_created_at"), ["customer_id", "created_at"], unique=False
        )

    op.create_table(
        "ticket_notes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_ticket_notes_agent_id_agents")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_notes_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_notes")),
    )
    with op.batch_alter_table("ticket_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_notes_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "unlock_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "applied",
                "void",
                name="approval_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_agent_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "approved_by_agent_id IS NULL OR approved_by_agent_id <> requested_by_agent_id",
            name=op.f("ck_unlock_requests_approver_differs_from_requester"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_agent_id"], ["agents.id"], name=op.f("fk_unlock_requests_approved_by_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_unlock_requests_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_agent_id"], ["agents.id"], name=op.f("fk_unlock_requests_requested_by_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_unlock_requests_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unlock_requests")),
    )
    with op.batch_alter_table("unlock_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unlock_requests_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unlock_requests_status_requested_at"), ["status", "requested_at"], unique=False
        )

    op.create_table(
        "adjustments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dispute_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("asset_code", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "applied",
                "void",
                name="approval_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_agent_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("journal_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_adjustments_amount_non_zero")),
        sa.CheckConstraint(
            "approved_by_agent_id IS NULL OR approved_by_agent_id <> requested_by_agent_id",
            name=op.f("ck_adjustments_approver_differs_from_requester"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_agent_id"], ["agents.id"], name=op.f("fk_adjustments_approved_by_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(["asset_code"], ["assets.code"], name=op.f("fk_adjustments_asset_code_assets")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_adjustments_customer_id_customers")),
        sa.ForeignKeyConstraint(["dispute_id"], ["disputes.id"], name=op.f("fk_adjustments_dispute_id_disputes")),
        sa.ForeignKeyConstraint(
            ["requested_by_agent_id"], ["agents.id"], name=op.f("fk_adjustments_requested_by_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_adjustments_idempotency_key")),
    )
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adjustments_customer_id_requested_at"), ["customer_id", "requested_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_adjustments_dispute_id"), ["dispute_id"], unique=False)

    op.create_table(
        "dispute_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dispute_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "investigating",
                "adjustment_proposed",
                "awaiting_approval",
                "adjusted",
                "rejected",
                name="dispute_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_dispute_events_agent_id_agents")),
        sa.ForeignKeyConstraint(["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_events_dispute_id_disputes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_events")),
    )
    with op.batch_alter_table("dispute_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_events_dispute_id"), ["dispute_id"], unique=False)

    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "factor",
            sa.Enum("sms", "email", "totp", name="factor", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("failure_reason", sa.String(length=64), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds_to_verify", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_verification_attempts_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["otp_challenges.id"], name=op.f("fk_verification_attempts_challenge_id_otp_challenges")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_verification_attempts_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_verification_attempts_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempts")),
    )
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_attempts_attempted_at"), ["attempted_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_verification_attempts_customer_id_attempted_at"),
            ["customer_id", "attempted_at"],
            unique=False,
        )

    _install_append_only_guards()


def _install_append_only_guards() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} is not allowed'); END"
                )
        return
    op.execute(
        """
        CREATE FUNCTION hotline_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hotline_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION hotline_refuse_change()"
        )


def _remove_append_only_guards() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS hotline_refuse_change()")


def downgrade() -> None:
    _remove_append_only_guards()
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_attempts_customer_id_attempted_at"))
        batch_op.drop_index(batch_op.f("ix_verification_attempts_attempted_at"))

    op.drop_table("verification_attempts")
    with op.batch_alter_table("dispute_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_events_dispute_id"))

    op.drop_table("dispute_events")
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjustments_dispute_id"))
        batch_op.drop_index(batch_op.f("ix_adjustments_customer_id_requested_at"))

    op.drop_table("adjustments")
    with op.batch_alter_table("unlock_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unlock_requests_status_requested_at"))
        batch_op.drop_index(batch_op.f("ix_unlock_requests_customer_id"))

    op.drop_table("unlock_requests")
    with op.batch_alter_table("ticket_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_notes_ticket_id"))

    op.drop_table("ticket_notes")
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_otp_challenges_customer_id_created_at"))

    op.drop_table("otp_challenges")
    op.drop_table("note_drafts")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_department_status"))

    op.drop_table("feedback")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_customer_id_status"))

    op.drop_table("disputes")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_customer_id_opened_at"))
        batch_op.drop_index(batch_op.f("ix_tickets_agent_id_status"))

    op.drop_table("tickets")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_customer_id_created_at"))

    op.drop_table("transactions")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_sent_at_created_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_customer_id_created_at"))

    op.drop_table("outbox_messages")
    with op.batch_alter_table("login_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_events_customer_id_occurred_at"))

    op.drop_table("login_events")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_journal_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_customer_id_asset_code"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("incoming_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incoming_calls_claimed_by_agent_id_received_at"))

    op.drop_table("incoming_calls")
    op.drop_table("fee_schedule")
    op.drop_table("balances")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_subject_type_subject_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("hotlines")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_phone_last4_id"))
        batch_op.drop_index(batch_op.f("ix_customers_phone_e164"))
        batch_op.drop_index(batch_op.f("ix_customers_name_pinyin_id"))
        batch_op.drop_index(batch_op.f("ix_customers_name_initials_id"))
        batch_op.drop_index(batch_op.f("ix_customers_id_last4_id"))
        batch_op.drop_index(batch_op.f("ix_customers_full_name_id"))
        batch_op.drop_index(batch_op.f("ix_customers_email"))

    op.drop_table("customers")
    op.drop_table("assets")
    op.drop_table("agents")
