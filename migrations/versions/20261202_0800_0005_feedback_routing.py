"""Feedback that reaches the right department: the issue's categories and statuses, a product area, the
department as one of five, a complaint's escalation and its outcome, and every status change kept.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:00:00+00:00

Rows written before this revision are mapped as follows (and back on downgrade, as noted).

The old categories named a topic, not a kind of feedback, so the topic becomes the product area and
the kind, never recorded, becomes "other"; only a complaint says what it is:

    old category  ->  category, product area      downgrade: category from the new row
    app           ->  other, app                  complaint -> complaint; else by area:
    fees          ->  other, fees                   app -> app, fees -> fees, support -> service,
    service       ->  other, support                anything else -> other
    product       ->  other, other
    complaint     ->  complaint, other
    other         ->  other, other

    old status    ->  status                      downgrade
    new           ->  new                         new
    routed        ->  forwarded                   forwarded -> routed
    in_progress   ->  acknowledged                acknowledged -> in_progress
    closed        ->  closed                      closed

The department was free text: written in lower case with spaces and dashes as underscores, a value
naming one of the five departments keeps it; any other goes to support_operations, who triage. Each
old row gets one status-history row (from nothing to its status, by nobody, at its created_at) whose
note names the old status, since who changed it before is not known. None was escalated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

CATEGORIES = ("bug", "usability", "feature_request", "complaint", "praise", "other")
AREAS = (
    "account_login",
    "deposits_withdrawals",
    "transfers",
    "fees",
    "statements",
    "security",
    "app",
    "support",
    "other",
)
DEPARTMENTS = ("product", "engineering", "payments", "risk_and_security", "support_operations")
STATUSES = ("new", "forwarded", "acknowledged", "closed")
OLD_CATEGORIES = ("app", "fees", "service", "product", "complaint", "other")
OLD_STATUSES = ("new", "routed", "in_progress", "closed")

_NEW_STATUS = (
    "CASE status WHEN 'routed' THEN 'forwarded' WHEN 'in_progress' THEN 'acknowledged'"
    " WHEN 'closed' THEN 'closed' ELSE 'new' END"
)
_AREA_FROM_OLD_CATEGORY = (
    "CASE category WHEN 'app' THEN 'app' WHEN 'fees' THEN 'fees' WHEN 'service' THEN 'support' ELSE 'other' END"
)
_CATEGORY_FROM_OLD = "CASE category WHEN 'complaint' THEN 'complaint' ELSE 'other' END"
_OLD_CATEGORY = (
    "CASE WHEN category = 'complaint' THEN 'complaint' WHEN product_area = 'app' THEN 'app'"
    " WHEN product_area = 'fees' THEN 'fees' WHEN product_area = 'support' THEN 'service' ELSE 'other' END"
)
_OLD_STATUS = "CASE status WHEN 'forwarded' THEN 'routed' WHEN 'acknowledged' THEN 'in_progress' ELSE status END"
_NORMALIZED_DEPARTMENT = "replace(replace(lower(trim(department)), ' ', '_'), '-', '_')"


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


_ESCALATION_CHECKS = {
    "escalated_together": (
        "(escalated_by_agent_id IS NULL) = (escalated_at IS NULL)"
        " AND (escalated_at IS NULL) = (escalation_reason IS NULL)"
    ),
    "resolved_together": (
        "(escalation_resolved_by_agent_id IS NULL) = (escalation_resolved_at IS NULL)"
        " AND (escalation_resolved_at IS NULL) = (escalation_resolution IS NULL)"
        " AND (escalation_resolved_at IS NULL OR escalated_at IS NOT NULL)"
    ),
    "only_complaints_escalate": "escalated_at IS NULL OR category = 'complaint'",
    "resolver_differs_from_escalator": (
        "escalation_resolved_by_agent_id IS NULL OR escalation_resolved_by_agent_id <> escalated_by_agent_id"
    ),
}
_ESCALATION_PEOPLE = ("escalated_by_agent_id", "escalation_resolved_by_agent_id")


def upgrade() -> None:
    # Batch mode copies the table on SQLite (it has no triggers to lose, no table refers to it). First make room: the
    # old value checks go and the columns widen, so the rows can be rewritten in place.
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_feedback_feedback_category"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_feedback_feedback_status"), type_="check")
        batch_op.alter_column("category", existing_type=sa.String(length=9), type_=sa.String(length=15))
        batch_op.alter_column("status", existing_type=sa.String(length=11), type_=sa.String(length=12))
        batch_op.add_column(sa.Column("product_area", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("escalated_by_agent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("escalation_resolved_by_agent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalation_resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_resolution", sa.Text(), nullable=True))

    op.execute(
        f"UPDATE feedback SET product_area = {_AREA_FROM_OLD_CATEGORY}, category = {_CATEGORY_FROM_OLD},"
        f" status = {_NEW_STATUS}"
    )
    op.execute(f"UPDATE feedback SET department = {_NORMALIZED_DEPARTMENT}")
    op.execute(
        f"UPDATE feedback SET department = 'support_operations' WHERE NOT ({_one_of('department', DEPARTMENTS)})"
    )

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("product_area", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("department", existing_type=sa.String(length=64), type_=sa.String(length=18))
        batch_op.create_check_constraint(batch_op.f("ck_feedback_feedback_category"), _one_of("category", CATEGORIES))
        batch_op.create_check_constraint(batch_op.f("ck_feedback_feedback_status"), _one_of("status", STATUSES))
        batch_op.create_check_constraint(batch_op.f("ck_feedback_product_area"), _one_of("product_area", AREAS))
        batch_op.create_check_constraint(batch_op.f("ck_feedback_department"), _one_of("department", DEPARTMENTS))
        for name, condition in _ESCALATION_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_feedback_{name}"), condition)
        for column in _ESCALATION_PEOPLE:
            batch_op.create_foreign_key(batch_op.f(f"fk_feedback_{column}_agents"), "agents", [column], ["id"])
        batch_op.create_index(batch_op.f("ix_feedback_customer_id_created_at"), ["customer_id", "created_at"])
        batch_op.create_index(batch_op.f("ix_feedback_escalated_at"), ["escalated_at"])

    # Created after the last copy of `feedback` above: SQLite cannot drop a table that rows still refer to.
    op.create_table(
        "feedback_status_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("feedback_id", _ID, nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(*STATUSES, name="from_status", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(*STATUSES, name="to_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_feedback_status_changes_agent_id_agents")),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_feedback_status_changes_feedback_id_feedback")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_status_changes")),
    )
    with op.batch_alter_table("feedback_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_status_changes_feedback_id"), ["feedback_id"], unique=False)

    # One history row per old row, from nothing to its (new) status: who changed it before is not known.
    op.execute(
        "INSERT INTO feedback_status_changes (feedback_id, from_status, to_status, agent_id, note, changed_at)"
        " SELECT id, NULL, status, NULL,"
        f" 'Status carried over when status history began (was ' || {_OLD_STATUS} || ').', created_at"
        " FROM feedback ORDER BY id"
    )


def downgrade() -> None:
    with op.batch_alter_table("feedback_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_status_changes_feedback_id"))
    op.drop_table("feedback_status_changes")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_escalated_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_customer_id_created_at"))
        for column in reversed(_ESCALATION_PEOPLE):
            batch_op.drop_constraint(batch_op.f(f"fk_feedback_{column}_agents"), type_="foreignkey")
        for name in reversed(_ESCALATION_CHECKS):
            batch_op.drop_constraint(batch_op.f(f"ck_feedback_{name}"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_feedback_department"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_feedback_product_area"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_feedback_feedback_status"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_feedback_feedback_category"), type_="check")
        batch_op.alter_column("department", existing_type=sa.String(length=18), type_=sa.String(length=64))

    op.execute(f"UPDATE feedback SET category = {_OLD_CATEGORY}, status = {_OLD_STATUS}")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        for column in (
            "escalation_resolution",
            "escalation_resolved_at",
            "escalation_resolved_by_agent_id",
            "escalation_reason",
            "escalated_at",
            "escalated_by_agent_id",
            "product_area",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("status", existing_type=sa.String(length=12), type_=sa.String(length=11))
        batch_op.alter_column("category", existing_type=sa.String(length=15), type_=sa.String(length=9))
        batch_op.create_check_constraint(
            batch_op.f("ck_feedback_feedback_category"), _one_of("category", OLD_CATEGORIES)
        )
        batch_op.create_check_constraint(batch_op.f("ck_feedback_feedback_status"), _one_of("status", OLD_STATUSES))
