"""Verified state names its customer: a ticket records whom the factor was passed for.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 04:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_verified_customer_id_customers"), "customers", ["verified_customer_id"], ["id"]
        )
    # A verification recorded before this revision named no customer: it no longer counts.
    op.execute("UPDATE tickets SET verified_at = NULL, verified_factor = NULL WHERE verified_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_verified_customer_id_customers"), type_="foreignkey")
        batch_op.drop_column("verified_customer_id")
