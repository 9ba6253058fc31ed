"""Migration 0004 on both engines: a pending adjustment edited before editors were kept gets its editors
from the audit log, so they cannot decide it after the upgrade either; decided ones are left alone."""

from __future__ import annotations

from sqlalchemy import text

from console import schema
from console.db import make_engine

_ROWS = """
INSERT INTO assets (code, name, scale) VALUES ('CNY', 'Chinese yuan', 2);
INSERT INTO agents (id, username, display_name, role, password_hash, created_at) VALUES
  (1, 'ann', 'Ann', 'agent', 'x', '2026-12-01 08:00:00'),
  (2, 'sam', 'Sam', 'supervisor', 'x', '2026-12-01 08:00:00'),
  (3, 'kim', 'Kim', 'supervisor', 'x', '2026-12-01 08:00:00');
INSERT INTO customers (id, account_number, full_name, name_pinyin, name_initials, region, status, created_at)
  VALUES (1, 'OK00000001', 'Li Na', 'lina', 'ln', 'CN', 'active', '2026-12-01 08:00:00');
INSERT INTO transactions (id, customer_id, asset_code, kind, method, status, amount, reference, created_at)
  VALUES (1, 1, 'CNY', 'withdrawal', 'bank_transfer', 'completed', 59000, 'W-1', '2026-12-01 08:00:00');
INSERT INTO disputes (id, customer_id, transaction_id, opened_by_agent_id, asset_code, claimed_amount, description,
                      status, opened_at, updated_at)
  VALUES (1, 1, 1, 1, 'CNY', 500, 'fee', 'awaiting_approval', '2026-12-01 08:00:00', '2026-12-01 08:00:00');
INSERT INTO adjustments (id, dispute_id, customer_id, asset_code, amount, reason, status, requested_by_agent_id,
                         requested_at, idempotency_key, version)
  VALUES (1, 1, 1, 'CNY', 400, 'fee', 'pending', 1, '2026-12-01 08:00:00', 'k-pending', 3),
         (2, 1, 1, 'CNY', 300, 'fee', 'rejected', 1, '2026-12-01 08:00:00', 'k-decided', 2);
INSERT INTO audit_events (id, seq, occurred_at, actor, actor_agent_id, action, subject_type, subject_id, details,
                          prev_hash, hash) VALUES
  (1, 1, '2026-12-01 08:01:00', 'sam', 2, 'adjustment.edit', 'adjustment', '1', '{}', 'h0', 'h1'),
  (2, 2, '2026-12-01 08:02:00', 'kim', 3, 'adjustment.edit', 'adjustment', '1', '{}', 'h1', 'h2'),
  (3, 3, '2026-12-01 08:03:00', 'sam', 2, 'adjustment.edit', 'adjustment', '2', '{}', 'h2', 'h3'),
  (4, 4, '2026-12-01 08:04:00', 'sam', 2, 'dispute.update', 'dispute', '1', '{}', 'h3', 'h4');
"""


def test_pending_adjustments_edited_before_the_upgrade_keep_their_editors(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url, "0003")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for statement in _ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        schema.upgrade(empty_db_url)
        with engine.connect() as connection:
            edits = connection.execute(
                text("SELECT adjustment_id, agent_id, version FROM approval_edits ORDER BY id")
            ).all()
            last = dict(connection.execute(text("SELECT id, edited_by_agent_id FROM adjustments")).all())
    finally:
        engine.dispose()
    assert [tuple(edit) for edit in edits] == [(1, 2, 3), (1, 3, 3)]
    assert last == {1: 3, 2: None}
