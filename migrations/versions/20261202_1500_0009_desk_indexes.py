"""Indexes for the supervisors' queue and the departments' feedback lists on a database with a long
history: pending adjustments by status, and partial indexes over only the feedback that still waits
(not closed) and the complaints still escalated (not resolved). The feedback index by department and
status goes: the waiting index serves both of the desk's reads (the list and the counts), and left in
place it drew SQLite's planner into reading every row ever filed to count the waiting ones.
`bench/desks.py` measures them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WAITING = "status <> 'closed'"
_ESCALATION_WAITING = "escalated_at IS NOT NULL AND escalation_resolved_at IS NULL"


def upgrade() -> None:
    op.create_index("ix_adjustments_status_requested_at", "adjustments", ["status", "requested_at"])
    op.create_index(
        "ix_feedback_waiting",
        "feedback",
        ["department", "created_at", "id"],
        sqlite_where=sa.text(_WAITING),
        postgresql_where=sa.text(_WAITING),
    )
    op.create_index(
        "ix_feedback_escalation_waiting",
        "feedback",
        ["escalated_at", "id"],
        sqlite_where=sa.text(_ESCALATION_WAITING),
        postgresql_where=sa.text(_ESCALATION_WAITING),
    )
    op.drop_index("ix_feedback_department_status", table_name="feedback")


def downgrade() -> None:
    op.create_index("ix_feedback_department_status", "feedback", ["department", "status"])
    op.drop_index("ix_feedback_escalation_waiting", table_name="feedback")
    op.drop_index("ix_feedback_waiting", table_name="feedback")
    op.drop_index("ix_adjustments_status_requested_at", table_name="adjustments")
