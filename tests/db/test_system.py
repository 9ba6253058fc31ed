"""describe_database on both engines: the facts the home screen shows are the database's own."""

from __future__ import annotations

from pathlib import Path

from console import schema
from console.db import Database, open_database
from console.keys import KeyRing
from console.services.system import describe_database


def test_a_migrated_database_is_described_as_up_to_date(database: Database) -> None:
    info = describe_database(database)
    assert info.dialect == database.dialect
    assert info.revision == schema.head_revision() == info.head
    assert info.up_to_date
    assert info.customers == 0


def test_the_url_shown_never_carries_the_password(database: Database) -> None:
    info = describe_database(database)
    password = database.engine.url.password
    if password:
        assert password not in info.url
    assert info.url == database.url


def test_a_database_without_the_schema_is_described_not_crashed_on(tmp_path: Path) -> None:
    empty = open_database(f"sqlite:///{tmp_path / 'empty.db'}", KeyRing.generate())
    try:
        info = describe_database(empty)
    finally:
        empty.dispose()
    assert info.revision is None and info.customers is None
    assert not info.up_to_date
