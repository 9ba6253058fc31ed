"""Four eyes: who edited an adjustment or unlock request (every editor, and the last one on the row).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:42:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPROVALS = ("adjustments", "unlock_requests")
_NOT_THE_LAST_EDITOR = (
    "approved_by_agent_id IS NULL OR edited_by_agent_id IS NULL OR approved_by_agent_id <> edited_by_agent_id"
)


def upgrade() -> None:
    # Batch mode: SQLite can add a foreign key or a CHECK only by copying the table (neither has triggers).
    for table in _APPROVALS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("edited_by_agent_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_edited_by_agent_id_agents"), "agents", ["edited_by_agent_id"], ["id"]
            )
            batch_op.create_check_constraint(
                batch_op.f(f"ck_{table}_approver_differs_from_last_editor"), _NOT_THE_LAST_EDITOR
            )

    op.create_table(
        "approval_edits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("adjustment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("unlock_request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=80), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(adjustment_id IS NULL) <> (unlock_request_id IS NULL)", name=op.f("ck_approval_edits_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["adjustment_id"], ["adjustments.id"], name=op.f("fk_approval_edits_adjustment_id_adjustments")
        ),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_approval_edits_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["unlock_request_id"],
            ["unlock_requests.id"],
            name=op.f("fk_approval_edits_unlock_request_id_unlock_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_edits")),
    )
    with op.batch_alter_table("approval_edits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_edits_adjustment_id"), ["adjustment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_edits_unlock_request_id"), ["unlock_request_id"], unique=False)

    # Adjustments still pending were perhaps edited before editors were kept: the audit log names who
    # edited them, so those people cannot decide them after the upgrade either. (Their versions then
    # are not known; the current one is recorded.)
    op.execute(
        "INSERT INTO approval_edits (adjustment_id, agent_id, version, what, edited_at)"
        " SELECT adjustments.id, audit_events.actor_agent_id, adjustments.version,"
        " 'the amount and reason (before editors were kept)', audit_events.occurred_at"
        " FROM audit_events JOIN adjustments ON audit_events.subject_id = CAST(adjustments.id AS VARCHAR(64))"
        " WHERE audit_events.action = 'adjustment.edit' AND audit_events.subject_type = 'adjustment'"
        " AND audit_events.actor_agent_id IS NOT NULL AND adjustments.status = 'pending'"
        " ORDER BY audit_events.seq"
    )
    op.execute(
        "UPDATE adjustments SET edited_by_agent_id = (SELECT approval_edits.agent_id FROM approval_edits"
        " WHERE approval_edits.adjustment_id = adjustments.id ORDER BY approval_edits.id DESC LIMIT 1)"
        " WHERE adjustments.status = 'pending'"
    )


def downgrade() -> None:
    with op.batch_alter_table("approval_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_edits_unlock_request_id"))
        batch_op.drop_index(batch_op.f("ix_approval_edits_adjustment_id"))
    op.drop_table("approval_edits")
    for table in reversed(_APPROVALS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_approver_differs_from_last_editor"), type_="check")
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_edited_by_agent_id_agents"), type_="foreignkey")
            batch_op.drop_column("edited_by_agent_id")
