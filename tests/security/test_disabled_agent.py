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
    feedback,
    lookup,
    security_review,
    tickets,
    unlocks,
    verification,
)
from console.services.context import Actor, OnCall
from console.services.errors import AgentDisabled, Refused
from console.services.tickets import WrapUp
from console.settings import DEFAULT_FEEDBACK_ROUTING
from models import AuditEvent, Dispute, IncomingCall
from tests.security.test_gate_on_every_action import ANY_VERIFIED, HIGH_RISK, _withdrawal
from tests.support.world import World

CASE = "delayed_withdrawal"

# (world, ticket, agent, customer) -> call, for everything an agent does on and around a call.
CALL_WORK: dict[str, Callable[[World, int, int, int], Any]] = {
    "take a call": lambda w, t, a, c: calls.claim_call(w.sessions, _waiting_call(w), Actor(agent_id=a, now=w.now)),
    "see the call queue": lambda w, t, a, c: calls.waiting_calls(w.sessions, a),
    "open a ticket": lambda w, t, a, c: tickets.open_ticket(w.sessions, Actor(agent_id=a, now=w.now), c),
    "change the ticket": lambda w, t, a, c: tickets.update_ticket(
        w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t), w.ticket(t).version, reason="other"
    ),
    "save a draft": lambda w, t, a, c: tickets.save_draft(
        w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t), "typing"
    ),
    "read a draft": lambda w, t, a, c: tickets.load_draft(w.sessions, t, a),
    "add a note": lambda w, t, a, c: tickets.add_note(w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t), "a note"),
    "read notes": lambda w, t, a, c: tickets.ticket_notes(w.sessions, t, a),
    "list my tickets": lambda w, t, a, c: tickets.my_tickets(w.sessions, a),
    "wrap up": lambda w, t, a, c: tickets.wrap_up(
        w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t), WrapUp("resolved", 1, 1)
    ),
    "reopen": lambda w, t, a, c: tickets.reopen_ticket(w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t)),
    "look up a caller": lambda w, t, a, c: lookup.find_customers(w.database.read_sessions, "马超", agent_id=a),
    "see a customer card": lambda w, t, a, c: customers.customer_card(w.sessions, Actor(agent_id=a, now=w.now), c, t),
    "start verification": lambda w, t, a, c: verification.start_verification(
        w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t, customer_id=c)
    ),
    "send a code": lambda w, t, a, c: codes.send_code(
        w.sessions, w.keyring, OnCall(agent_id=a, now=w.now, ticket_id=t, customer_id=c), "sms", "verify"
    ),
    "check an authenticator code": lambda w, t, a, c: codes.check_totp(
        w.sessions, w.keyring, OnCall(agent_id=a, now=w.now, ticket_id=t, customer_id=c), "123456"
    ),
    "see verification status": lambda w, t, a, c: verification.verification_status(
        w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t)
    ),
    "record advice": lambda w, t, a, c: security_review.record_advice(
        w.sessions, OnCall(agent_id=a, now=w.now, ticket_id=t), ["strong_password"]
    ),
    "record feedback": lambda w, t, a, c: feedback.record_feedback(
        w.sessions, DEFAULT_FEEDBACK_ROUTING, OnCall(a, w.now, t, c), "praise", "support", "Kind agent."
    ),
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
    world.disable("lina")
    before = _audit_count(world)
    with pytest.raises(AgentDisabled, match="disabled by an admin"):
        CALL_WORK[action](world, ticket, world.agent("lina"), world.customer(CASE))
    assert _audit_count(world) == before


@pytest.mark.parametrize("action", sorted(ANY_VERIFIED.keys() | HIGH_RISK.keys()))
def test_a_disabled_agent_cannot_act_on_a_caller_they_verified(world: World, action: str) -> None:
    ticket = world.verified_call(CASE, reason="deposit_withdrawal")
    world.disable("lina")
    with pytest.raises(AgentDisabled):
        {**ANY_VERIFIED, **HIGH_RISK}[action](
            world, ticket, world.agent("lina"), world.customer(CASE), _withdrawal(world), world.now
        )


def test_a_disabled_supervisor_decides_nothing(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call("locked_risk")
    request = unlocks.request_unlock(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer("locked_risk")),
        "Caller explains the deposits",
    )
    w.disable("chenjing")
    chenjing = w.agent("chenjing")
    with pytest.raises(AgentDisabled):
        unlocks.approve_unlock(
            w.sessions, Actor(agent_id=chenjing, now=w.now), request.request_id, request.version, "looks fine"
        )
    with pytest.raises(AgentDisabled):
        unlocks.reject_unlock(
            w.sessions, Actor(agent_id=chenjing, now=w.now), request.request_id, request.version, "no"
        )
    with pytest.raises(AgentDisabled):
        unlocks.lift_verification_lockout(
            w.sessions, Actor(agent_id=chenjing, now=w.now), ticket, "caller was locked out"
        )
    with w.sessions() as session:
        dispute = session.scalars(select(Dispute)).first()
        assert dispute is not None
    with pytest.raises(AgentDisabled):
        disputes.start_investigation(
            w.sessions, Actor(agent_id=chenjing, now=w.now), dispute.id, dispute.version, "checking"
        )
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
