"""A supervisor decides only within 5 minutes of typing the password, and never what they asked for or
changed (four eyes): each rule proved by calling the deciding services directly."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.services import adjustments, unlocks
from console.services.agents import LoginRefused, authenticate, confirm_password
from console.services.context import Actor, OnCall
from console.services.decisions import decide_escalation
from console.services.errors import PasswordNeeded, Refused
from models import Agent, AuditEvent
from tests.support.desk import adjustment_waiting, locked_out, unlock_waiting
from tests.support.world import World

STALE = r"^Type your password again to .*: it was last typed more than 5 minutes ago. Nothing was changed.$"


def _typed_at(w: World, username: str):
    with w.sessions() as session:
        return session.scalar(select(Agent.password_typed_at).where(Agent.username == username))


def test_logging_in_records_when_the_password_was_typed(world: World) -> None:
    authenticate(world.sessions, "chenjing", "chenjing-demo", world.now)
    assert _typed_at(world, "chenjing") == world.now


@pytest.mark.parametrize("kind", ["adjustment", "unlock", "lockout"])
@pytest.mark.parametrize("approve", [True, False], ids=["approve", "turn down"])
def test_a_password_typed_over_5_minutes_ago_is_asked_for_again_then_the_decision_goes_through(
    world_each_engine: World, kind: str, approve: bool
) -> None:
    w = world_each_engine
    subject, version = {
        "adjustment": lambda: (lambda a: (a.adjustment_id, a.version))(adjustment_waiting(w)),
        "unlock": lambda: (lambda r: (r.request_id, r.version))(unlock_waiting(w)),
        "lockout": lambda: (locked_out(w), 1),
    }[kind]()
    chenjing = w.agent("chenjing")
    authenticate(w.sessions, "chenjing", "chenjing-demo", w.now)  # logged in at the start of the shift
    late = Actor(chenjing, w.now + timedelta(minutes=5, seconds=1))
    with pytest.raises(PasswordNeeded, match=STALE):
        decide_escalation(w.sessions, late, kind, subject, version, approve=approve, reason="Checked.")
    confirm_password(w.sessions, late, "chenjing-demo")
    done = decide_escalation(w.sessions, late, kind, subject, version, approve=approve, reason="Checked.")
    assert done.approved is approve


def test_a_supervisor_who_never_typed_the_password_since_the_upgrade_types_it_first(world: World) -> None:
    request = unlock_waiting(world)
    with pytest.raises(PasswordNeeded):
        unlocks.approve_unlock(
            world.sessions,
            Actor(agent_id=world.agent("chenjing"), now=world.now),
            request.request_id,
            request.version,
            "ok",
        )
    assert world.customer_row("locked_risk").status.value == "locked"


def test_within_5_minutes_no_password_is_asked(world: World) -> None:
    pending = adjustment_waiting(world)
    world.typed_password("chenjing", world.now)
    view = adjustments.approve_adjustment(
        world.sessions,
        Actor(agent_id=world.agent("chenjing"), now=world.now + timedelta(minutes=5)),
        pending.adjustment_id,
        pending.version,
        "ok",
    )
    assert view.status == "applied"


def test_a_wrong_password_is_refused_audited_and_counts_like_a_wrong_login(world: World) -> None:
    chenjing = Actor(world.agent("chenjing"), world.now)
    for attempt in range(1, 5):
        with pytest.raises(LoginRefused, match=r"^That is not your password\.$"):
            confirm_password(world.sessions, chenjing, "guess")
        with world.sessions() as session:
            assert session.get(Agent, chenjing.agent_id).failed_logins == attempt
    with pytest.raises(LoginRefused, match="Too many wrong passwords"):
        confirm_password(world.sessions, chenjing, "guess")
    # Locked now, like a login: even the right password is refused until the lock ends.
    with pytest.raises(LoginRefused, match="locked until"):
        confirm_password(world.sessions, chenjing, "chenjing-demo")
    with pytest.raises(LoginRefused, match="locked until"):
        authenticate(world.sessions, "chenjing", "chenjing-demo", world.now)
    assert _typed_at(world, "chenjing") is None
    with world.sessions() as session:
        failures = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.failure", AuditEvent.actor == "chenjing")
        ).all()
    details = [json.loads(event.details) for event in failures]
    assert [d["confirming"] for d in details[:5]] == [True] * 5
    assert "guess" not in " ".join(event.details for event in failures)
    confirm_password(world.sessions, chenjing.at(world.now + timedelta(minutes=16)), "chenjing-demo")
    assert _typed_at(world, "chenjing") == world.now + timedelta(minutes=16)


def test_the_right_password_is_audited(world: World) -> None:
    world.typed_password("chenjing")
    with world.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "password.confirm")).one()
    assert (event.actor, event.subject_id) == ("chenjing", str(world.agent("chenjing")))


# --- four eyes, through the queue's decisions ------------------------------------------------------


def test_the_proposer_cannot_decide_their_own_adjustment_from_the_queue(world: World) -> None:
    pending = adjustment_waiting(world, username="chenjing")
    chenjing = Actor(world.typed_password("chenjing"), world.now)
    for approve in (True, False):
        with pytest.raises(Refused, match=r"^You requested this adjustment; another supervisor must decide it\.$"):
            decide_escalation(
                world.sessions,
                chenjing,
                "adjustment",
                pending.adjustment_id,
                pending.version,
                approve=approve,
                reason="ok",
            )
    assert world.adjustment_entries("wrong_fee") == []


def test_an_editor_cannot_decide_from_the_queue_and_another_supervisor_can(world: World) -> None:
    pending = adjustment_waiting(world)
    ticket = world.verified_call("wrong_fee", username="chenjing", reason="statement_dispute", minutes=1)
    edited = adjustments.edit_adjustment(
        world.sessions,
        OnCall(agent_id=world.agent("chenjing"), now=world.later(minutes=1), ticket_id=ticket),
        pending.adjustment_id,
        pending.version,
        "3",
        "Only 3 USDT was over.",
    ).adjustment
    chenjing = Actor(world.typed_password("chenjing", world.later(minutes=2)), world.later(minutes=2))
    with pytest.raises(Refused, match=r"^You edited this adjustment; another supervisor must decide it\.$"):
        decide_escalation(
            world.sessions, chenjing, "adjustment", edited.adjustment_id, edited.version, approve=True, reason="ok"
        )
    admin = Actor(world.typed_password("admin", world.later(minutes=2)), world.later(minutes=2))
    decide_escalation(
        world.sessions, admin, "adjustment", edited.adjustment_id, edited.version, approve=True, reason="ok"
    )
    assert world.adjustment_entries("wrong_fee") == [3_000_000]


def test_the_agent_who_filed_an_unlock_cannot_decide_it_even_as_a_supervisor(world: World) -> None:
    request = unlock_waiting(world, username="chenjing")
    chenjing = Actor(world.typed_password("chenjing"), world.now)
    with pytest.raises(Refused, match=r"^You filed this unlock request; another supervisor must decide it\.$"):
        decide_escalation(
            world.sessions, chenjing, "unlock", request.request_id, request.version, approve=True, reason="ok"
        )
    assert world.customer_row("locked_risk").status.value == "locked"
