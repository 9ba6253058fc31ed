"""The head revision the console checks at start (without Alembic) is Alembic's own head."""

from __future__ import annotations

from console import schema, schema_check


def test_the_console_s_head_revision_is_the_newest_migration() -> None:
    # A new migration fails here until console/schema_check.py HEAD_REVISION names it.
    assert schema.head_revision() == schema_check.HEAD_REVISION
