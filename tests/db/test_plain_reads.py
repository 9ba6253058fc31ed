"""Hot-path reads on the driver (the caller lookup): the pool's connections are left as found, and a
driver's error is SQLAlchemy's, explained in words like any other."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, literal, select, text
from sqlalchemy.exc import DBAPIError

from console.db import Database, open_database
from console.services.plain_reads import PlainReads, engine_of
from console.services.system import explain_failure
from models import Customer

BY_ID = select(Customer.id, Customer.status).where(Customer.id == bindparam("customer_id"))


def test_rows_come_back_as_the_driver_gives_them_and_the_connection_is_left_as_found(
    database: Database, floor_customer_id: int
) -> None:
    engine = engine_of(database.read_sessions)
    assert engine is not None
    with database.sessions() as session:
        status = session.get(Customer, floor_customer_id).status.value  # type: ignore[union-attr]
    for _ in range(3):  # the same pooled connection, again and again
        with PlainReads(engine) as reads:
            assert reads.rows(BY_ID, {"customer_id": floor_customer_id}) == [(floor_customer_id, status)]
    # A write transaction on the same pool still begins and rolls back as before (PostgreSQL's
    # autocommit was put back; SQLite's BEGIN IMMEDIATE still taken).
    with database.sessions.begin() as session:
        session.execute(text("UPDATE customers SET region = region WHERE id = :id"), {"id": floor_customer_id})
        if database.dialect == "postgresql":
            assert session.connection().connection.driver_connection.autocommit is False


def test_a_driver_error_is_sqlalchemy_s_and_the_agent_reads_a_sentence(empty_db_url: str) -> None:
    database = open_database(empty_db_url)  # no schema: the table is not there
    engine = engine_of(database.read_sessions)
    assert engine is not None
    try:
        with PlainReads(engine) as reads, pytest.raises(DBAPIError) as raised:
            reads.rows(BY_ID, {"customer_id": 1})
        assert "nothing was changed" in explain_failure(raised.value)
        assert "parameters hidden" in str(raised.value)  # as everywhere: a lookup's values are personal
    finally:
        database.dispose()


def test_a_named_parameter_must_come_from_the_caller(database: Database) -> None:
    engine = engine_of(database.read_sessions)
    assert engine is not None
    with PlainReads(engine) as reads:
        assert reads.rows(select(literal(7)), {}) == [(7,)]  # a value the statement holds is sent with it
        with pytest.raises(ValueError, match="from the caller"):
            reads.rows(select(Customer.id).where(Customer.id == bindparam("customer_id", value=1)), {})


@pytest.fixture
def floor_customer_id(database: Database) -> int:
    from tests.support.call_floor import build_call_floor

    return next(iter(build_call_floor(database).values()))
