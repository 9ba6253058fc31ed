"""The gate is in the services: every action on a caller's account, called directly, refuses an
unverified caller, and the high-risk ones refuse a factor older than 5 minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from console.services import (
    balances,
    contact_changes,
    disputes,
    security_review,
    statement,
    unlocks,
    verification,
    withdrawals,
)
from console.services.context import OnCall
from console.services.gate import NotVerified
from models import Transaction, TransactionKind
from tests.support.world import World

CASE = "delayed_withdrawal"

# Each action as (ticket, agent, customer, withdrawal id, now) -> call. The arguments after the
# gate's are valid, so the gate is the only thing that can refuse.
Action = Callable[[World, int, int, int, int, datetime], Any]

ANY_VERIFIED: dict[str, Action] = {
    "statement": lambda w, t, a, c, x, now: statement.statement(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c)
    ),
    "withdrawal detail": lambda w, t, a, c, x, now: withdrawals.withdrawal_detail(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c), x
    ),
    "withdrawal follow-up": lambda w, t, a, c, x, now: withdrawals.follow_up_withdrawal(
        w.sessions,
        OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c),
        x,
        now + timedelta(days=2),
        (now + timedelta(days=2)).date(),
        "bank queue",
    ),
    "security review": lambda w, t, a, c, x, now: security_review.security_review(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c)
    ),
    "open dispute": lambda w, t, a, c, x, now: disputes.open_dispute(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c), x, "10", "late"
    ),
    "caller's disputes": lambda w, t, a, c, x, now: disputes.caller_disputes(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c)
    ),
    "balances": lambda w, t, a, c, x, now: balances.caller_balances(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c)
    ),
}

HIGH_RISK: dict[str, Action] = {
    "reveal": lambda w, t, a, c, x, now: verification.reveal_field(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c), "phone"
    ),
    "contact change": lambda w, t, a, c, x, now: contact_changes.change_contact(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c), "email", "new.address@example.com"
    ),
    "unlock": lambda w, t, a, c, x, now: unlocks.unlock_account(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c), "verified"
    ),
    "unlock request": lambda w, t, a, c, x, now: unlocks.request_unlock(
        w.sessions, OnCall(agent_id=a, now=now, ticket_id=t, customer_id=c), "verified"
    ),
}


def _withdrawal(w: World) -> int:
    customer = w.customer(CASE)
    with w.sessions() as session:
        return session.scalars(
            select(Transaction.id).where(
                Transaction.customer_id == customer, Transaction.kind == TransactionKind.WITHDRAWAL
            )
        ).first()


@pytest.mark.parametrize("action", sorted(ANY_VERIFIED.keys() | HIGH_RISK.keys()))
def test_every_account_action_refuses_a_caller_not_verified_on_this_call(world: World, action: str) -> None:
    ticket = world.open_ticket(CASE, reason="deposit_withdrawal")
    call = {**ANY_VERIFIED, **HIGH_RISK}[action]
    with pytest.raises(NotVerified, match=r"^Caller not verified"):
        call(world, ticket, world.agent("lina"), world.customer(CASE), _withdrawal(world), world.now)


@pytest.mark.parametrize("action", sorted(HIGH_RISK))
def test_high_risk_actions_refuse_a_factor_older_than_five_minutes(world: World, action: str) -> None:
    ticket = world.verified_call(CASE, reason="deposit_withdrawal")
    with pytest.raises(NotVerified, match="last 5 minutes"):
        HIGH_RISK[action](
            world,
            ticket,
            world.agent("lina"),
            world.customer(CASE),
            _withdrawal(world),
            world.now + timedelta(minutes=5, seconds=1),
        )


@pytest.mark.parametrize("action", sorted(ANY_VERIFIED))
def test_other_actions_pass_for_a_verified_caller_within_the_idle_limit(world: World, action: str) -> None:
    ticket = world.verified_call(CASE, reason="deposit_withdrawal")
    ANY_VERIFIED[action](
        world, ticket, world.agent("lina"), world.customer(CASE), _withdrawal(world), world.now + timedelta(minutes=10)
    )


@pytest.mark.parametrize("action", sorted(ANY_VERIFIED.keys() | HIGH_RISK.keys()))
def test_another_agents_verified_call_does_not_open_the_gate(world: World, action: str) -> None:
    marcus_call = world.verified_call(CASE, username="marcus", reason="deposit_withdrawal")
    call = {**ANY_VERIFIED, **HIGH_RISK}[action]
    with pytest.raises(NotVerified):
        call(world, marcus_call, world.agent("lina"), world.customer(CASE), _withdrawal(world), world.now)
