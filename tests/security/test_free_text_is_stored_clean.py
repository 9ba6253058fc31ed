"""Free text reaches the database without terminal escapes: notes, drafts, descriptions, reasons, names, contacts.

Each test types what an attacker (or a careless paste) would: ESC sequences, BEL, NUL, a C1 CSI and a
bidi override, around words, newlines and tabs that must survive.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.services import agents, contact_changes, tickets, unlocks
from console.services import disputes as d
from console.services.context import OnCall
from console.services.free_text import free_text
from models import Agent, Customer, Dispute, TicketNote, UnlockRequest
from tests.support.world import World

# ESC sequences that clear the screen and set the window title, BEL, NUL (PostgreSQL refuses it in text),
# C1 CSI, a right-to-left override and its pop; then a newline and a tab, which are kept.
HOSTILE = "Caller\x1b[2J says\x07 the \u202efee\u202c is\x00 wrong\x9b31m;\x1b]0;pwned\x07\n\tsecond line"
CLEAN = "Caller[2J says the fee is wrong31m;]0;pwned\n\tsecond line"
CONTROLS = {"\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u202c"}


def test_the_cleaning_keeps_newlines_and_tabs_and_drops_every_control() -> None:
    assert free_text(HOSTILE) == CLEAN


def _notes(w: World, ticket: int) -> list[str]:
    with w.sessions() as session:
        return list(session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == ticket)))


def test_a_note_is_stored_without_control_characters_on_both_engines(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.open_ticket("locked_password_failures")
    note = tickets.add_note(w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket), HOSTILE)
    assert note.body == CLEAN
    assert _notes(w, ticket) == [CLEAN]


def test_a_draft_is_stored_without_control_characters_on_both_engines(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.open_ticket("locked_password_failures")
    tickets.save_draft(w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket), HOSTILE)
    assert tickets.load_draft(w.sessions, ticket, w.agent("lina")) == CLEAN


def test_the_wrap_up_note_is_stored_without_control_characters(world: World) -> None:
    ticket = world.open_ticket("locked_password_failures")
    answer = tickets.WrapUp(disposition="resolved", talk_seconds=60, wrap_up_seconds=10, note=HOSTILE)
    tickets.wrap_up(world.sessions, OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket), answer)
    assert _notes(world, ticket) == [CLEAN]


def test_a_dispute_description_is_stored_without_control_characters_on_both_engines(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    case = "wrong_fee"
    ticket = w.verified_call(case, reason="statement_dispute")
    with w.sessions() as session:
        from models import Transaction, TransactionKind

        row = session.scalar(
            select(Transaction.id).where(
                Transaction.customer_id == w.customer(case), Transaction.kind == TransactionKind.WITHDRAWAL
            )
        )
    view = d.open_dispute(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case)),
        row,
        "1",
        HOSTILE,
    )
    with w.sessions() as session:
        stored = session.scalar(select(Dispute.description).where(Dispute.id == view.dispute_id))
    assert stored == CLEAN


def test_an_unlock_reason_is_stored_without_control_characters_on_both_engines(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call("locked_password_failures")
    unlocks.unlock_account(
        w.sessions,
        OnCall(
            agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer("locked_password_failures")
        ),
        HOSTILE,
    )
    (note,) = [note for note in _notes(w, ticket) if note.startswith("Account unlocked")]
    assert note.endswith(": " + CLEAN)
    assert not CONTROLS & set(note)


def test_an_unlock_request_reason_is_stored_without_control_characters(world: World) -> None:
    ticket = world.verified_call("locked_risk")
    unlocks.request_unlock(
        world.sessions,
        OnCall(
            agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer("locked_risk")
        ),
        HOSTILE,
    )
    with world.sessions() as session:
        customer = world.customer("locked_risk")
        (reason,) = session.scalars(select(UnlockRequest.reason).where(UnlockRequest.customer_id == customer)).all()
    assert reason == CLEAN


def test_an_agents_display_name_is_stored_without_control_characters_or_line_breaks(world: World) -> None:
    agents.add_agent(
        world.sessions, "mallory", "correct horse", "agent", "Mal\x1b[31mlory\u202e\x07\nRoot", now=world.now
    )
    with world.sessions() as session:
        name = session.scalar(select(Agent.display_name).where(Agent.username == "mallory"))
    assert name == "Mal[31mloryRoot"


@pytest.mark.parametrize("typed", ["new\x1b[2J@example.com", "new@exam\u202eple.com", "new@example.com\x07"])
def test_a_new_email_is_stored_without_control_characters(world: World, typed: str) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case)
    contact_changes.change_contact(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
        "email",
        typed,
    )
    with world.sessions() as session:
        email = session.scalar(select(Customer.email).where(Customer.id == world.customer(case)))
    assert email is not None and not CONTROLS & set(email)
    assert email.startswith("new") and email.endswith(".com")
