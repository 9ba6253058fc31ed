"""Wrap-up knows the call (issue 14 item 6): what was done on a ticket, read back from its rows and audit
events, and the reason it suggests while the ticket still says "other"; the agent's reason is saved."""

from __future__ import annotations

import pytest

from console.services import tickets
from console.services.adjustments import propose_adjustment
from console.services.call_summary import call_summary
from console.services.context import OnCall
from console.services.disputes import open_dispute
from console.services.errors import InvalidInput, NotFound, Refused
from console.services.feedback import record_feedback
from console.services.fees import fee_told
from console.services.statement import statement
from console.services.tickets import WrapUp
from console.services.unlocks import unlock_account
from console.settings import DEFAULT_FEEDBACK_ROUTING
from tests.support.world import World


def on_call(world: World, ticket: int, case: str, username: str = "lina", **delta: float) -> OnCall:
    return OnCall(world.agent(username), world.later(**delta), ticket, world.customer(case))


def kinds(world: World, ticket: int, username: str = "lina") -> list[str]:
    return [thing.kind for thing in call_summary(world.sessions, world.acting(username), ticket).done]


def test_a_verified_unlock_suggests_locked_account(world: World) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case, reason="other")
    unlock_account(world.sessions, on_call(world, ticket, case, seconds=30), "Caller confirmed the attempts")
    summary = call_summary(world.sessions, world.acting("lina", minutes=1), ticket)
    assert [(t.kind, t.detail) for t in summary.done] == [
        ("verified", "SMS code"),
        ("unlocked", "Too many wrong passwords"),
    ]
    assert summary.reason == "other" and summary.suggested_reason == "locked_account"
    assert summary.suggested_label == "Locked account"


def test_a_dispute_and_its_adjustment_suggest_statement_dispute(world: World) -> None:
    case = "wrong_fee"
    ticket = world.verified_call(case, reason="other")
    rows = statement(world.sessions, on_call(world, ticket, case)).rows
    row = next(r for r in rows if r.kind == "withdrawal" and r.amount == 500_000_000)
    dispute = open_dispute(world.sessions, on_call(world, ticket, case), row.transaction_id, "4", "Fee above schedule")
    propose_adjustment(
        world.sessions, {"USDT": "1000"}, on_call(world, ticket, case, seconds=1), dispute.dispute_id, "4", "Fee", "k"
    )
    summary = call_summary(world.sessions, world.acting("lina", minutes=1), ticket)
    assert [t.kind for t in summary.done] == ["verified", "dispute_opened", "adjustment_proposed"]
    assert summary.done[2].detail == f"4.000000 USDT · D{dispute.dispute_id}"
    assert summary.suggested_reason == "statement_dispute"


def test_fees_told_suggest_deposit_withdrawal_and_the_same_line_twice_is_one_thing_done(world: World) -> None:
    ticket = world.open_ticket("wrong_fee", reason="other")
    for _ in range(2):
        fee_told(world.sessions, world.acting("lina"), ticket, "on_chain", "USDT", "withdrawal")
    fee_told(world.sessions, world.acting("lina"), ticket, "bank_transfer", "CNY", "deposit")
    summary = call_summary(world.sessions, world.acting("lina"), ticket)
    assert [(t.kind, t.detail) for t in summary.done] == [
        ("fees_told", "Withdrawal · On-chain · USDT"),
        ("fees_told", "Deposit · Bank transfer · CNY"),
    ]
    assert summary.suggested_reason == "deposit_withdrawal"


def test_a_fee_told_is_noted_only_on_the_agents_own_ticket_and_for_a_line_that_exists(world: World) -> None:
    ticket = world.open_ticket("wrong_fee")
    with pytest.raises(Refused):
        fee_told(world.sessions, world.acting("marcus"), ticket, "on_chain", "USDT", "withdrawal")
    with pytest.raises(InvalidInput):
        fee_told(world.sessions, world.acting("lina"), ticket, "carrier_pigeon", "USDT", "withdrawal")
    with pytest.raises(NotFound):
        fee_told(world.sessions, world.acting("lina"), ticket, "credit_card", "BTC", "withdrawal")
    assert kinds(world, ticket) == []
    tickets.wrap_up(world.sessions, on_call(world, ticket, "wrong_fee"), WrapUp("resolved", 10, 5))
    with pytest.raises(Refused, match="closed"):
        fee_told(world.sessions, world.acting("lina"), ticket, "on_chain", "USDT", "withdrawal")


def test_a_disabled_agent_gets_no_summary(world: World) -> None:
    from console.services.errors import AgentDisabled

    ticket = world.open_ticket("wrong_fee")
    world.disable("lina")
    with pytest.raises(AgentDisabled):
        call_summary(world.sessions, world.acting("lina"), ticket)


def test_feedback_suggests_feedback(world: World) -> None:
    case = "wrong_fee"
    ticket = world.open_ticket(case, reason="other")
    record_feedback(world.sessions, DEFAULT_FEEDBACK_ROUTING, on_call(world, ticket, case), "praise", "app", "Nice app")
    summary = call_summary(world.sessions, world.acting("lina"), ticket)
    assert [t.kind for t in summary.done] == ["feedback_logged"]
    assert summary.suggested_reason == "feedback"


def test_no_suggestion_once_the_agent_chose_a_reason_and_nothing_of_another_call(world: World) -> None:
    case = "locked_password_failures"
    earlier = world.verified_call(case, reason="other")
    unlock_account(world.sessions, on_call(world, earlier, case, seconds=30), "Caller confirmed")
    chosen = world.open_ticket(case, reason="account_security")
    summary = call_summary(world.sessions, world.acting("lina", minutes=1), chosen)
    assert summary.done == () and summary.suggested_reason is None and summary.reason == "account_security"


def test_another_agents_ticket_is_refused(world: World) -> None:
    ticket = world.open_ticket("wrong_fee")
    with pytest.raises(Refused):
        call_summary(world.sessions, world.acting("marcus"), ticket)


def test_the_reason_settled_on_in_the_wrap_up_is_saved_and_an_unknown_one_refused(world: World) -> None:
    case = "wrong_fee"
    ticket = world.open_ticket(case, reason="other")
    with pytest.raises(InvalidInput):
        tickets.wrap_up(world.sessions, on_call(world, ticket, case), WrapUp("resolved", 10, 5, reason="bored"))
    assert world.ticket(ticket).status.value == "open"
    tickets.wrap_up(world.sessions, on_call(world, ticket, case), WrapUp("resolved", 10, 5, reason="feedback"))
    assert world.ticket(ticket).reason.value == "feedback"
    # Without one, the ticket keeps its reason.
    other = world.open_ticket(case, reason="deposit_withdrawal")
    tickets.wrap_up(world.sessions, on_call(world, other, case), WrapUp("resolved", 10, 5))
    assert world.ticket(other).reason.value == "deposit_withdrawal"
