"""Property: whatever adjustments, approvals and reversals run, every balance equals the sum of its entries."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.services import adjustments
from console.services import disputes as d
from console.services.context import Actor, OnCall
from console.services.money import balance_of, format_amount, ledger_mismatches
from models import PaymentMethod, Transaction, TransactionKind, TransactionStatus
from tests.support.world import World

CASE = "two_factor_off"
SCALE = 6  # USDT
THRESHOLDS = {"USDT": "30"}
_EXAMPLES = itertools.count()

# An operation: adjust by an amount (and, when it waits for approval, approve or reject it), or
# reverse the n-th posted adjustment so far.
adjust = st.tuples(st.just("adjust"), st.integers(1, 50 * 10**SCALE), st.booleans())
reverse = st.tuples(st.just("reverse"), st.integers(0, 20), st.just(False))


def _statement_row(w: World, customer_id: int, at: object) -> int:
    with w.sessions.begin() as session:
        row = Transaction(
            customer_id=customer_id,
            asset_code="USDT",
            kind=TransactionKind.FEE,
            method=PaymentMethod.INTERNAL,
            status=TransactionStatus.COMPLETED,
            amount=100 * 10**SCALE,
            fee=0,
            reference=f"FEE-{uuid.uuid4().hex[:10]}",
            created_at=at,
        )
        session.add(row)
        session.flush()
        return row.id


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.one_of(adjust, reverse), min_size=1, max_size=8))
def test_random_adjustments_and_reversals_keep_every_balance_equal_to_its_entries(
    world_each_engine: World, operations: list[tuple[str, int, bool]]
) -> None:
    w = world_each_engine
    # Each example is its own call, 20 minutes after the last, so code-send limits never bite.
    example = next(_EXAMPLES)
    minutes = 20 * example
    ticket = w.verified_call(CASE, reason="statement_dispute", minutes=minutes)
    now = w.later(minutes=minutes)
    lina, chenjing, customer = w.agent("lina"), w.agent("chenjing"), w.customer(CASE)
    with w.sessions() as session:
        start = balance_of(session, customer, "USDT")
    posted: list[d.AdjustmentView] = []
    expected = 0
    w.typed_password("chenjing", now)
    for step, (kind, number, approve) in enumerate(operations):
        if kind == "adjust":
            row = _statement_row(w, customer, now)
            dispute = d.open_dispute(
                w.sessions,
                OnCall(agent_id=lina, now=now, ticket_id=ticket, customer_id=customer),
                row,
                format_amount(number, SCALE),
                "wrong fee",
            )
            made = adjustments.propose_adjustment(
                w.sessions,
                THRESHOLDS,
                OnCall(agent_id=lina, now=now, ticket_id=ticket),
                dispute.dispute_id,
                format_amount(number, SCALE),
                "fee refund",
                f"p-{example}-{step}",
            ).adjustment
            if made.awaiting_approval:
                decide = adjustments.approve_adjustment if approve else adjustments.reject_adjustment
                made = decide(w.sessions, Actor(chenjing, now), made.adjustment_id, made.version, "reviewed")
            if made.status == "applied":
                posted.append(made)
                expected += number
        elif posted:
            undone = posted.pop(number % len(posted))
            adjustments.reverse_adjustment(
                w.sessions, Actor(agent_id=chenjing, now=now), undone.adjustment_id, "posted in error"
            )
            expected -= undone.amount
    with w.sessions() as session:
        assert ledger_mismatches(session) == []
        assert balance_of(session, customer, "USDT") == start + expected
