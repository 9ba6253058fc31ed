"""Things waiting on the supervisor's desk, made as agents make them on the console: an adjustment over
the threshold, an unlock request for a risk lock, and a caller locked out of verification."""

from __future__ import annotations

from sqlalchemy import select

from console.seed.demo import DEMO_ACCOUNTS
from console.services import adjustments, codes, unlocks
from console.services import disputes as d
from console.services.context import Actor, OnCall
from console.services.escalations import EscalationItem
from models import Transaction, TransactionKind
from tests.support.world import World

FEE = "wrong_fee"  # a 500 USDT withdrawal charged a 5 USDT fee: the adjustment
RISK = "locked_risk"  # locked by risk rules: the unlock request
LOCKED_OUT = "two_factor_off"  # five wrong codes: the lockout


def withdrawal_of_500(w: World) -> int:
    with w.sessions() as session:
        return session.scalar(
            select(Transaction.id).where(
                Transaction.customer_id == w.customer(FEE),
                Transaction.kind == TransactionKind.WITHDRAWAL,
                Transaction.amount == 500 * 10**6,
            )
        )


def adjustment_waiting(w: World, minutes: float = 0, username: str = "lina") -> d.AdjustmentView:
    """`username` proposes 4 USDT on a dispute about the wrong fee, over a 1 USDT threshold."""
    at = w.later(minutes=minutes)
    ticket = w.verified_call(FEE, username=username, reason="statement_dispute", minutes=minutes)
    agent = w.agent(username)
    dispute = d.open_dispute(
        w.sessions,
        OnCall(agent_id=agent, now=at, ticket_id=ticket, customer_id=w.customer(FEE)),
        withdrawal_of_500(w),
        "4",
        "Fee.",
    )
    pending = adjustments.propose_adjustment(
        w.sessions,
        {"USDT": "1"},
        OnCall(agent_id=agent, now=at, ticket_id=ticket),
        dispute.dispute_id,
        "4",
        "Fee above the schedule.",
        "k-esc",
    ).adjustment
    assert pending.awaiting_approval
    return pending


def unlock_waiting(w: World, minutes: float = 0, username: str = "lina") -> unlocks.UnlockRequestView:
    ticket = w.verified_call(RISK, username=username, minutes=minutes)
    return unlocks.request_unlock(
        w.sessions,
        OnCall(
            agent_id=w.agent(username), now=w.later(minutes=minutes), ticket_id=ticket, customer_id=w.customer(RISK)
        ),
        "Caller explains the deposits.",
    )


def locked_out(w: World, minutes: float = 0, username: str = "marcus", case: str = LOCKED_OUT) -> int:
    """`username`'s caller (`case`) reads out five wrong codes; the ticket where it happened."""
    at = w.later(minutes=minutes)
    agent, customer = w.agent(username), w.customer(case)
    ticket = w.open_ticket(case, username=username)
    sent = codes.send_code(
        w.sessions, w.keyring, OnCall(agent_id=agent, now=at, ticket_id=ticket, customer_id=customer), "sms", "verify"
    )
    for _ in range(codes.MAX_FAILURES):
        codes.check_code(
            w.sessions,
            w.keyring,
            sent.challenge_id,
            OnCall(agent_id=agent, now=at, ticket_id=ticket),
            w.wrong(w.last_code(case)),
        )
    return ticket


def supervisor(w: World, username: str = "chenjing", minutes: float = 0) -> Actor:
    """A supervisor at the console `minutes` from now, who typed their password just then."""
    return Actor(w.typed_password(username, w.later(minutes=minutes)), w.later(minutes=minutes))


def mine(w: World, items: list[EscalationItem]) -> list[EscalationItem]:
    """The items of this test's three customers (the demo's own desk waits too)."""
    accounts = {DEMO_ACCOUNTS[case].account_number for case in (FEE, RISK, LOCKED_OUT)}
    return [item for item in items if item.account_number in accounts]
