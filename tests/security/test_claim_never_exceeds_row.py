"""A dispute's claim never exceeds its statement row, when opened or edited; an adjustment never exceeds
the claim or the row, when proposed, edited or approved (the claim may have been lowered meanwhile)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from console.services import adjustments
from console.services import disputes as d
from console.services.context import Actor, OnCall
from console.services.errors import InvalidInput, Refused
from models import AuditEvent, Transaction, TransactionKind
from tests.support.world import World

CASE = "wrong_fee"  # a USDT withdrawal of 500 charged a 5 USDT fee: the row is 505 USDT with its fee
APPROVAL_FOR_ALL = {"USDT": "0"}


def _withdrawal_of_500(w: World) -> int:
    with w.sessions() as session:
        return session.scalar(
            select(Transaction.id).where(
                Transaction.customer_id == w.customer(CASE),
                Transaction.kind == TransactionKind.WITHDRAWAL,
                Transaction.amount == 500 * 10**6,
            )
        )


def _open(w: World, ticket: int, claimed: str) -> d.DisputeView:
    return d.open_dispute(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CASE)),
        _withdrawal_of_500(w),
        claimed,
        "Charged 5 USDT; the schedule says 1 USDT.",
    )


def test_opening_a_dispute_with_a_claim_above_its_statement_row_is_refused(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    with pytest.raises(InvalidInput, match=r"more than the statement row \(505.000000 USDT with its fee\)"):
        _open(w, ticket, "4999.99")
    assert _open(w, ticket, "505").claimed_amount == 505 * 10**6  # the whole row with its fee is the limit


def test_editing_a_claim_above_its_statement_row_is_refused_and_changes_nothing(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _open(w, ticket, "4")
    with pytest.raises(InvalidInput, match="more than the statement row"):
        d.update_dispute(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
            dispute.dispute_id,
            dispute.version,
            claimed_amount_text="4999.99",
            description="The caller now says more.",
        )
    (after,) = d.caller_disputes(
        w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CASE))
    )
    assert (after.claimed_amount, after.version, after.description) == (4_000_000, dispute.version, dispute.description)
    with w.sessions() as session:
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "dispute.update")) is None
    # Nor can an adjustment then reach past the row through the refused claim.
    with pytest.raises(InvalidInput, match="more than the caller claimed"):
        adjustments.propose_adjustment(
            w.sessions,
            APPROVAL_FOR_ALL,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
            dispute.dispute_id,
            "4999.99",
            "Refund.",
            "k-row",
        )


def test_adjustment_above_a_claim_lowered_after_it_was_proposed_is_refused_at_approval(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _open(w, ticket, "4")
    proposed = adjustments.propose_adjustment(
        w.sessions,
        APPROVAL_FOR_ALL,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
        dispute.dispute_id,
        "4",
        "Fee charged above the schedule.",
        "k-lowered",
    ).adjustment
    assert proposed.status == "pending"
    current = d.dispute_for_supervisor(w.sessions, w.agent("chenjing"), dispute.dispute_id)
    d.update_dispute(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.later(minutes=1), ticket_id=ticket),
        dispute.dispute_id,
        current.version,
        claimed_amount_text="3",
    )
    (seen,) = d.dispute_for_supervisor(w.sessions, w.agent("chenjing"), dispute.dispute_id).adjustments
    w.typed_password("chenjing", w.later(minutes=2))
    with pytest.raises(Refused, match=r"4.000000 USDT is more than the caller claimed \(3.000000 USDT\)"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=2)),
            seen.adjustment_id,
            seen.version,
            "ok",
        )
    assert w.adjustment_entries(CASE) == []
    edited = adjustments.edit_adjustment(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.later(minutes=3), ticket_id=ticket),
        seen.adjustment_id,
        seen.version,
        "3",
        "Only 3 USDT is claimed now.",
    ).adjustment
    approved = adjustments.approve_adjustment(
        w.sessions,
        Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=4)),
        edited.adjustment_id,
        edited.version,
        "ok",
    )
    assert (approved.status, w.adjustment_entries(CASE)) == ("applied", [3_000_000])


def test_editing_an_adjustment_above_the_claim_is_refused(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _open(world, ticket, "4")
    pending = adjustments.propose_adjustment(
        world.sessions,
        APPROVAL_FOR_ALL,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket),
        dispute.dispute_id,
        "4",
        "Fee charged above the schedule.",
        "k-edit",
    ).adjustment
    with pytest.raises(InvalidInput, match="more than the caller claimed"):
        adjustments.edit_adjustment(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket),
            pending.adjustment_id,
            pending.version,
            "4.000001",
            "A little more.",
        )
    (still,) = d.dispute_for_supervisor(world.sessions, world.agent("chenjing"), dispute.dispute_id).adjustments
    assert (still.amount, still.version) == (4_000_000, pending.version)


def test_adjustment_never_exceeds_the_statement_row_even_when_an_old_claim_does(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _open(w, ticket, "4")
    with w.sessions.begin() as session:  # a claim saved before claims were capped at the row
        session.execute(
            text("UPDATE disputes SET claimed_amount = 4999990000 WHERE id = :id"), {"id": dispute.dispute_id}
        )
    with pytest.raises(InvalidInput, match=r"more than the statement row \(505.000000 USDT with its fee\)"):
        adjustments.propose_adjustment(
            w.sessions,
            APPROVAL_FOR_ALL,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
            dispute.dispute_id,
            "4999.99",
            "Refund.",
            "k-old",
        )
    assert w.adjustment_entries(CASE) == []
