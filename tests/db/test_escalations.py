"""The supervisors' escalation queue: what is in it for each kind of item, oldest first with its age and
who asked; one item's detail; deciding any kind; the agent who asked hearing of it; and the customer
being told, on both engines."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy import select

from console.seed.demo import DEMO_ACCOUNTS
from console.services import adjustments, codes, complaints
from console.services import disputes as d
from console.services.announce import ESCALATIONS_CHANNEL
from console.services.context import Actor, OnCall
from console.services.customers import customer_card
from console.services.decisions import decide_escalation, decisions_for
from console.services.errors import NotFound, PasswordNeeded, Refused
from console.services.escalation_detail import escalation_detail
from console.services.escalations import escalation_queue, queue_fingerprint
from console.services.insider import INSIDER_LIMIT
from console.services.outbox import recent_messages
from models import AuditEvent, Customer, Transaction
from tests.db.test_feedback import on_call, record
from tests.support.desk import (
    FEE,
    LOCKED_OUT,
    RISK,
    adjustment_waiting,
    locked_out,
    mine,
    supervisor,
    unlock_waiting,
    withdrawal_of_500,
)
from tests.support.statements import statements
from tests.support.world import World

# --- the queue -------------------------------------------------------------------------------


def test_the_queue_lists_each_kind_oldest_first_with_its_age_who_asked_and_the_account(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    ticket = locked_out(w, minutes=0)
    request = unlock_waiting(w, minutes=1)
    adjustment = adjustment_waiting(w, minutes=2)
    queue = escalation_queue(w.sessions, Actor(w.agent("chenjing"), w.later(minutes=5)))
    assert [item.asked_at for item in queue] == sorted(item.asked_at for item in queue)
    lockout, unlock, adjust = mine(w, queue)
    assert (adjust.kind, adjust.subject_id, adjust.version, adjust.age_seconds) == (
        "adjustment",
        adjustment.adjustment_id,
        adjustment.version,
        180,
    )
    assert (adjust.asked_by, adjust.account_number) == ("lina", DEMO_ACCOUNTS[FEE].account_number)
    assert adjust.summary == f"Adjustment 4.000000 USDT on dispute D{adjustment.dispute_id}"
    assert (unlock.kind, unlock.subject_id, unlock.age_seconds, unlock.asked_by) == (
        "unlock",
        request.request_id,
        240,
        "lina",
    )
    assert unlock.summary == "Unlock (risk lock)" and unlock.account_number == DEMO_ACCOUNTS[RISK].account_number
    until = w.now + codes.LOCKOUT
    assert (lockout.kind, lockout.subject_id, lockout.age_seconds, lockout.asked_by, lockout.until) == (
        "lockout",
        ticket,
        300,
        "marcus",
        until,
    )
    assert lockout.summary == f"Locked out of verification until {until:%H:%M} UTC"


def test_right_after_the_demo_is_built_the_desk_has_one_of_each_kind_asked_by_other_agents(
    world: World, demo_now: datetime
) -> None:
    queue = escalation_queue(world.sessions, Actor(world.agent("chenjing"), demo_now + timedelta(minutes=1)))
    kinds = {item.kind: item for item in queue}
    # ... and the complaint the demo's feedback calls escalated.
    assert set(kinds) == {"adjustment", "unlock", "lockout", "complaint"}
    assert kinds["complaint"].summary.startswith("Complaint about deposits and withdrawals: My 8,000 yuan")
    assert kinds["adjustment"].summary.startswith("Adjustment 800.000000 USDT on dispute D")
    assert kinds["adjustment"].account_number == DEMO_ACCOUNTS["adjustment_waiting"].account_number
    assert kinds["unlock"].summary == "Unlock (risk lock)"
    assert kinds["lockout"].account_number == DEMO_ACCOUNTS["locked_out_of_verification"].account_number
    assert {item.asked_by for item in queue} == {"lina", "marcus"}


def test_the_queue_costs_the_same_statements_however_many_callers_are_locked_out(world_each_engine: World) -> None:
    """Each kind of item is read once for all its items: the lockouts, the ones a supervisor left in place
    and the failures that locked them are three reads, not two more per locked-out caller."""
    w = world_each_engine
    desk = Actor(w.agent("chenjing"), w.later(minutes=5))
    locked_out(w)
    with statements(w.database) as one:
        before = escalation_queue(w.sessions, desk)
    locked_out(w, username="lina", case=FEE)
    with statements(w.database) as two:
        after = escalation_queue(w.sessions, desk)
    lockouts = [item for item in after if item.kind == "lockout"]
    assert len(lockouts) == len([item for item in before if item.kind == "lockout"]) + 1
    assert {item.asked_by for item in lockouts} >= {"lina"}
    assert len(two) == len(one)


def test_a_lockout_leaves_the_queue_when_it_ends(world: World) -> None:
    ticket = locked_out(world)
    chenjing = world.agent("chenjing")
    assert [
        i.subject_id for i in mine(world, escalation_queue(world.sessions, Actor(chenjing, world.later(minutes=14))))
    ] == [ticket]
    assert mine(world, escalation_queue(world.sessions, Actor(chenjing, world.later(minutes=15)))) == []


def test_an_agent_may_not_see_the_queue_or_open_an_item(world: World) -> None:
    request = unlock_waiting(world)
    lina = Actor(world.agent("lina"), world.now)
    with pytest.raises(Refused, match="Only a supervisor or admin can see the escalation queue"):
        escalation_queue(world.sessions, lina)
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        queue_fingerprint(world.sessions, lina)
    with pytest.raises(Refused, match="Only a supervisor or admin can open escalations"):
        escalation_detail(world.sessions, lina, "unlock", request.request_id)
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        decide_escalation(
            world.sessions, lina, "unlock", request.request_id, request.version, approve=True, reason="ok"
        )


def test_the_fingerprint_moves_with_every_change_to_the_queue(world: World) -> None:
    chenjing = Actor(world.agent("chenjing"), world.now)
    before = queue_fingerprint(world.sessions, chenjing)
    request = unlock_waiting(world)
    filed = queue_fingerprint(world.sessions, chenjing)
    decide_escalation(
        world.sessions, supervisor(world), "unlock", request.request_id, request.version, approve=False, reason="No ID."
    )
    assert before < filed < queue_fingerprint(world.sessions, chenjing)


# --- one item opened ---------------------------------------------------------------------------


def test_an_adjustment_shows_its_dispute_statement_row_timeline_and_the_customers_other_adjustments(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    pending = adjustment_waiting(w)
    detail = escalation_detail(
        w.sessions, Actor(w.agent("chenjing"), w.later(minutes=1)), "adjustment", pending.adjustment_id
    )
    account = DEMO_ACCOUNTS[FEE].account_number
    assert detail.approve_words == f"Post 4.000000 USDT to {account}"
    assert detail.reject_words.startswith(f"Turn down the adjustment of 4.000000 USDT to {account}")
    assert detail.dispute is not None and detail.dispute.dispute_id == pending.dispute_id
    assert (detail.dispute.transaction_kind, detail.dispute.transaction_text) == ("withdrawal", "500.000000 USDT")
    assert detail.item.asked_by == "lina" and detail.account_number == account
    whats = [entry.what for entry in detail.timeline]
    assert whats.index("opened the ticket") < whats.index("opened the dispute") < whats.index("proposed the adjustment")
    assert any(entry.is_note and "Proposed an adjustment of 4.000000 USDT" in entry.what for entry in detail.timeline)
    assert [entry.at for entry in detail.timeline] == sorted(entry.at for entry in detail.timeline)
    assert detail.other_adjustments == ()


def test_other_adjustments_of_the_last_24_hours_are_shown_beside_the_one_to_decide(world: World) -> None:
    # An earlier, smaller one on another statement row was posted at once; the second brings the
    # customer's 24 hours to the threshold and waits.
    ticket = world.verified_call(FEE, reason="statement_dispute")
    lina, customer = world.agent("lina"), world.customer(FEE)
    with world.sessions() as session:
        earlier_row = session.scalar(
            select(Transaction.id).where(Transaction.customer_id == customer, Transaction.amount == 300 * 10**6)
        )
    first = d.open_dispute(
        world.sessions,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=customer),
        earlier_row,
        "1",
        "Fee.",
    )
    posted = adjustments.propose_adjustment(
        world.sessions,
        {"USDT": "3"},
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket),
        first.dispute_id,
        "1",
        "Fee.",
        "k-1",
    ).adjustment
    second = d.open_dispute(
        world.sessions,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=customer),
        withdrawal_of_500(world),
        "4",
        "Fee.",
    )
    waiting = adjustments.propose_adjustment(
        world.sessions,
        {"USDT": "3"},
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket),
        second.dispute_id,
        "2",
        "Fee.",
        "k-2",
    ).adjustment
    assert posted.status == "applied" and waiting.awaiting_approval
    detail = escalation_detail(
        world.sessions, Actor(world.agent("chenjing"), world.now), "adjustment", waiting.adjustment_id
    )
    assert [(a.adjustment_id, a.amount_text, a.status) for a in detail.other_adjustments] == [
        (posted.adjustment_id, "1.000000 USDT", "applied")
    ]


def test_an_unlock_request_shows_the_lock_and_the_login_events(world: World) -> None:
    request = unlock_waiting(world)
    detail = escalation_detail(world.sessions, Actor(world.agent("chenjing"), world.now), "unlock", request.request_id)
    account = DEMO_ACCOUNTS[RISK].account_number
    assert detail.lock is not None
    assert (detail.lock.status, detail.lock.lock_label, detail.lock.request_reason) == (
        "locked",
        "Risk control",
        "Caller explains the deposits.",
    )
    assert detail.logins and all(login.region and login.device for login in detail.logins)
    assert detail.approve_words.startswith(f"Unlock {account}, lifting a risk lock")
    assert detail.reject_words == f"Keep {account} locked and turn the unlock request down"
    assert "filed the unlock request" in [entry.what for entry in detail.timeline]


def test_a_lockout_shows_the_failed_attempts(world: World) -> None:
    ticket = locked_out(world)
    detail = escalation_detail(world.sessions, Actor(world.agent("chenjing"), world.now), "lockout", ticket)
    assert [(a.success, a.failure_reason, a.agent) for a in detail.attempts] == [(False, "wrong code", "marcus")] * 5
    assert detail.approve_words.startswith(
        f"Lift the verification lockout of {DEMO_ACCOUNTS[LOCKED_OUT].account_number}"
    )


def test_a_decided_item_cannot_be_opened(world: World) -> None:
    request = unlock_waiting(world)
    decide_escalation(
        world.sessions, supervisor(world), "unlock", request.request_id, request.version, approve=False, reason="No."
    )
    with pytest.raises(NotFound, match="no longer waiting"):
        escalation_detail(world.sessions, Actor(world.agent("chenjing"), world.now), "unlock", request.request_id)


# --- deciding, the agent hearing of it, and the customer told ------------------------------------


def _messages(w: World, case: str) -> list[str]:
    return [m.body for m in recent_messages(w.sessions, w.keyring.fernet(), DEMO_ACCOUNTS[case].account_number)]


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "turn down"])
def test_every_decision_leaves_the_queue_tells_the_customer_and_the_agent_who_asked(
    world_each_engine: World, approve: bool
) -> None:
    w = world_each_engine
    lina, marcus = Actor(w.agent("lina"), w.now), Actor(w.agent("marcus"), w.now)
    lina_since = decisions_for(w.sessions, lina, None).cursor
    marcus_since = decisions_for(w.sessions, marcus, None).cursor
    adjustment, request, ticket = adjustment_waiting(w), unlock_waiting(w), locked_out(w)
    outbox_before = {case: len(_messages(w, case)) for case in (FEE, RISK, LOCKED_OUT)}
    chenjing = supervisor(w, minutes=1)
    done = [
        decide_escalation(w.sessions, chenjing, kind, subject, version, approve=approve, reason="Checked.")
        for kind, subject, version in (
            ("adjustment", adjustment.adjustment_id, adjustment.version),
            ("unlock", request.request_id, request.version),
            ("lockout", ticket, 1),
        )
    ]
    assert [x.approved for x in done] == [approve] * 3
    assert mine(w, escalation_queue(w.sessions, chenjing)) == []
    for case in (FEE, RISK, LOCKED_OUT):
        assert len(_messages(w, case)) == outbox_before[case] + 1, case
    heard_by_lina = decisions_for(w.sessions, lina, lina_since)
    heard_by_marcus = decisions_for(w.sessions, marcus, marcus_since)
    verb = "approved" if approve else "turned down"
    assert [(n.kind, n.decided_by, n.approved) for n in heard_by_lina.notices] == [
        ("adjustment", "chenjing", approve),
        ("unlock", "chenjing", approve),
    ]
    assert heard_by_lina.notices[0].said == (
        f"chenjing {verb} your adjustment of 4.000000 USDT on dispute D{adjustment.dispute_id}: Checked."
    )
    assert heard_by_lina.notices[1].ticket_id is not None
    (lockout,) = heard_by_marcus.notices
    assert (lockout.kind, lockout.ticket_id) == ("lockout", ticket)
    assert ("lifted the verification lockout" if approve else "left the verification lockout") in lockout.said
    assert decisions_for(w.sessions, lina, heard_by_lina.cursor).notices == ()


def test_a_lockout_left_in_place_leaves_the_queue_but_still_ends_at_its_time(world: World) -> None:
    ticket = locked_out(world)
    chenjing = supervisor(world)
    done = decide_escalation(
        world.sessions, chenjing, "lockout", ticket, 1, approve=False, reason="Caller unsure of the number."
    )
    assert "ends at" in done.said
    assert mine(world, escalation_queue(world.sessions, chenjing)) == []
    assert world.customer_row(LOCKED_OUT).verify_locked_until == world.now + codes.LOCKOUT
    with pytest.raises(Refused, match="already chose to leave this lockout"):
        decide_escalation(world.sessions, chenjing, "lockout", ticket, 1, approve=False, reason="again")
    with world.sessions() as session:
        kept = session.scalars(select(AuditEvent).where(AuditEvent.action == "verification.lockout_kept")).one()
    assert json.loads(kept.details)["reason"] == "Caller unsure of the number."


def test_a_decision_on_what_another_agent_asked_is_not_their_notice(world: World) -> None:
    marcus = Actor(world.agent("marcus"), world.now)
    since = decisions_for(world.sessions, marcus, None).cursor
    request = unlock_waiting(world)  # lina's
    decide_escalation(
        world.sessions, supervisor(world), "unlock", request.request_id, request.version, approve=True, reason="ok"
    )
    assert decisions_for(world.sessions, marcus, since).notices == ()


# --- PostgreSQL: every change is announced in its own transaction --------------------------------


@pytest.mark.postgres
def test_adding_and_deciding_an_item_notifies_the_listening_consoles(world_on_postgres: World) -> None:
    w = world_on_postgres
    url = w.database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {ESCALATIONS_CHANNEL}")
        request = unlock_waiting(w)
        heard = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
        assert heard == [f"unlock:{request.request_id}"]
        decide_escalation(
            w.sessions, supervisor(w), "unlock", request.request_id, request.version, approve=False, reason="No."
        )
        ticket = locked_out(w, minutes=1)
        heard = [n.payload for n in listener.notifies(timeout=2, stop_after=2)]
        assert heard == [f"unlock:{request.request_id}", f"lockout:{ticket}"]


def test_nothing_is_announced_when_the_command_is_refused(world: World) -> None:
    # A refused decision changes nothing, so the consoles polling the fingerprint reload nothing.
    request = unlock_waiting(world, username="chenjing")
    chenjing = supervisor(world)
    before = queue_fingerprint(world.sessions, chenjing)
    with pytest.raises(Refused, match="another supervisor must decide it"):
        decide_escalation(
            world.sessions, chenjing, "unlock", request.request_id, request.version, approve=True, reason="ok"
        )
    assert queue_fingerprint(world.sessions, chenjing) == before


# --- complaints and insider alerts -------------------------------------------------------------------


def test_an_escalated_complaint_waits_in_the_queue_until_another_supervisor_resolves_it(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    call = on_call(w, minutes=1)
    said = record(w, call, words="Charged twice for one withdrawal; I want a manager.")
    complaints.escalate_complaint(w.sessions, call, said.feedback_id, "Caller asks for a supervisor.")
    queue = escalation_queue(w.sessions, Actor(w.agent("chenjing"), w.later(minutes=4)))
    (item,) = [item for item in queue if item.kind == "complaint" and item.subject_id == said.feedback_id]
    assert (item.kind_label, item.asked_by, item.ticket_id, item.age_seconds) == (
        "Complaint",
        "lina",
        call.ticket_id,
        180,
    )
    assert item.summary.startswith("Complaint about fees: Charged twice for one withdrawal")
    detail = escalation_detail(w.sessions, supervisor(w, minutes=4), "complaint", said.feedback_id)
    assert ("The caller says", "Charged twice for one withdrawal; I want a manager.") in detail.facts
    assert ("Why escalated", "Caller asks for a supervisor.") in detail.facts
    assert detail.approve_words.startswith("Resolve the complaint of ")
    done = decide_escalation(
        w.sessions,
        supervisor(w, minutes=5),
        "complaint",
        said.feedback_id,
        item.version,
        approve=True,
        reason="Refund the fee.",
    )
    assert done.said.startswith(f"Resolved: complaint F{said.feedback_id} upheld")
    after = escalation_queue(w.sessions, Actor(w.agent("chenjing"), w.later(minutes=6)))
    assert not [i for i in after if i.kind == "complaint" and i.subject_id == said.feedback_id]
    news = decisions_for(w.sessions, Actor(w.agent("lina"), w.later(minutes=6)), 0)
    (notice,) = [n for n in news.notices if n.kind == "complaint" and n.subject_id == said.feedback_id]
    assert notice.said == f"chenjing resolved the complaint F{said.feedback_id} you escalated: Upheld: Refund the fee."


def test_resolving_a_complaint_asks_for_a_fresh_password(world: World) -> None:
    call = on_call(world)
    said = record(world, call)
    complaints.escalate_complaint(world.sessions, call, said.feedback_id, "Caller asks for a supervisor.")
    stale = Actor(world.typed_password("chenjing", world.now), world.later(minutes=6))
    with pytest.raises(PasswordNeeded):
        decide_escalation(world.sessions, stale, "complaint", said.feedback_id, 2, approve=False, reason="No.")


def test_an_insider_alert_waits_in_the_queue_and_is_closed_by_a_supervisor(world_each_engine: World) -> None:
    w = world_each_engine
    marcus = w.agent("marcus")
    with w.sessions() as session:
        customers = list(session.scalars(select(Customer.id).order_by(Customer.id).limit(INSIDER_LIMIT + 1)))
    for customer in customers:
        customer_card(w.sessions, Actor(marcus, w.now), customer)
    queue = escalation_queue(w.sessions, Actor(w.agent("chenjing"), w.later(minutes=1)))
    (item,) = [item for item in queue if item.kind == "insider"]
    assert (item.kind_label, item.asked_by, item.account_number) == ("Insider alert", None, None)
    assert item.summary == f"marcus opened {INSIDER_LIMIT + 1} different customers within 60 minutes"
    detail = escalation_detail(w.sessions, supervisor(w, minutes=1), "insider", item.subject_id)
    assert detail.account_number is None and ("Agent", "marcus") in detail.facts
    done = decide_escalation(
        w.sessions,
        supervisor(w, minutes=2),
        "insider",
        item.subject_id,
        item.version,
        approve=True,
        reason="Recall list.",
    )
    assert done.said == "Closed: the alert on marcus is explained by the calls."
    assert not [
        i for i in escalation_queue(w.sessions, Actor(w.agent("chenjing"), w.later(minutes=3))) if i.kind == "insider"
    ]
