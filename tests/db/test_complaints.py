"""A complaint escalated to a supervisor, called as the services: only a complaint, only once, only by the
agent on its call; the queue's source lists it until a supervisor other than the escalator resolves it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.seed.demo import DEMO_ACCOUNTS
from console.services import complaints
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, InvalidInput, Refused
from console.services.outbox import recent_messages
from models import AuditEvent, Feedback, TicketNote
from tests.db.test_feedback import CASE, OTHER, on_call, record
from tests.support.world import World


def _queue(w: World, **delta: float) -> list[complaints.EscalatedComplaintView]:
    with w.sessions() as session:
        return complaints.escalated_complaints(session, w.later(**delta))


def _events(w: World) -> int:
    with w.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_an_escalated_complaint_waits_in_the_queue_with_who_when_and_a_one_line_summary(world: World) -> None:
    call = on_call(world)
    made = record(world, call, "complaint", "fees", "Charged twice\nfor one   withdrawal; " + "wants money back " * 8)
    escalated = complaints.escalate_complaint(world.sessions, call, made.feedback_id, "Caller asks for a supervisor.")
    assert escalated.escalation is not None
    assert (escalated.escalation.escalated_by, escalated.escalation.escalated_at) == ("lina", call.now)
    assert escalated.escalation.resolved_by is None
    mine = [item for item in _queue(world, minutes=12) if item.id == made.feedback_id]
    (item,) = mine
    assert (item.requested_by, item.requested_at, item.waited) == ("lina", call.now, timedelta(minutes=12))
    assert item.version == escalated.version and item.reason == "Caller asks for a supervisor."
    assert item.account_masked is not None and item.account_masked.startswith("OK••••")
    assert item.summary.startswith("Complaint about fees: Charged twice for one withdrawal; wants money back")
    assert "\n" not in item.summary and len(item.summary) <= len("Complaint about fees: ") + 60
    with world.sessions() as session:
        notes = session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == call.ticket_id)).all()
    assert notes[-1] == f"Complaint F{made.feedback_id} escalated to a supervisor: Caller asks for a supervisor."


def test_only_a_complaint_is_escalated(world: World) -> None:
    call = on_call(world)
    praise = record(world, call, "praise", "support", "Kind agent.")
    before = _events(world)
    with pytest.raises(Refused, match="Only a complaint goes to a supervisor; this feedback is praise"):
        complaints.escalate_complaint(world.sessions, call, praise.feedback_id, "Wants to say thanks to a manager.")
    assert _events(world) == before
    with world.sessions() as session:
        assert session.get(Feedback, praise.feedback_id).escalated_at is None


def test_a_complaint_is_escalated_only_once(world: World) -> None:
    call = on_call(world)
    made = record(world, call)
    complaints.escalate_complaint(world.sessions, call, made.feedback_id, "Asks for a supervisor.")
    before = _events(world)
    with pytest.raises(Conflict, match="lina already escalated this complaint at"):
        complaints.escalate_complaint(world.sessions, call.at(world.later(minutes=1)), made.feedback_id, "Again.")
    assert _events(world) == before


def test_only_the_agent_on_the_call_escalates_and_only_from_that_call(world: World) -> None:
    call = on_call(world)
    made = record(world, call)
    marcus = on_call(world, username="marcus")
    with pytest.raises(Refused, match="belongs to another agent"):
        complaints.escalate_complaint(
            world.sessions, OnCall(marcus.agent_id, world.now, call.ticket_id, call.customer_id), made.feedback_id, "x"
        )
    with pytest.raises(Refused, match="recorded on another call"):
        complaints.escalate_complaint(world.sessions, marcus, made.feedback_id, "Asks for a supervisor.")
    with pytest.raises(InvalidInput, match="Write down why this complaint needs a supervisor"):
        complaints.escalate_complaint(world.sessions, call, made.feedback_id, "  ")
    assert all(item.id != made.feedback_id for item in _queue(world))


def _escalated(w: World, username: str = "lina") -> tuple[OnCall, int, int]:
    call = on_call(w, OTHER, username=username)
    made = record(w, call, "complaint", "transfers", "A transfer took three days.")
    view = complaints.escalate_complaint(w.sessions, call, made.feedback_id, "Wants compensation.")
    return call, view.feedback_id, view.version


def test_a_supervisor_resolves_it_and_it_leaves_the_queue(world_each_engine: World) -> None:
    w = world_each_engine
    call, feedback_id, version = _escalated(w)
    chenjing = Actor(w.typed_password("chenjing", w.later(minutes=30)), w.later(minutes=30))
    w.typed_password("admin")
    resolved = complaints.resolve_complaint(w.sessions, chenjing, feedback_id, version, "Refunded the fee.")
    assert resolved.escalation is not None
    assert (resolved.escalation.resolved_by, resolved.escalation.resolved_at, resolved.escalation.resolution) == (
        "chenjing",
        w.later(minutes=30),
        "Refunded the fee.",
    )
    assert resolved.status == "new"  # the department still moves the feedback itself
    assert all(item.id != feedback_id for item in _queue(w))
    with pytest.raises(Conflict, match="chenjing already resolved this complaint"):
        complaints.resolve_complaint(w.sessions, Actor(w.agent("admin"), w.now), feedback_id, resolved.version, "x")
    with w.sessions() as session:
        notes = session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == call.ticket_id)).all()
    assert notes[-1] == f"Complaint F{feedback_id} resolved by chenjing: Refunded the fee."
    # The caller is told that a supervisor looked at it (not the internal reason).
    (told,) = recent_messages(w.sessions, w.keyring.fernet(), DEMO_ACCOUNTS[OTHER].account_number, limit=1)
    assert f"主管已审阅您的投诉 F{feedback_id}" in told.body  # 汪薇, a mainland customer
    assert "Refunded the fee" not in told.body


def test_the_supervisor_who_escalated_it_cannot_resolve_it(world: World) -> None:
    _, feedback_id, version = _escalated(world, username="chenjing")  # a supervisor taking calls
    world.typed_password("chenjing")
    world.typed_password("admin")
    before = _events(world)
    with pytest.raises(Refused, match="You escalated this complaint; another supervisor must resolve it"):
        complaints.resolve_complaint(
            world.sessions, Actor(world.agent("chenjing"), world.now), feedback_id, version, "x"
        )
    assert _events(world) == before
    complaints.resolve_complaint(world.sessions, Actor(world.agent("admin"), world.now), feedback_id, version, "Done.")


def test_an_agent_a_stale_version_or_feedback_never_escalated_is_refused(world: World) -> None:
    _, feedback_id, version = _escalated(world)
    world.typed_password("chenjing")
    with pytest.raises(Refused, match="Only a supervisor or admin can resolve escalated complaints"):
        complaints.resolve_complaint(world.sessions, Actor(world.agent("marcus"), world.now), feedback_id, version, "x")
    chenjing = Actor(world.agent("chenjing"), world.now)
    with pytest.raises(Conflict, match="changed since you opened it"):
        complaints.resolve_complaint(world.sessions, chenjing, feedback_id, version - 1, "Refunded.")
    with pytest.raises(InvalidInput, match="Write down what was decided"):
        complaints.resolve_complaint(world.sessions, chenjing, feedback_id, version, "")
    plain = record(world, on_call(world, CASE))
    with pytest.raises(Refused, match="was not escalated"):
        complaints.resolve_complaint(world.sessions, chenjing, plain.feedback_id, plain.version, "Nothing to do.")
