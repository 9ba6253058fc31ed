"""Keyed audit chain and append-only guards against REPLACE (filled in by the audit work).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:41:00+00:00
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
