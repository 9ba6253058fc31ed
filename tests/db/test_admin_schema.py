"""The admin's schema panel on both engines: the database's revision beside the code's, and the command
that upgrades a database behind the code."""

from __future__ import annotations

from datetime import UTC, datetime

from console import schema
from console.db import open_database
from console.keys import KeyRing
from console.services import admin_system, agents
from console.services.context import Actor


def test_a_database_behind_the_code_shows_both_revisions_and_the_upgrade_command(
    db_url: str, demo_keyring: KeyRing
) -> None:
    database = open_database(db_url, demo_keyring, trust_console_clock=True)
    try:
        ada = Actor(
            agents.add_agent(database.sessions, "ada", "a-long-password", "admin", now=datetime.now(UTC)).id,
            datetime.now(UTC),
        )
        current = admin_system.schema_status(database.read_sessions, ada)
        assert (current.database_revision, current.up_to_date, current.upgrade_command) == (
            schema.head_revision(),
            True,
            None,
        )
        assert current.state == "Up to date."
        schema.downgrade(db_url, "0004")
        behind = admin_system.schema_status(database.read_sessions, ada)
    finally:
        database.dispose()
    assert (behind.database_revision, behind.code_revision) == ("0004", schema.head_revision())
    assert not behind.up_to_date
    assert behind.upgrade_command == "hotline db upgrade"
    assert behind.state.startswith("The database is behind this Hotline (0004, expected ")
