"""Feedback, called as the services: recorded on the agent's own live call and routed by the rules, each
status change kept with who and when, only allowed moves on the version seen, only supervisors and
admins move it, and the card shows only this customer's feedback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.services import feedback as fb
from console.services import feedback_desk as desk
from console.services.context import Actor, OnCall
from console.services.customers import customer_card
from console.services.errors import AgentDisabled, Conflict, InvalidInput, Refused
from console.services.tickets import WrapUp, wrap_up
from console.settings import DEFAULT_FEEDBACK_ROUTING
from models import AuditEvent, Feedback, FeedbackStatusChange, TicketNote
from tests.support.world import World

CASE = "two_factor_off"  # no feedback in the demo
OTHER = "pinyin_homophone"  # nor here
ROUTING = DEFAULT_FEEDBACK_ROUTING


def on_call(w: World, case: str = CASE, username: str = "lina", **delta: float) -> OnCall:
    """A fresh, unverified ticket of `username` with the caller found: feedback needs no verification."""
    ticket = w.open_ticket(case, username=username, reason="feedback")
    return OnCall(w.agent(username), w.later(**delta), ticket, w.customer(case))


def record(
    w: World,
    call: OnCall,
    category: str = "complaint",
    area: str = "fees",
    words: str = "Charged twice for one withdrawal.",
    routing: dict[str, str] = ROUTING,
) -> fb.FeedbackView:
    return fb.record_feedback(w.sessions, routing, call, category, area, words)


def _count(w: World, model: type) -> int:
    with w.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _nothing_written(w: World) -> tuple[int, int, int]:
    return _count(w, Feedback), _count(w, FeedbackStatusChange), _count(w, AuditEvent)


# --- recording ---------------------------------------------------------------------------------


def test_feedback_is_routed_by_its_category_and_area_noted_on_the_ticket_and_audited(world: World) -> None:
    call = on_call(world)
    made = record(world, call, "complaint", "fees", "  Charged twice\nfor one withdrawal.  ")
    assert (made.category, made.product_area, made.department, made.status) == (
        "complaint",
        "fees",
        "payments",
        "new",
    )
    assert made.department_label == "Payments" and made.recorded_by == "lina" and made.recorded_at == call.now
    assert made.words == "Charged twice\nfor one withdrawal."
    assert made.customer_id == call.customer_id and made.ticket_id == call.ticket_id
    assert made.account_masked is not None and "•" in made.account_masked
    (first,) = made.history
    assert (first.from_status, first.to_status, first.changed_by, first.changed_at) == (None, "new", "lina", call.now)
    with world.sessions() as session:
        notes = session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == call.ticket_id)).all()
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "feedback.record", AuditEvent.subject_id == str(made.feedback_id)
            )
        ).one()
    assert notes == [
        f"Feedback F{made.feedback_id} (Complaint, Fees) sent to Payments: Charged twice\nfor one withdrawal."
    ]
    assert event.actor == "lina" and event.subject_id == str(made.feedback_id)
    assert "Charged" not in str(event.details)  # the caller's words stay out of the audit log


def test_the_more_specific_rule_wins_when_recording(world: World) -> None:
    rules = {**ROUTING, "complaint": "product", "complaint/app": "engineering"}
    call = on_call(world)
    assert record(world, call, "complaint", "app", routing=rules).department == "engineering"
    assert record(world, call, "complaint", "statements", routing=rules).department == "product"


def test_praise_for_the_hotline_goes_to_support_operations(world: World) -> None:
    assert record(world, on_call(world), "praise", "support", "Kind agent.").department == "support_operations"


@pytest.mark.parametrize(
    ("category", "area", "words", "problem"),
    [
        ("complaint", "fees", "   \n\t ", "Write down the caller's feedback in their words."),
        ("complaint", "fees", "\x1b\x07\u202e\x00", "Write down the caller's feedback in their words."),
        ("complaint", "fees", "x" * (fb.MAX_WORDS + 1), "Keep the caller's feedback in their words under 4,000"),
        ("grumble", "fees", "Too dear.", "Choose what kind of feedback this is."),
        ("complaint", "website", "Too dear.", "Choose which part of the wallet"),
    ],
)
def test_bad_input_is_refused_in_words_and_writes_nothing(
    world: World, category: str, area: str, words: str, problem: str
) -> None:
    call = on_call(world)
    before = _nothing_written(world)
    with pytest.raises(InvalidInput, match=problem):
        record(world, call, category, area, words)
    assert _nothing_written(world) == before


def test_another_agents_ticket_is_refused(world: World) -> None:
    marcus = on_call(world, username="marcus")
    before = _nothing_written(world)
    with pytest.raises(Refused, match="belongs to another agent"):
        record(world, OnCall(world.agent("lina"), world.now, marcus.ticket_id, marcus.customer_id))
    assert _nothing_written(world) == before


def test_a_wrapped_up_call_or_a_caller_not_on_the_ticket_is_refused(world: World) -> None:
    call = on_call(world)
    with pytest.raises(Refused, match="not for this caller"):
        record(world, call.about(world.customer(OTHER)))
    with pytest.raises(InvalidInput, match="Find the caller first"):
        record(world, call.about(None))
    wrap_up(
        world.sessions,
        call.at(world.now),
        WrapUp("resolved", 60, 10),
    )
    with pytest.raises(Refused, match="wrapped up"):
        record(world, call)


def test_markup_looking_words_are_stored_as_typed_without_control_characters(world: World) -> None:
    made = record(world, on_call(world), words="[bold red]Refund me[/] \x1b[2J$(rm -rf) [link=x]here[/link]")
    assert made.words == "[bold red]Refund me[/] [2J$(rm -rf) [link=x]here[/link]"
    with world.sessions() as session:
        assert session.get(Feedback, made.feedback_id).body == made.words


# --- status ----------------------------------------------------------------------------------


def test_each_status_change_is_kept_with_who_made_it_when_and_why(world: World) -> None:
    made = record(world, on_call(world))
    chenjing, admin = (
        Actor(world.agent("chenjing"), world.later(hours=1)),
        Actor(world.agent("admin"), world.later(hours=2)),
    )
    forwarded = desk.change_feedback_status(world.sessions, chenjing, made.feedback_id, made.version, "forwarded", "")
    acknowledged = desk.change_feedback_status(
        world.sessions, admin, made.feedback_id, forwarded.version, "acknowledged", "Payments \x1b[2Jlooking"
    )
    closed = desk.change_feedback_status(
        world.sessions, admin.at(world.later(hours=3)), made.feedback_id, acknowledged.version, "closed", "Refunded."
    )
    assert closed.status == "closed" and closed.next_statuses == ()
    assert [(c.from_status, c.to_status, c.changed_by, c.changed_at, c.note) for c in closed.history] == [
        (None, "new", "lina", world.now, None),
        ("new", "forwarded", "chenjing", world.later(hours=1), None),
        ("forwarded", "acknowledged", "admin", world.later(hours=2), "Payments [2Jlooking"),
        ("acknowledged", "closed", "admin", world.later(hours=3), "Refunded."),
    ]
    with world.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.actor)
            .where(AuditEvent.action == "feedback.status", AuditEvent.subject_id == str(made.feedback_id))
            .order_by(AuditEvent.seq)
        ).all()
    assert actions == ["chenjing", "admin", "admin"]


@pytest.mark.parametrize(
    ("path", "wrong", "problem"),
    [
        ([], "new", "This feedback is new: it can become forwarded or acknowledged or closed, not new."),
        (["acknowledged"], "forwarded", "This feedback is acknowledged: it can become closed, not forwarded."),
        (["closed"], "acknowledged", "This feedback is closed; closed feedback does not change."),
    ],
)
def test_a_move_the_rules_do_not_allow_is_refused_and_changes_nothing(
    world: World, path: list[str], wrong: str, problem: str
) -> None:
    view = record(world, on_call(world))
    chenjing = Actor(world.agent("chenjing"), world.now)
    for status in path:
        view = desk.change_feedback_status(world.sessions, chenjing, view.feedback_id, view.version, status)
    before = _nothing_written(world)
    with pytest.raises(Refused) as refusal:
        desk.change_feedback_status(world.sessions, chenjing, view.feedback_id, view.version, wrong)
    assert str(refusal.value) == problem
    assert _nothing_written(world) == before
    with pytest.raises(InvalidInput, match="Choose one of the feedback statuses"):
        desk.change_feedback_status(world.sessions, chenjing, view.feedback_id, view.version, "archived")


def test_a_change_on_a_version_someone_else_moved_on_is_refused(world_each_engine: World) -> None:
    w = world_each_engine
    made = record(w, on_call(w))
    chenjing, admin = Actor(w.agent("chenjing"), w.now), Actor(w.agent("admin"), w.now)
    desk.change_feedback_status(w.sessions, admin, made.feedback_id, made.version, "acknowledged")
    before = _nothing_written(w)
    with pytest.raises(Conflict, match="changed since you opened it"):
        desk.change_feedback_status(w.sessions, chenjing, made.feedback_id, made.version, "forwarded")
    assert _nothing_written(w) == before


def test_an_agent_cannot_change_the_status_or_see_a_departments_list(world: World) -> None:
    made = record(world, on_call(world))
    lina = Actor(world.agent("lina"), world.now)
    with pytest.raises(Refused, match="Only a supervisor or admin can change the status of feedback"):
        desk.change_feedback_status(world.sessions, lina, made.feedback_id, made.version, "forwarded")
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        desk.department_feedback(world.sessions, lina, "payments")
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        desk.waiting_by_department(world.sessions, lina)


def test_a_department_sees_what_waits_newest_first_and_not_what_is_closed(world: World) -> None:
    chenjing = Actor(world.agent("chenjing"), world.now)
    before = desk.waiting_by_department(world.sessions, chenjing)
    older = record(world, on_call(world), "complaint", "fees", "Older.")
    newer = record(world, on_call(world, OTHER, minutes=5), "complaint", "transfers", "Newer.")
    closed = record(world, on_call(world, minutes=6), "complaint", "fees", "Closed one.")
    desk.change_feedback_status(world.sessions, chenjing, closed.feedback_id, closed.version, "closed", "Duplicate.")
    elsewhere = record(world, on_call(world, minutes=7), "bug", "app", "Crashes.")
    listed = desk.department_feedback(world.sessions, chenjing, "payments")
    ids = [view.feedback_id for view in listed]
    assert ids[:2] == [newer.feedback_id, older.feedback_id]
    assert closed.feedback_id not in ids and elsewhere.feedback_id not in ids
    assert all(view.department == "payments" and view.status != "closed" for view in listed)
    assert [a.recorded_at for a in listed] == sorted((a.recorded_at for a in listed), reverse=True)
    after = desk.waiting_by_department(world.sessions, chenjing)
    assert after["payments"] == before["payments"] + 2 and after["engineering"] == before["engineering"] + 1
    with pytest.raises(InvalidInput, match="Choose one of the departments"):
        desk.department_feedback(world.sessions, chenjing, "legal")


# --- the card --------------------------------------------------------------------------------


def test_the_card_shows_this_customers_feedback_and_no_one_elses(world: World) -> None:
    mine = [record(world, on_call(world, minutes=m), "usability", "app", f"Mine {m}") for m in (1, 2, 3)]
    theirs = record(world, on_call(world, OTHER), "praise", "support", "Someone else's words.")
    lina = Actor(world.agent("lina"), world.now)
    lines = fb.customer_feedback(world.sessions, lina, world.customer(CASE))
    assert [line.feedback_id for line in lines] == [view.feedback_id for view in reversed(mine)]
    assert not hasattr(lines[0], "words")  # kind, area, department, status and date: no words before verification
    card = customer_card(world.sessions, Actor(agent_id=lina.agent_id, now=world.now), world.customer(CASE))
    assert card.feedback_count == 3
    assert [line.feedback_id for line in card.feedback] == [mine[2].feedback_id, mine[1].feedback_id]
    assert theirs.feedback_id not in {line.feedback_id for line in card.feedback}
    (other,) = fb.customer_feedback(world.sessions, lina, world.customer(OTHER))
    assert (other.feedback_id, other.category_label, other.status_label) == (theirs.feedback_id, "Praise", "New")


def test_a_customer_without_feedback_has_an_empty_card_line(world: World) -> None:
    card = customer_card(world.sessions, Actor(agent_id=world.agent("lina"), now=world.now), world.customer(CASE))
    assert card.feedback == () and card.feedback_count == 0


def test_history_times_follow_the_clock_given(world: World) -> None:
    made = record(world, on_call(world, hours=2))
    assert made.history[0].changed_at == world.now + timedelta(hours=2)


def test_a_disabled_supervisor_moves_no_feedback(world: World) -> None:
    made = record(world, on_call(world))
    world.disable("chenjing")
    chenjing = Actor(world.agent("chenjing"), world.now)
    with pytest.raises(AgentDisabled):
        desk.change_feedback_status(world.sessions, chenjing, made.feedback_id, made.version, "forwarded")
    with pytest.raises(AgentDisabled):
        desk.department_feedback(world.sessions, chenjing, "payments")


def test_the_feedback_of_a_call_is_read_by_its_agent_only(world: World) -> None:
    call = on_call(world)
    made = record(world, call)
    assert [view.feedback_id for view in fb.call_feedback(world.sessions, call)] == [made.feedback_id]
    with pytest.raises(Refused, match="belongs to another agent"):
        fb.call_feedback(world.sessions, OnCall(world.agent("marcus"), world.now, call.ticket_id, call.customer_id))
