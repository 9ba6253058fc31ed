"""The admin's desk and the insider alert: a password an admin reset must be changed at the next login;
who opened which customer last; alerts for an agent who opens too many customers in an hour.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # In place on SQLite (ALTER TABLE ADD COLUMN), never by copying the table: every table refers to agents,
    # so dropping the old copy fails its foreign keys once any row does (and the copy is not needed).
    with op.batch_alter_table("agents", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("password_change_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "customer_opens",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", _BIG_ID, nullable=False),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_customer_opens_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_opens_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("agent_id", "customer_id", name=op.f("pk_customer_opens")),
    )
    with op.batch_alter_table("customer_opens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_opens_agent_id_last_opened_at"), ["agent_id", "last_opened_at"], unique=False
        )

    op.create_table(
        "insider_alerts",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("window_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "dismissed", name="insider_alert_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("dismissed_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissal_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "dismissed_by_agent_id IS NULL OR dismissed_by_agent_id <> agent_id",
            name=op.f("ck_insider_alerts_not_dismissed_by_its_agent"),
        ),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_insider_alerts_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["dismissed_by_agent_id"], ["agents.id"], name=op.f("fk_insider_alerts_dismissed_by_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insider_alerts")),
    )
    with op.batch_alter_table("insider_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_insider_alerts_agent_id_raised_at"), ["agent_id", "raised_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_insider_alerts_status_raised_at"), ["status", "raised_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("insider_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insider_alerts_status_raised_at"))
        batch_op.drop_index(batch_op.f("ix_insider_alerts_agent_id_raised_at"))
    op.drop_table("insider_alerts")
    with op.batch_alter_table("customer_opens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_opens_agent_id_last_opened_at"))
    op.drop_table("customer_opens")
    # ALTER TABLE DROP COLUMN (SQLite 3.35 and later), for the same reason as the upgrade.
    with op.batch_alter_table("agents", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("password_change_required")
