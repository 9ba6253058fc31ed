"""Migration 0005 on both engines: feedback written before it gets the new categories, a product area,
the new statuses, one of the five departments and one history row; a downgrade maps them back."""

from __future__ import annotations

from sqlalchemy import text

from console import schema
from console.db import make_engine

_ROWS = """
INSERT INTO agents (id, username, display_name, role, password_hash, created_at) VALUES
  (1, 'ann', 'Ann', 'agent', 'x', '2026-12-01 08:00:00');
INSERT INTO customers (id, account_number, full_name, name_pinyin, name_initials, region, status, created_at)
  VALUES (1, 'OK00000001', 'Li Na', 'lina', 'ln', 'CN', 'active', '2026-12-01 08:00:00');
INSERT INTO feedback (id, customer_id, agent_id, category, department, body, status, created_at, version) VALUES
  (1, 1, 1, 'app', 'Product', 'The app logs me out.', 'new', '2026-12-01 08:01:00', 1),
  (2, 1, 1, 'fees', 'payments', 'Fees are too high.', 'routed', '2026-12-01 08:02:00', 2),
  (3, 1, 1, 'service', 'Support Operations', 'Kind agent.', 'in_progress', '2026-12-01 08:03:00', 3),
  (4, 1, 1, 'product', 'risk-and-security', 'Wants a limit.', 'closed', '2026-12-01 08:04:00', 1),
  (5, 1, 1, 'complaint', 'customer care', 'Waited an hour.', 'new', '2026-12-01 08:05:00', 1),
  (6, 1, 1, 'other', '', 'Something else.', 'routed', '2026-12-01 08:06:00', 1);
"""

# id -> (category, product area, department, status) after the upgrade, as the revision's docstring says.
_UPGRADED = {
    1: ("other", "app", "product", "new"),
    2: ("other", "fees", "payments", "forwarded"),
    3: ("other", "support", "support_operations", "acknowledged"),
    4: ("other", "other", "risk_and_security", "closed"),
    5: ("complaint", "other", "support_operations", "new"),
    6: ("other", "other", "support_operations", "forwarded"),
}
# ... and (category, status) after going back down: the topic comes back from the area where it can.
_DOWNGRADED = {
    1: ("app", "new"),
    2: ("fees", "routed"),
    3: ("service", "in_progress"),
    4: ("other", "closed"),
    5: ("complaint", "new"),
    6: ("other", "routed"),
}


def test_feedback_written_before_the_upgrade_is_mapped_and_given_its_history(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url, "0004")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for statement in _ROWS.split(";"):
                if statement.strip():
                    connection.execute(text(statement))
        schema.upgrade(empty_db_url, "0005")
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, category, product_area, department, status, escalated_at, version"
                    " FROM feedback ORDER BY id"
                )
            ).all()
            history = connection.execute(
                text(
                    "SELECT feedback_id, from_status, to_status, agent_id, note"
                    " FROM feedback_status_changes ORDER BY feedback_id"
                )
            ).all()
        assert {row.id: (row.category, row.product_area, row.department, row.status) for row in rows} == _UPGRADED
        assert all(row.escalated_at is None for row in rows)
        assert [row.version for row in rows] == [1, 2, 3, 1, 1, 1]  # an edit in flight still meets its version
        assert [(h.feedback_id, h.from_status, h.to_status, h.agent_id) for h in history] == [
            (fid, None, status, None) for fid, (*_, status) in _UPGRADED.items()
        ]
        assert history[2].note == "Status carried over when status history began (was in_progress)."

        schema.downgrade(empty_db_url, "0004")
        with engine.connect() as connection:
            back = connection.execute(text("SELECT id, category, status FROM feedback ORDER BY id")).all()
        assert {row.id: (row.category, row.status) for row in back} == _DOWNGRADED
    finally:
        engine.dispose()
