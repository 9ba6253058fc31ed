"""Hot-path reads on the driver (the caller lookup): each thread keeps its own connection, outside the
pool; the engine's disposal closes them all; a dropped one is replaced; a driver's error is
SQLAlchemy's, explained in words like any other."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import bindparam, literal, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from console.db import Database, open_database
from console.services.plain_reads import PlainReads, plain_reads_of
from console.services.system import explain_failure
from models import Customer

BY_ID = select(Customer.id, Customer.status).where(Customer.id == bindparam("customer_id"))
BACKEND = {"sqlite": select(literal(1)), "postgresql": select(text("pg_backend_pid()"))}


def reads_of(database: Database) -> PlainReads:
    reads = plain_reads_of(database.read_sessions)
    assert reads is not None
    return reads


def held(reads: PlainReads) -> Any:
    return reads._connection()


def test_rows_come_back_as_the_driver_gives_them_on_the_thread_s_own_connection(
    database: Database, floor_customer_id: int
) -> None:
    reads = reads_of(database)
    with database.sessions() as session:
        status = session.get(Customer, floor_customer_id).status.value  # type: ignore[union-attr]
    for _ in range(3):
        assert reads.rows(BY_ID, {"customer_id": floor_customer_id}) == [(floor_customer_id, status)]
    mine = held(reads)
    assert held(reads) is mine  # the same connection, read after read
    assert database.engine.pool.checkedout() == 0  # not the pool's: a write never waits for it
    # A write transaction on the pool still begins and rolls back as before (PostgreSQL's connections
    # in the pool are not autocommit; SQLite's BEGIN IMMEDIATE still taken).
    with database.sessions.begin() as session:
        session.execute(text("UPDATE customers SET region = region WHERE id = :id"), {"id": floor_customer_id})
        if database.dialect == "postgresql":
            assert session.connection().connection.driver_connection.autocommit is False

    theirs: list[Any] = []
    other = threading.Thread(target=lambda: theirs.append((reads.rows(BY_ID, {"customer_id": 0}), held(reads))))
    other.start()
    other.join()
    assert theirs[0][0] == [] and theirs[0][1] is not mine  # another thread reads on its own connection


def test_disposing_the_engine_closes_every_thread_s_connection_and_reads_go_on(
    database: Database, floor_customer_id: int
) -> None:
    reads = reads_of(database)
    reads.rows(BY_ID, {"customer_id": floor_customer_id})
    before = held(reads)
    database.dispose()
    with pytest.raises(Exception, match="closed"):
        before.cursor().execute("SELECT 1")
    assert reads.rows(BY_ID, {"customer_id": floor_customer_id})[0][0] == floor_customer_id
    assert held(reads) is not before


def test_a_connection_past_its_recycle_age_is_replaced(database: Database) -> None:
    reads = PlainReads(database.engine, recycle_s=0)
    try:
        reads.rows(BY_ID, {"customer_id": 0})
        first = reads._local.held.connection
        reads.rows(BY_ID, {"customer_id": 0})
        assert reads._local.held.connection is not first
        with pytest.raises(Exception, match="closed"):
            first.cursor().execute("SELECT 1")
    finally:
        reads.close()


@pytest.mark.postgres
def test_a_connection_the_server_dropped_is_replaced_and_the_read_goes_through(postgres_database: Database) -> None:
    # A server restart or a failover: the agent's next lookup finds the caller, not an error.
    reads = reads_of(postgres_database)
    pid = reads.rows(BACKEND["postgresql"], {})[0][0]
    dropped = held(reads)
    with postgres_database.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert reads.rows(BACKEND["postgresql"], {})[0][0] != pid
    assert dropped.closed and held(reads) is not dropped


@pytest.mark.postgres
def test_a_database_that_cannot_be_reached_is_said_in_words_and_nothing_is_retried_forever(
    postgres_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = reads_of(postgres_database)
    pid = reads.rows(BACKEND["postgresql"], {})[0][0]
    with postgres_database.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    opened: list[int] = []

    def server_gone(*_args: Any, **_kwargs: Any) -> Any:
        opened.append(1)
        raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(reads.engine, "raw_connection", server_gone)
    with pytest.raises(DBAPIError) as raised:
        reads.rows(BACKEND["postgresql"], {})
    assert opened == [1]  # one new connection tried, then the agent is told
    assert explain_failure(raised.value).startswith("The database cannot be reached; nothing was changed.")


def test_a_driver_error_is_sqlalchemy_s_and_the_agent_reads_a_sentence(empty_db_url: str) -> None:
    database = open_database(empty_db_url)  # no schema: the table is not there
    try:
        with pytest.raises(DBAPIError) as raised:
            reads_of(database).rows(BY_ID, {"customer_id": 1})
        assert "nothing was changed" in explain_failure(raised.value)
        assert "parameters hidden" in str(raised.value)  # as everywhere: a lookup's values are personal
        assert not raised.value.connection_invalidated  # a missing table is not a lost connection
    finally:
        database.dispose()


def test_a_named_parameter_must_come_from_the_caller(database: Database) -> None:
    reads = reads_of(database)
    assert reads.rows(select(literal(7)), {}) == [(7,)]  # a value the statement holds is sent with it
    with pytest.raises(ValueError, match="from the caller"):
        reads.rows(select(Customer.id).where(Customer.id == bindparam("customer_id", value=1)), {})


@pytest.fixture
def floor_customer_id(database: Database) -> int:
    from tests.support.call_floor import build_call_floor

    return next(iter(build_call_floor(database).values()))
