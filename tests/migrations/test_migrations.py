"""Migrations on both engines: one head, upgrade to head, models match, every downgrade round-trips."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_alembic.tests import (  # noqa: F401  (pytest collects these built-in tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, inspect

from console import schema
from console.db import make_engine
from models import Base


@pytest.fixture
def alembic_config():
    return schema.alembic_config("sqlite://")


@pytest.fixture
def alembic_engine(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def test_downgrade_to_base_and_back_up(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    schema.downgrade(empty_db_url, "base")
    engine = make_engine(empty_db_url)
    try:
        leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert leftover == set()
    schema.upgrade(empty_db_url)
    assert schema.schema_status(empty_db_url).up_to_date
    assert schema.check(empty_db_url) is None


def test_every_model_table_exists_after_upgrade(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_revision_files_are_dated() -> None:
    files = sorted(p.name for p in schema.MIGRATIONS_DIR.joinpath("versions").glob("*.py"))
    files.remove("__init__.py")
    assert files, "no revision files"
    for name in files:
        date_part = name.split("_", 1)[0]
        assert len(date_part) == 8 and date_part.isdigit(), name


def test_every_constraint_and_index_is_named() -> None:
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"
        for index in table.indexes:
            assert index.name, f"unnamed index on {table.name}"
