"""Keyed audit chain (a key id on each event, a signed head row) and append-only guards against REPLACE and upserts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:41:00+00:00

Events written before this revision keep their plain SHA-256 and no key id; `hotline audit verify`
accepts them only as the prefix before the first keyed event, whose MAC covers them through its
prev_hash. No key is needed here: the first append after the upgrade writes the head row.

Never recreate `ledger_entries` or `audit_events` on SQLite here (a batch operation that copies the
table): the copy would silently lose their append-only triggers. Adding a nullable column does not.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's REPLACE conflict resolution (INSERT OR REPLACE, REPLACE INTO) deletes the old row without
# firing DELETE triggers unless recursive_triggers is on, which an attacker's own shell will not turn
# on. So an INSERT that would collide with an existing row on its primary key or any unique column is
# refused before it starts; a plain INSERT that collides fails either way. An upsert's DO UPDATE is an
# UPDATE and meets the UPDATE trigger too. PostgreSQL has no REPLACE, and its row triggers already
# see the UPDATE of an upsert or a MERGE.
_KEYS_OF = {
    "ledger_entries": ("id", "idempotency_key"),
    "audit_events": ("id", "seq", "hash"),
}


def _create_replace_guards() -> None:
    for table, columns in _KEYS_OF.items():
        # One EXISTS per key, so each probe uses that column's own index.
        taken = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = NEW.{column})" for column in columns)
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with this key already exists'); END"
        )


def upgrade() -> None:
    # A nullable column is added in place (ALTER TABLE ADD COLUMN): the table is not copied.
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    if op.get_bind().dialect.name == "sqlite":
        _create_replace_guards()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _KEYS_OF:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    op.drop_table("audit_head")
    # Not batch mode: SQLite (3.35+) drops an unindexed column in place, keeping the table's triggers.
    op.drop_column("audit_events", "key_id")
