"""Four eyes: who edited an adjustment or unlock request (filled in by the approvals work).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:42:00+00:00
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
