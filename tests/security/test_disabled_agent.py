"""A disabled agent can do nothing: every service, called directly with their id, refuses them from the
one check that loads the acting agent, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from console.services import (
    adjustments,
    calls,
    codes,
    customers,
    disputes,
    lookup,
    security_review,
    tickets,
    unlocks,
    verification,
)
from console.services.agents import disable_agent
from console.services.errors import AgentDisabled, Refused
from console.services.tickets import WrapUp
from models import AuditEvent, Dispute, IncomingCall
from tests.security.test_gate_on_every_action import ANY_VERIFIED, HIGH_RISK, _withdrawal
from tests.support.world import World

CASE = "delayed_withdrawal"

# (world, ticket, agent, customer) -> call, for everything an agent does on and around a call.
CALL_WORK: dict[str, Callable[[World, int, int, int], Any]] = {
    "take a call": lambda w, t, a, c: calls.claim_call(w.sessions, _waiting_call(w), a, now=w.now),
    "see the call queue": lambda w, t, a, c: calls.waiting_calls(w.sessions, a),
    "open a ticket": lambda w, t, a, c: tickets.open_ticket(w.sessions, a, c, now=w.now),
    "change the ticket": lambda w, t, a, c: tickets.update_ticket(
        w.sessions, t, a, w.ticket(t).version, reason="other", now=w.now
    ),
    "save a draft": lambda w, t, a, c: tickets.save_draft(w.sessions, t, a, "typing", now=w.now),
    "read a draft": lambda w, t, a, c: tickets.load_draft(w.sessions, t, a),
    "add a note": lambda w, t, a, c: tickets.add_note(w.sessions, t, a, "a note", now=w.now),
    "read notes": lambda w, t, a, c: tickets.ticket_notes(w.sessions, t, a),
    "list my tickets": lambda w, t, a, c: tickets.my_tickets(w.sessions, a),
    "wrap up": lambda w, t, a, c: tickets.wrap_up(w.sessions, t, a, WrapUp("resolved", 1, 1), now=w.now),
    "reopen": lambda w, t, a, c: tickets.reopen_ticket(w.sessions, t, a, now=w.now),
    "look up a caller": lambda w, t, a, c: lookup.find_customers(w.database.read_sessions, "马超", agent_id=a),
    "see a customer card": lambda w, t, a, c: customers.customer_card(w.sessions, a, c, t, now=w.now),
    "start verification": lambda w, t, a, c: verification.start_verification(w.sessions, t, a, c, w.now),
    "send a code": lambda w, t, a, c: codes.send_code(w.sessions, w.keyring, t, a, c, "sms", "verify", w.now),
    "check an authenticator code": lambda w, t, a, c: codes.check_totp(w.sessions, w.keyring, t, a, c, "123456", w.now),
    "see verification status": lambda w, t, a, c: verification.verification_status(w.sessions, t, a, w.now),
    "record advice": lambda w, t, a, c: security_review.record_advice(w.sessions, t, a, ["strong_password"], w.now),
}


def _waiting_call(w: World) -> int:
    with w.sessions() as session:
        call_id = session.scalar(select(IncomingCall.id).where(IncomingCall.claimed_by_agent_id.is_(None)))
    assert call_id is not None
    return call_id


def _audit_count(w: World) -> int:
    with w.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("action", sorted(CALL_WORK))
def test_a_disabled_agent_is_refused_everything_on_a_call(world: World, action: str) -> None:
    ticket = world.verified_call(CASE, reason="deposit_withdrawal")
    calls.record_incoming_call(world.sessions, "+86 138 0013 8000", now=world.now)
    disable_agent(world.sessions, "lina")
    before = _audit_count(world)
    with pytest.raises(AgentDisabled, match="disabled by an admin"):
        CALL_WORK[action](world, ticket, world.agent("lina"), world.customer(CASE))
    assert _audit_count(world) == before


@pytest.mark.parametrize("action", sorted(ANY_VERIFIED.keys() | HIGH_RISK.keys()))
def test_a_disabled_agent_cannot_act_on_a_caller_they_verified(world: World, action: str) -> None:
    ticket = world.verified_call(CASE, reason="deposit_withdrawal")
    disable_agent(world.sessions, "lina")
    with pytest.raises(AgentDisabled):
        {**ANY_VERIFIED, **HIGH_RISK}[action](
            world, ticket, world.agent("lina"), world.customer(CASE), _withdrawal(world), world.now
        )


def test_a_disabled_supervisor_decides_nothing(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call("locked_risk")
    request = unlocks.request_unlock(
        w.sessions, ticket, w.agent("lina"), w.customer("locked_risk"), "Caller explains the deposits", w.now
    )
    disable_agent(w.sessions, "chenjing")
    chenjing = w.agent("chenjing")
    with pytest.raises(AgentDisabled):
        unlocks.approve_unlock(w.sessions, chenjing, request.request_id, request.version, "looks fine", w.now)
    with pytest.raises(AgentDisabled):
        unlocks.reject_unlock(w.sessions, chenjing, request.request_id, request.version, "no", w.now)
    with pytest.raises(AgentDisabled):
        unlocks.lift_verification_lockout(w.sessions, chenjing, ticket, "caller was locked out", w.now)
    with w.sessions() as session:
        dispute = session.scalars(select(Dispute)).first()
        assert dispute is not None
    with pytest.raises(AgentDisabled):
        disputes.start_investigation(w.sessions, chenjing, dispute.id, dispute.version, "checking", w.now)
    with pytest.raises(AgentDisabled):
        unlocks.pending_unlock_requests(w.sessions, chenjing)
    with pytest.raises(AgentDisabled):
        adjustments.pending_adjustments(w.sessions, chenjing)
    assert [r.status for r in w.pending_unlock_requests("locked_risk")] == ["pending"]


def test_only_supervisors_see_the_escalation_queue(world: World) -> None:
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        unlocks.pending_unlock_requests(world.sessions, world.agent("lina"))
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        adjustments.pending_adjustments(world.sessions, world.agent("lina"))
