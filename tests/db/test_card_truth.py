"""What the card shows once a caller is verified, from the services: the balances per asset (refused
until verified, and for anyone but the call's own caller), and when the verified state ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from console.services.balances import caller_balances
from console.services.context import OnCall
from console.services.gate import NotVerified
from console.services.verification import verification_status
from models import AuditEvent, Balance
from tests.support.world import World

CASE = "wrong_fee"


def call(world: World, ticket: int, case: str = CASE, username: str = "lina", **delta: float) -> OnCall:
    return OnCall(world.agent(username), world.later(**delta), ticket, world.customer(case))


def test_balances_are_refused_before_the_caller_passes_a_factor(world: World) -> None:
    ticket = world.open_ticket(CASE)
    with pytest.raises(NotVerified):
        caller_balances(world.sessions, call(world, ticket))


def test_balances_list_every_asset_held_once_verified_and_the_view_is_audited(world: World) -> None:
    ticket = world.verified_call(CASE)
    lines = caller_balances(world.sessions, call(world, ticket, minutes=1))
    with world.sessions() as session:
        rows = session.execute(
            select(Balance.asset_code, Balance.amount).where(Balance.customer_id == world.customer(CASE))
        ).all()
        held = {code: amount for code, amount in rows}
        audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "balances.view")).all()
    assert {line.asset_code: line.amount for line in lines} == held and held
    assert [line.asset_code for line in lines] == sorted(held)
    assert all(line.amount_text.endswith(f" {line.asset_code}") for line in lines)
    assert [event.subject_id for event in audited] == [str(world.customer(CASE))]


def test_balances_of_another_customer_are_refused_on_a_verified_call(world: World) -> None:
    ticket = world.verified_call(CASE)
    other = OnCall(world.agent("lina"), world.later(minutes=1), ticket, world.customer("delayed_withdrawal"))
    with pytest.raises(NotVerified):
        caller_balances(world.sessions, other)


def test_balances_are_refused_on_another_agents_call(world: World) -> None:
    ticket = world.verified_call(CASE)
    with pytest.raises(NotVerified):
        caller_balances(world.sessions, call(world, ticket, username="marcus", minutes=1))


def test_balances_are_refused_after_15_idle_minutes(world: World) -> None:
    ticket = world.verified_call(CASE)
    with pytest.raises(NotVerified):
        caller_balances(world.sessions, call(world, ticket, minutes=16))


def test_the_status_says_when_verified_state_ends_idle_or_60_minutes_after_the_factor(world: World) -> None:
    ticket = world.verified_call(CASE)
    status = verification_status(world.sessions, call(world, ticket, minutes=2))
    assert status.verified and status.factor == "sms"
    assert status.ends_at == world.now + timedelta(minutes=15)  # idle since the factor
    assert status.fresh_until == world.now + timedelta(minutes=5)
    # Busy every 10 minutes: the 60-minute cap comes first in the end.
    for minutes in range(10, 60, 10):
        caller_balances(world.sessions, call(world, ticket, minutes=minutes))
    late = verification_status(world.sessions, call(world, ticket, minutes=55))
    assert late.verified and late.ends_at == world.now + timedelta(minutes=60)
    assert late.fresh_until is None


def test_the_statement_shows_a_posted_adjustment_as_a_line_with_its_dispute(world: World) -> None:
    from console.services.adjustments import propose_adjustment
    from console.services.disputes import open_dispute
    from console.services.statement import statement

    ticket = world.verified_call(CASE, reason="statement_dispute")
    first = statement(world.sessions, call(world, ticket)).rows
    disputed = next(row for row in first if row.kind == "withdrawal" and row.amount == 500_000_000)
    assert disputed.dispute_id is None
    dispute = open_dispute(world.sessions, call(world, ticket), disputed.transaction_id, "4", "Fee above schedule.")
    made = propose_adjustment(
        world.sessions, {"USDT": "1000"}, call(world, ticket, seconds=1), dispute.dispute_id, "4", "Fee", "key-1"
    )
    assert not made.awaiting_approval
    rows = statement(world.sessions, call(world, ticket, seconds=2)).rows
    # Newest first: the adjustment's own line, naming the dispute it settles; the disputed row names it too.
    assert (rows[0].kind, rows[0].amount_text, rows[0].dispute_id) == (
        "adjustment",
        "4.000000 USDT",
        dispute.dispute_id,
    )
    assert next(row for row in rows if row.transaction_id == disputed.transaction_id).dispute_id == dispute.dispute_id
    assert len(rows) == len(first) + 1


def test_an_adjustment_waiting_for_a_supervisor_is_not_on_the_statement(world: World) -> None:
    from console.services.adjustments import propose_adjustment
    from console.services.disputes import open_dispute
    from console.services.statement import statement

    ticket = world.verified_call(CASE, reason="statement_dispute")
    first = statement(world.sessions, call(world, ticket)).rows
    row = next(row for row in first if row.kind == "withdrawal" and row.amount == 500_000_000)
    dispute = open_dispute(world.sessions, call(world, ticket), row.transaction_id, "4", "Fee above schedule.")
    made = propose_adjustment(
        world.sessions, {"USDT": "3"}, call(world, ticket, seconds=1), dispute.dispute_id, "4", "Fee", "key-2"
    )
    assert made.awaiting_approval
    assert len(statement(world.sessions, call(world, ticket, seconds=2)).rows) == len(first)
