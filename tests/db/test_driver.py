"""Statements run on the driver inside a command's transaction (`console.services.driver`): values go in
and come out as SQLAlchemy would convert them, on both engines; what a plan cannot carry is refused
when it is built; a driver's error is SQLAlchemy's; the engine's listeners see every statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from console.db import Database
from console.services.disputes import move_dispute
from console.services.driver import plan, run
from console.services.system import explain_failure
from models import Dispute, DisputeStatus, OutboxChannel, OutboxMessage
from tests.support.statements import statements
from tests.support.world import World

AT = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
NEW_MESSAGE = insert(OutboxMessage)
MESSAGES_TO = select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.created_at, OutboxMessage.attempts).where(
    OutboxMessage.recipient == bindparam("recipient")
)
ANOTHER_TRY = (
    update(OutboxMessage)
    .where(OutboxMessage.recipient == bindparam("to"))
    .values(attempts=OutboxMessage.attempts + 1)
    .returning(OutboxMessage.attempts)
)


def _message(recipient: str, channel: OutboxChannel = OutboxChannel.SMS) -> dict[str, object]:
    return {
        "channel": channel,
        "recipient": recipient,
        "customer_id": None,
        "kind": "test",
        "subject": None,
        "body": "hello",
        "created_at": AT,
        "attempts": 0,
    }


def test_values_written_on_the_driver_read_back_as_sqlalchemy_converts_them(database: Database) -> None:
    with database.sessions.begin() as session:
        run(session, NEW_MESSAGE, _message("+8613800000001", OutboxChannel.EMAIL))
        # The enum and the time come back converted, through the driver and through the ORM alike.
        (message_id, channel, created_at, attempts) = run(session, MESSAGES_TO, {"recipient": "+8613800000001"}).one()
        assert (channel, created_at.replace(tzinfo=UTC), attempts) == (OutboxChannel.EMAIL, AT, 0)
    with database.sessions() as session:
        stored = session.get(OutboxMessage, message_id)
        assert stored is not None
        assert (stored.channel, stored.created_at.replace(tzinfo=UTC)) == (OutboxChannel.EMAIL, AT)


def test_a_list_of_parameter_sets_runs_once_each_and_literals_stay_in_the_statement(database: Database) -> None:
    with database.sessions.begin() as session:
        run(session, NEW_MESSAGE, [_message("+8613800000002"), _message("+8613800000002")])
        moved = run(session, ANOTHER_TRY, {"to": "+8613800000002"})  # "+ 1" is a value the statement holds
        assert sorted(moved.rows) == [(1,), (1,)] and moved.rowcount == 2
        assert len(run(session, MESSAGES_TO, {"recipient": "+8613800000002"}).rows) == 2


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "postgres"])
def test_a_plan_refuses_what_it_would_silently_lose(dialect: object) -> None:
    without_time = frozenset(_message("x")) - {"created_at"}
    with pytest.raises(ValueError, match="Python defaults"):
        plan(dialect, NEW_MESSAGE, without_time)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="IN list"):
        plan(dialect, select(OutboxMessage.id).where(OutboxMessage.kind.in_(["a", "b"])), frozenset())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs the parameter"):
        plan(dialect, MESSAGES_TO, frozenset())  # type: ignore[arg-type]


def test_a_driver_error_is_sqlalchemy_s_and_the_transaction_rolls_back(database: Database) -> None:
    with pytest.raises(IntegrityError) as refused, database.sessions.begin() as session:
        run(session, NEW_MESSAGE, _message("+8613800000003"))
        session.connection().exec_driver_sql("SELECT 1")  # the same transaction, through SQLAlchemy
        run(session, NEW_MESSAGE, {**_message("+8613800000003"), "channel": None})  # NOT NULL
    assert "parameters hidden" in str(refused.value)  # a command's values are personal
    with database.sessions() as session:
        assert run(session, MESSAGES_TO, {"recipient": "+8613800000003"}).rows == []


def test_the_engine_s_listeners_see_every_statement(database: Database) -> None:
    with statements(database) as sent, database.sessions.begin() as session:
        run(session, NEW_MESSAGE, _message("+8613800000004"))
        run(session, MESSAGES_TO, {"recipient": "+8613800000004"})
    driver_sent = [statement for statement in sent if "outbox_messages" in statement]
    assert len(driver_sent) == 2 and driver_sent[0].startswith("INSERT INTO outbox_messages")


def test_a_dispute_saved_by_someone_else_since_it_was_read_is_a_stale_edit_and_nothing_is_written(
    world_each_engine: World,
) -> None:
    """A dispute's status is written on the driver, version checked as the ORM checks it."""
    w = world_each_engine
    with w.sessions() as session:
        dispute_id = session.scalar(select(Dispute.id).where(Dispute.customer_id == w.customer("dispute_open")))
    assert dispute_id is not None
    with pytest.raises(StaleDataError), w.sessions.begin() as session:
        seen = session.get(Dispute, dispute_id)
        assert seen is not None
        # Another agent's save lands after this one read the dispute (as a statement the ORM does not see).
        session.connection().execute(
            update(Dispute).where(Dispute.id == dispute_id).values(version=Dispute.version + 1)
        )
        move_dispute(session, seen, DisputeStatus.INVESTIGATING, None, "late", w.now)
    with w.sessions() as session:
        fresh = session.get(Dispute, dispute_id)
        assert fresh is not None and fresh.status != DisputeStatus.INVESTIGATING


def test_a_connection_lost_under_a_command_is_thrown_out_and_said_in_words(database: Database) -> None:
    with pytest.raises(DBAPIError) as lost, database.sessions.begin() as session:
        run(session, MESSAGES_TO, {"recipient": "+8613800000005"})
        session.connection().connection.dbapi_connection.close()  # type: ignore[union-attr]
        run(session, MESSAGES_TO, {"recipient": "+8613800000005"})
    assert lost.value.connection_invalidated
    assert "nothing was changed" in explain_failure(lost.value)
    with database.sessions() as session:  # the pool hands out a working connection again
        assert run(session, MESSAGES_TO, {"recipient": "+8613800000005"}).rows == []
