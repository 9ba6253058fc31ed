"""When the call on a ticket began, so talk time survives a restart of the console; tickets open now
began when they were opened.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_started_at", sa.DateTime(timezone=True), nullable=True))
    # A ticket open now is a call in progress since it was opened (the best this database knows).
    op.execute("UPDATE tickets SET call_started_at = opened_at WHERE status = 'open'")


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("call_started_at")
