"""The supervisor's desk: when an agent last typed their password, and the callers locked out of verification
found by index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nobody has typed a password since this column appeared: every supervisor types it before deciding.
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_typed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_verify_locked_until"), ["verify_locked_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_verify_locked_until"))
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("password_typed_at")
