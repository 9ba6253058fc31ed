"""Verified state belongs to one caller on one live call: attacks on the gate by changing the customer,
the order of steps and the clock, each called straight at the services as a careless agent would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from console.services import adjustments, codes, tickets, verification
from console.services.context import Actor, OnCall
from console.services.gate import NotVerified
from console.services.tickets import WrapUp
from models import Dispute, Ticket
from tests.security.test_gate_on_every_action import ANY_VERIFIED, HIGH_RISK, _withdrawal
from tests.support.world import World

CALLER_A = "locked_password_failures"
CUSTOMER_B = "delayed_withdrawal"  # the tables' actions work on this customer's withdrawal
EVERY_ACTION = {**ANY_VERIFIED, **HIGH_RISK}


def _repoint(w: World, ticket_id: int, case: str, username: str = "lina") -> tickets.TicketView:
    version = w.ticket(ticket_id).version
    return tickets.update_ticket(
        w.sessions,
        OnCall(agent_id=w.agent(username), now=w.now, ticket_id=ticket_id, customer_id=w.customer(case)),
        version,
    )


@pytest.mark.parametrize("action", sorted(EVERY_ACTION))
def test_a_verified_ticket_pointed_at_another_customer_opens_nothing_of_theirs(world: World, action: str) -> None:
    ticket = world.verified_call(CALLER_A, reason="deposit_withdrawal")
    view = _repoint(world, ticket, CUSTOMER_B)
    assert view.verification_ended and view.customer_id == world.customer(CUSTOMER_B)
    with pytest.raises(NotVerified, match=r"^Caller not verified"):
        EVERY_ACTION[action](
            world, ticket, world.agent("lina"), world.customer(CUSTOMER_B), _withdrawal(world), world.now
        )


def test_an_adjustment_for_another_customers_dispute_is_refused_after_a_repoint(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CALLER_A, reason="statement_dispute")
    _repoint(w, ticket, "dispute_open")
    with w.sessions() as session:
        dispute_id = session.scalar(select(Dispute.id).where(Dispute.customer_id == w.customer("dispute_open")))
    assert dispute_id is not None
    with pytest.raises(NotVerified):
        adjustments.propose_adjustment(
            w.sessions,
            {"CNY": "5000", "USD": "700", "USDT": "700"},
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
            dispute_id,
            "1",
            "system error",
            "attack-1",
        )


def test_the_first_caller_is_no_longer_served_on_a_ticket_that_names_someone_else(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CALLER_A)
    _repoint(w, ticket, CUSTOMER_B)
    with pytest.raises(NotVerified, match="not your call with this customer"):
        verification.reveal_field(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CALLER_A)),
            "phone",
        )


def test_the_gate_compares_the_verified_customer_even_when_the_ticket_was_changed_behind_its_back(
    world_each_engine: World,
) -> None:
    # Whatever moves a ticket to another customer (a future screen, a raw UPDATE), the verified state
    # still names the customer who passed the code, and the gate holds it to that one.
    w = world_each_engine
    ticket = w.verified_call(CALLER_A)
    with w.sessions.begin() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket).values(customer_id=w.customer(CUSTOMER_B)))
    with pytest.raises(NotVerified, match="another customer than the one who passed the code"):
        verification.reveal_field(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CUSTOMER_B)),
            "phone",
        )
    status = verification.verification_status(w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket))
    assert not status.verified


def test_another_customer_becomes_verified_only_by_passing_a_code_of_their_own(world: World) -> None:
    ticket = world.verified_call(CALLER_A, reason="deposit_withdrawal")
    _repoint(world, ticket, CUSTOMER_B)
    lina, b = world.agent("lina"), world.customer(CUSTOMER_B)
    sent = codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=b),
        "sms",
        "verify",
    )
    outcome = codes.check_code(
        world.sessions,
        world.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket),
        world.last_code(CUSTOMER_B),
    )
    assert outcome.verified
    ANY_VERIFIED["statement"](world, ticket, lina, b, _withdrawal(world), world.now)
    assert world.ticket(ticket).verified_customer_id == b


def test_repointing_an_unverified_ticket_is_not_reported_as_ending_verification(world: World) -> None:
    ticket = world.open_ticket(CALLER_A)
    assert not _repoint(world, ticket, CUSTOMER_B).verification_ended


def test_a_pending_ticket_reopened_later_is_a_new_call_that_needs_a_new_code(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CUSTOMER_B, reason="deposit_withdrawal")
    lina, b = w.agent("lina"), w.customer(CUSTOMER_B)
    # The follow-up puts the ticket on pending during the call ...
    ANY_VERIFIED["withdrawal follow-up"](w, ticket, lina, b, _withdrawal(w), w.now)
    assert w.ticket(ticket).status.value == "pending"
    # ... and when it is reopened for the callback, whoever is on the line has passed nothing yet.
    tickets.reopen_ticket(w.sessions, OnCall(agent_id=lina, now=w.later(minutes=3), ticket_id=ticket))
    with pytest.raises(NotVerified, match="verify the caller with a code first"):
        ANY_VERIFIED["statement"](w, ticket, lina, b, _withdrawal(w), w.later(minutes=4))


def test_a_ticket_wrapped_up_for_follow_up_and_reopened_needs_a_new_code(world: World) -> None:
    ticket = world.verified_call(CUSTOMER_B, reason="deposit_withdrawal")
    lina, b = world.agent("lina"), world.customer(CUSTOMER_B)
    answer = WrapUp("follow_up", 60, 10, follow_up_due=world.later(days=1).date())
    tickets.wrap_up(world.sessions, OnCall(agent_id=lina, now=world.later(minutes=1), ticket_id=ticket), answer)
    tickets.reopen_ticket(world.sessions, OnCall(agent_id=lina, now=world.later(minutes=2), ticket_id=ticket))
    with pytest.raises(NotVerified):
        ANY_VERIFIED["statement"](world, ticket, lina, b, _withdrawal(world), world.later(minutes=3))


def test_a_verification_lasts_at_most_60_minutes_however_busy_the_call(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CUSTOMER_B, reason="deposit_withdrawal")
    lina, b = w.agent("lina"), w.customer(CUSTOMER_B)
    statement = ANY_VERIFIED["statement"]
    for minutes in range(10, 61, 10):  # busy all along: never 15 minutes idle
        statement(w, ticket, lina, b, _withdrawal(w), w.later(minutes=minutes))
    with pytest.raises(NotVerified, match="over 60 minutes ago"):
        statement(w, ticket, lina, b, _withdrawal(w), w.later(minutes=60, seconds=1))
    assert not verification.verification_status(
        w.sessions, OnCall(agent_id=lina, now=w.later(minutes=61), ticket_id=ticket)
    ).verified


def test_a_verification_on_a_ticket_with_no_customer_yet_names_that_customer(world: World) -> None:
    lina = world.agent("lina")
    ticket = tickets.open_ticket(world.sessions, Actor(agent_id=lina, now=world.now), None, "other").ticket_id
    b = world.customer(CUSTOMER_B)
    verification.start_verification(
        world.sessions, OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=b)
    )
    sent = codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=b),
        "sms",
        "verify",
    )
    codes.check_code(
        world.sessions,
        world.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket),
        world.last_code(CUSTOMER_B),
    )
    row = world.ticket(ticket)
    assert (row.customer_id, row.verified_customer_id) == (b, b)


def test_wrap_up_clears_whom_the_ticket_was_verified_for(world: World) -> None:
    ticket = world.verified_call(CALLER_A)
    tickets.wrap_up(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.later(minutes=1), ticket_id=ticket),
        WrapUp("resolved", 30, 5),
    )
    row = world.ticket(ticket)
    assert (row.verified_at, row.verified_factor, row.verified_customer_id) == (None, None, None)


def test_the_verified_customer_is_recorded_in_the_audit_of_a_repoint(world: World) -> None:
    from models import AuditEvent

    ticket = world.verified_call(CALLER_A)
    _repoint(world, ticket, CUSTOMER_B)
    with world.sessions() as session:
        details = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "ticket.update").order_by(AuditEvent.seq.desc())
        ).first()
    assert details is not None and '"verification_ended":true' in details
    assert f'"previous_customer":{world.customer(CALLER_A)}' in details


def test_a_verification_counts_from_the_code_not_from_the_ticket(world: World) -> None:
    # 50 minutes into an unverified call the caller passes a code: they have the full hour from then.
    lina, b = world.agent("lina"), world.customer(CUSTOMER_B)
    ticket = world.open_ticket(CUSTOMER_B, reason="deposit_withdrawal")
    at = world.later(minutes=50)
    sent = codes.send_code(
        world.sessions, world.keyring, OnCall(agent_id=lina, now=at, ticket_id=ticket, customer_id=b), "sms", "verify"
    )
    assert codes.check_code(
        world.sessions,
        world.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=at, ticket_id=ticket),
        world.last_code(CUSTOMER_B),
    ).verified
    ANY_VERIFIED["statement"](world, ticket, lina, b, _withdrawal(world), at + timedelta(minutes=14))
