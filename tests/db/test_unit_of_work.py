"""The unit of work every service command runs in: it commits or rolls back as one, runs again when the
engine says the transaction lost a race, turns a stale edit into a plain-words conflict, refuses a
disabled agent, and signs audit events as the acting agent at the command's time."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from console.services.context import Actor
from console.services.errors import AgentDisabled, Conflict, NotFound, Refused
from console.services.unit_of_work import UnitOfWork, run_command, unit_of_work
from models import Agent, AuditEvent, TicketNote
from tests.support.world import World


def test_an_audit_event_is_signed_as_the_acting_agent_at_the_commands_time(world: World) -> None:
    lina = world.agent("lina")
    ticket = world.open_ticket("locked_password_failures")
    with unit_of_work(world.sessions, Actor(lina, world.now), doing="test") as uow:
        uow.record("test.action", "ticket", ticket, {"why": "spec"})
    with world.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (event.actor, event.actor_agent_id, event.action) == ("lina", lina, "test.action")
    assert event.occurred_at == world.now


def test_a_refusal_inside_the_block_rolls_back_everything_it_wrote(world: World) -> None:
    lina = world.agent("lina")
    ticket = world.open_ticket("locked_password_failures")
    with pytest.raises(Refused), unit_of_work(world.sessions, Actor(lina, world.now), doing="test") as uow:
        uow.note(ticket, "written, then refused")
        uow.session.flush()
        raise Refused("no")
    with world.sessions() as session:
        assert session.scalar(select(TicketNote).where(TicketNote.body == "written, then refused")) is None


def test_a_stale_edit_becomes_the_commands_conflict_in_plain_words(world: World) -> None:
    with (
        pytest.raises(Conflict, match="Someone else changed this ticket"),
        unit_of_work(world.sessions, Actor(world.agent("lina"), world.now), stale="Someone else changed this ticket."),
    ):
        raise StaleDataError("UPDATE statement on table 'tickets' expected to update 1 row(s); 0 were matched.")


def test_a_disabled_agent_is_refused_before_the_command_runs(world: World) -> None:
    lina = world.agent("lina")
    with world.sessions.begin() as session:
        session.execute(update(Agent).where(Agent.id == lina).values(disabled=True))
    with pytest.raises(AgentDisabled), unit_of_work(world.sessions, Actor(lina, world.now), doing="test"):
        pytest.fail("the block ran for a disabled agent")


def test_the_agents_own_ticket_is_one_rule(world: World) -> None:
    ticket = world.open_ticket("locked_password_failures", username="lina")
    with unit_of_work(world.sessions, Actor(world.agent("lina"), world.now), doing="test") as uow:
        assert uow.own_ticket(ticket).id == ticket
    with (
        pytest.raises(Refused, match="belongs to another agent"),
        unit_of_work(world.sessions, Actor(world.agent("chenjing"), world.now), doing="test") as uow,
    ):
        uow.own_ticket(ticket)
    with (
        pytest.raises(NotFound),
        unit_of_work(world.sessions, Actor(world.agent("lina"), world.now), doing="test") as uow,
    ):
        uow.own_ticket(10**9)


def test_a_command_that_lost_a_race_runs_again_from_the_start(world: World) -> None:
    tries: list[int] = []

    def work(uow: UnitOfWork) -> str:
        tries.append(uow.agent.id)
        if len(tries) < 3:
            raise OperationalError("INSERT ...", {}, Exception("database is locked"))
        return uow.agent.username

    assert run_command(world.sessions, Actor(world.agent("lina"), world.now), work, doing="test") == "lina"
    assert len(tries) == 3


def test_the_audit_events_are_appended_last_in_the_order_recorded(world: World) -> None:
    """The chain's lock (PostgreSQL) is taken by the append: after everything else the command does, so
    every writer on the floor waits for it only as long as the appends and the commit take."""
    lina = world.agent("lina")
    ticket = world.open_ticket("locked_password_failures")
    sent: list[str] = []

    def watch(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement.split()[0] + " " + statement.split()[2 if statement.startswith("INSERT") else 1])

    engine = world.sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", watch)
    try:
        with unit_of_work(world.sessions, Actor(lina, world.now), doing="test") as uow:
            uow.record("test.first", "ticket", ticket)
            uow.note(ticket, "after the first event")
            uow.record("test.second", "ticket", ticket)
            uow.session.flush()
            uow.session.scalar(select(TicketNote.id).limit(1))  # the command goes on reading
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    first_audit = next(n for n, statement in enumerate(sent) if "audit_events" in statement)
    assert "INSERT ticket_notes" in sent[:first_audit] and "SELECT ticket_notes.id" in sent[:first_audit]
    with world.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert actions == ["test.second", "test.first"]
