"""Four eyes, attacked: nobody who proposed or edited an adjustment or an unlock request may approve or
reject it, however they changed it; the record keeps who proposed, every editor and who decided."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from console.services import adjustments, contact_changes, unlocks
from console.services import disputes as d
from console.services.agents import add_agent
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, Refused
from models import Adjustment, ApprovalEdit, Transaction, TransactionKind, UnlockRequest
from tests.support.statements import statements
from tests.support.world import World

CASE = "wrong_fee"  # a USDT withdrawal of 500 charged a 5 USDT fee
RISK = "locked_risk"
EDITED = "You edited this adjustment; another supervisor must decide it."


def _second_supervisor(w: World) -> int:
    add_agent(w.sessions, "wangfang", "a-long-enough-password", "supervisor", now=w.now)
    return w.agent("wangfang")


def _awaiting(w: World) -> tuple[d.DisputeView, d.AdjustmentView]:
    """lina, on a verified call, opens a dispute for 4 USDT and proposes 4 USDT: it waits for a supervisor."""
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = d.open_dispute(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CASE)),
        _withdrawal_of_500(w),
        "4",
        "Charged 5 USDT; the schedule says 1 USDT.",
    )
    pending = adjustments.propose_adjustment(
        w.sessions,
        {"USDT": "1"},
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
        dispute.dispute_id,
        "4",
        "Fee charged above the schedule.",
        "k-four-eyes",
    ).adjustment
    assert pending.awaiting_approval
    return dispute, pending


def _withdrawal_of_500(w: World) -> int:
    with w.sessions() as session:
        return session.scalar(
            select(Transaction.id).where(
                Transaction.customer_id == w.customer(CASE),
                Transaction.kind == TransactionKind.WITHDRAWAL,
                Transaction.amount == 500 * 10**6,
            )
        )


def _edit(w: World, username: str, seen: d.AdjustmentView, amount: str, minutes: int) -> d.AdjustmentView:
    """`username` takes a verified call with the customer and changes the pending adjustment."""
    ticket = w.verified_call(CASE, username=username, reason="statement_dispute", minutes=minutes)
    return adjustments.edit_adjustment(
        w.sessions,
        OnCall(agent_id=w.agent(username), now=w.later(minutes=minutes), ticket_id=ticket),
        seen.adjustment_id,
        seen.version,
        amount,
        f"{username}: only part of the fee was over the schedule.",
    ).adjustment


def _pending_status(w: World, adjustment_id: int) -> str:
    with w.sessions() as session:
        adjustment = session.get(Adjustment, adjustment_id)
        assert adjustment is not None
        return adjustment.status.value


# --- adjustments -----------------------------------------------------------------------------


def test_supervisor_who_edited_an_adjustment_cannot_approve_it(world_each_engine: World) -> None:
    w = world_each_engine
    _, pending = _awaiting(w)
    edited = _edit(w, "chenjing", pending, "3.5", minutes=20)
    w.typed_password("chenjing", w.later(minutes=21))
    with pytest.raises(Refused, match=f"^{EDITED}$"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=21)),
            edited.adjustment_id,
            edited.version,
            "I checked it myself.",
        )
    assert w.adjustment_entries(CASE) == []
    assert _pending_status(w, edited.adjustment_id) == "pending"


def test_supervisor_who_edited_an_adjustment_cannot_reject_it(world_each_engine: World) -> None:
    w = world_each_engine
    _, pending = _awaiting(w)
    edited = _edit(w, "chenjing", pending, "3.5", minutes=20)
    w.typed_password("chenjing", w.later(minutes=21))
    with pytest.raises(Refused, match=f"^{EDITED}$"):
        adjustments.reject_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=21)),
            edited.adjustment_id,
            edited.version,
            "Not needed after all.",
        )
    assert _pending_status(w, edited.adjustment_id) == "pending"


@pytest.mark.parametrize(
    "decide", [adjustments.approve_adjustment, adjustments.reject_adjustment], ids=["approve", "reject"]
)
def test_requester_cannot_decide_their_own_adjustment(world: World, decide) -> None:
    ticket = world.verified_call(CASE, username="chenjing", reason="statement_dispute")
    dispute = d.open_dispute(
        world.sessions,
        OnCall(agent_id=world.agent("chenjing"), now=world.now, ticket_id=ticket, customer_id=world.customer(CASE)),
        _withdrawal_of_500(world),
        "4",
        "Fee above the schedule.",
    )
    pending = adjustments.propose_adjustment(
        world.sessions,
        {"USDT": "1"},
        OnCall(agent_id=world.agent("chenjing"), now=world.now, ticket_id=ticket),
        dispute.dispute_id,
        "4",
        "Fee above the schedule.",
        "k-own",
    ).adjustment
    world.typed_password("chenjing")
    with pytest.raises(Refused, match=r"^You requested this adjustment; another supervisor must decide it.$"):
        decide(world.sessions, Actor(world.agent("chenjing"), world.now), pending.adjustment_id, pending.version, "ok")
    assert world.adjustment_entries(CASE) == [] and _pending_status(world, pending.adjustment_id) == "pending"


def test_every_editor_is_kept_and_none_of_them_may_decide_a_third_person_approves_once(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    _second_supervisor(w)
    _, pending = _awaiting(w)
    first = _edit(w, "chenjing", pending, "3.5", minutes=20)
    second = _edit(w, "wangfang", first, "3", minutes=40)  # the last editor is now wangfang, not chenjing
    w.typed_password("chenjing", w.later(minutes=41))
    w.typed_password("wangfang", w.later(minutes=41), "a-long-enough-password")
    w.typed_password("admin", w.later(minutes=41))
    for earlier_editor in ("chenjing", "wangfang"):
        with pytest.raises(Refused, match=f"^{EDITED}$"):
            adjustments.approve_adjustment(
                w.sessions,
                Actor(agent_id=w.agent(earlier_editor), now=w.later(minutes=41)),
                second.adjustment_id,
                second.version,
                "ok",
            )
    approved = adjustments.approve_adjustment(
        w.sessions,
        Actor(agent_id=w.agent("admin"), now=w.later(minutes=42)),
        second.adjustment_id,
        second.version,
        "Schedule checked.",
    )
    with pytest.raises(Refused, match="already posted"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("admin"), now=w.later(minutes=43)),
            second.adjustment_id,
            second.version,
            "again",
        )
    assert w.adjustment_entries(CASE) == [3_000_000]
    assert (approved.status, approved.requested_by, approved.edited_by, approved.decided_by) == (
        "applied",
        "lina",
        ("chenjing", "wangfang"),
        "admin",
    )
    with w.sessions() as session:
        edits = session.execute(
            select(ApprovalEdit.agent_id, ApprovalEdit.version, ApprovalEdit.what)
            .where(ApprovalEdit.adjustment_id == approved.adjustment_id)
            .order_by(ApprovalEdit.id)
        ).all()
    assert [tuple(edit) for edit in edits] == [
        (w.agent("chenjing"), first.version, "the amount and reason"),
        (w.agent("wangfang"), second.version, "the amount and reason"),
    ]


@pytest.mark.parametrize(
    "change",
    [{"description": "Charged 5 USDT on the 500 USDT withdrawal; schedule says 1."}, {"claimed_amount_text": "4.5"}],
    ids=["description", "claim"],
)
def test_who_changes_the_dispute_while_its_adjustment_waits_cannot_decide_the_adjustment(
    world_each_engine: World, change: dict[str, str]
) -> None:
    w = world_each_engine
    dispute, pending = _awaiting(w)
    view = d.dispute_for_supervisor(w.sessions, w.agent("chenjing"), dispute.dispute_id)
    ticket = w.verified_call(CASE, username="chenjing", reason="statement_dispute", minutes=20)
    on_call = OnCall(agent_id=w.agent("chenjing"), now=w.later(minutes=20), ticket_id=ticket)
    d.update_dispute(w.sessions, on_call, dispute.dispute_id, view.version, **change)
    (now_pending,) = d.dispute_for_supervisor(w.sessions, w.agent("admin"), dispute.dispute_id).adjustments
    assert now_pending.version > pending.version and now_pending.edited_by == ("chenjing",)
    w.typed_password("chenjing", w.later(minutes=21))
    w.typed_password("admin", w.later(minutes=21))
    with pytest.raises(Refused, match=f"^{EDITED}$"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=21)),
            pending.adjustment_id,
            now_pending.version,
            "ok",
        )
    # What an approver saw before the dispute changed is no longer what is decided.
    with pytest.raises(Conflict, match="changed after you opened it"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("admin"), now=w.later(minutes=22)),
            pending.adjustment_id,
            pending.version,
            "ok",
        )
    assert w.adjustment_entries(CASE) == []
    approved = adjustments.approve_adjustment(
        w.sessions,
        Actor(agent_id=w.agent("admin"), now=w.later(minutes=23)),
        pending.adjustment_id,
        now_pending.version,
        "ok",
    )
    assert (approved.status, approved.decided_by, w.adjustment_entries(CASE)) == ("applied", "admin", [4_000_000])


def test_database_refuses_an_adjustment_decided_by_its_last_editor(world_each_engine: World) -> None:
    w = world_each_engine
    _, pending = _awaiting(w)
    edited = _edit(w, "chenjing", pending, "3.5", minutes=20)
    with pytest.raises(IntegrityError, match="approver_differs_from_last_editor"), w.sessions.begin() as session:
        session.execute(
            text("UPDATE adjustments SET approved_by_agent_id = :who WHERE id = :id"),
            {"who": w.agent("chenjing"), "id": edited.adjustment_id},
        )


# --- unlock requests -------------------------------------------------------------------------


def _unlock_request(w: World) -> unlocks.UnlockRequestView:
    ticket = w.verified_call(RISK)
    return unlocks.request_unlock(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(RISK)),
        "Caller explains the trip.",
    )


def _amended(w: World, request: unlocks.UnlockRequestView) -> unlocks.UnlockRequestView:
    ticket = w.verified_call(RISK, username="chenjing", minutes=20)
    return unlocks.amend_unlock_request(
        w.sessions,
        OnCall(agent_id=w.agent("chenjing"), now=w.later(minutes=20), ticket_id=ticket),
        request.request_id,
        request.version,
        "Caller explains the trip; boarding pass seen on the call.",
    )


@pytest.mark.parametrize("decide", [unlocks.approve_unlock, unlocks.reject_unlock], ids=["approve", "reject"])
def test_supervisor_who_amended_an_unlock_request_cannot_decide_it(world_each_engine: World, decide) -> None:
    w = world_each_engine
    amended = _amended(w, _unlock_request(w))
    w.typed_password("chenjing", w.later(minutes=21))
    with pytest.raises(Refused, match=r"^You edited this unlock request; another supervisor must decide it.$"):
        decide(w.sessions, Actor(w.agent("chenjing"), w.later(minutes=21)), amended.request_id, amended.version, "ok")
    customer = w.customer_row(RISK)
    assert (customer.status.value, customer.withdrawals_held_until) == ("locked", None)
    assert [r.status for r in w.pending_unlock_requests(RISK)] == ["pending"]


def test_amended_unlock_request_is_decided_by_a_third_person_and_the_record_names_everyone(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    request = _unlock_request(w)
    amended = _amended(w, request)
    assert amended.version > request.version and amended.edited_by == ("chenjing",)
    w.typed_password("admin", w.later(minutes=21))
    with pytest.raises(Conflict, match="changed since you opened it"):
        unlocks.approve_unlock(
            w.sessions,
            Actor(agent_id=w.agent("admin"), now=w.later(minutes=21)),
            request.request_id,
            request.version,
            "ok",
        )
    decided = unlocks.approve_unlock(
        w.sessions,
        Actor(agent_id=w.agent("admin"), now=w.later(minutes=22)),
        amended.request_id,
        amended.version,
        "Boarding pass.",
    )
    assert (decided.status, decided.requested_by, decided.edited_by, decided.decided_by) == (
        "approved",
        "lina",
        ("chenjing",),
        "admin",
    )
    assert decided.reason == "Caller explains the trip; boarding pass seen on the call."
    assert w.customer_row(RISK).status.value == "active"


def test_supervisor_who_changed_the_contact_while_an_unlock_waits_cannot_decide_it(world_each_engine: World) -> None:
    w = world_each_engine
    request = _unlock_request(w)
    ticket = w.verified_call(RISK, username="chenjing", minutes=20)
    contact_changes.change_contact(
        w.sessions,
        OnCall(agent_id=w.agent("chenjing"), now=w.later(minutes=20), ticket_id=ticket, customer_id=w.customer(RISK)),
        "email",
        "new.mail@example.com",
    )
    (now_pending,) = w.pending_unlock_requests(RISK)
    assert now_pending.version > request.version and now_pending.edited_by == ("chenjing",)
    w.typed_password("chenjing", w.later(minutes=21))
    with pytest.raises(Refused, match=r"^You edited this unlock request"):
        unlocks.approve_unlock(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=21)),
            request.request_id,
            now_pending.version,
            "ok",
        )
    assert w.customer_row(RISK).status.value == "locked"


def test_a_second_unlock_request_does_not_change_the_pending_one(world: World) -> None:
    request = _unlock_request(world)
    ticket = world.verified_call(RISK, username="chenjing", minutes=20)
    with pytest.raises(Conflict, match="already filed an unlock request"):
        unlocks.request_unlock(
            world.sessions,
            OnCall(
                agent_id=world.agent("chenjing"),
                now=world.later(minutes=20),
                ticket_id=ticket,
                customer_id=world.customer(RISK),
            ),
            "me too",
        )
    (still,) = world.pending_unlock_requests(RISK)
    assert (still.version, still.edited_by, still.reason) == (request.version, (), "Caller explains the trip.")


def test_database_refuses_an_unlock_decided_by_its_last_editor(world_each_engine: World) -> None:
    w = world_each_engine
    amended = _amended(w, _unlock_request(w))
    with pytest.raises(IntegrityError, match="approver_differs_from_last_editor"), w.sessions.begin() as session:
        session.execute(
            text("UPDATE unlock_requests SET approved_by_agent_id = :who WHERE id = :id"),
            {"who": w.agent("chenjing"), "id": amended.request_id},
        )
    with w.sessions() as session:
        assert session.get(UnlockRequest, amended.request_id).approved_by_agent_id is None


def test_amending_an_unlock_request_needs_a_fresh_factor_on_a_call_with_its_customer(world: World) -> None:
    from console.services.gate import NotVerified

    request = _unlock_request(world)
    stale = world.verified_call(RISK, username="chenjing", minutes=20)
    other_customer = world.verified_call("locked_abnormal_login", username="chenjing", minutes=20)
    for ticket, at in ((stale, world.later(minutes=26)), (other_customer, world.later(minutes=20))):
        with pytest.raises(NotVerified):
            unlocks.amend_unlock_request(
                world.sessions,
                OnCall(agent_id=world.agent("chenjing"), now=at, ticket_id=ticket),
                request.request_id,
                request.version,
                "Changed my mind.",
            )
    (still,) = world.pending_unlock_requests(RISK)
    assert (still.version, still.edited_by) == (request.version, ())


def test_an_approval_records_the_version_the_supervisor_reviewed_and_the_adjustment_is_written_once(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    _, pending = _awaiting(w)
    edited = _edit(w, "admin", pending, "3.5", minutes=20)  # version 2: the one the supervisor reviews
    w.typed_password("chenjing", w.later(minutes=21))
    with statements(w.database) as sent:
        approved = adjustments.approve_adjustment(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=21)), edited.adjustment_id, 2, "ok"
        )
    assert approved.status == "applied" and approved.edited_by == ("admin",)
    with w.sessions() as session:
        stored = session.get(Adjustment, edited.adjustment_id)
        assert stored is not None and stored.approved_version == 2 and stored.version == 3
    assert len([s for s in sent if s.startswith("UPDATE adjustments")]) == 1
    assert len([s for s in sent if "FROM approval_edits" in s]) == 1  # the four-eyes check's read serves the view
