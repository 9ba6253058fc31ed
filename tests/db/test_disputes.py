"""Disputes and adjustments: compensating entries, the 24-hour approval threshold, four eyes, idempotency, versions."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from console.services import adjustments
from console.services import disputes as d
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, InvalidInput, PasswordNeeded, Refused
from console.services.gate import NotVerified
from console.services.money import balance_of, ledger_mismatches
from console.services.outbox import recent_messages
from models import EntryKind, LedgerEntry, Transaction, TransactionKind
from tests.support.world import World

CASE = "wrong_fee"  # a USDT withdrawal of 500 charged a 5 USDT fee
THRESHOLDS = {"USDT": "100"}


def _rows(w: World, case: str = CASE) -> list[Transaction]:
    with w.sessions() as session:
        return list(
            session.scalars(
                select(Transaction).where(Transaction.customer_id == w.customer(case)).order_by(Transaction.created_at)
            )
        )


def _withdrawal(w: World, amount_units: int) -> int:
    (row,) = [r for r in _rows(w) if r.kind == TransactionKind.WITHDRAWAL and r.amount == amount_units * 10**6]
    return row.id


def _balance(w: World, case: str = CASE) -> int:
    with w.sessions() as session:
        return balance_of(session, w.customer(case), "USDT")


def _entries(w: World, kind: EntryKind) -> list[LedgerEntry]:
    with w.sessions() as session:
        return list(
            session.scalars(
                select(LedgerEntry).where(LedgerEntry.customer_id == w.customer(CASE), LedgerEntry.kind == kind)
            )
        )


def _dispute(w: World, ticket: int, username: str = "lina", row_units: int = 500, claimed: str = "4", **delta: float):
    return d.open_dispute(
        w.sessions,
        OnCall(agent_id=w.agent(username), now=w.later(**delta), ticket_id=ticket, customer_id=w.customer(CASE)),
        _withdrawal(w, row_units),
        claimed,
        "Charged 5 USDT; the schedule says 1 USDT.",
    )


def _propose(
    w: World,
    ticket: int,
    dispute_id: int,
    amount: str,
    key: str,
    username: str = "lina",
    thresholds: dict[str, str] = THRESHOLDS,
    **delta: float,
) -> d.AdjustmentView:
    return adjustments.propose_adjustment(
        w.sessions,
        thresholds,
        OnCall(agent_id=w.agent(username), now=w.later(**delta), ticket_id=ticket),
        dispute_id,
        amount,
        "Fee charged above the schedule.",
        key,
    ).adjustment


def _books_balance(w: World) -> None:
    with w.sessions() as session:
        assert ledger_mismatches(session) == []


# --- opening ---------------------------------------------------------------------------------


def test_unverified_caller_cannot_open_a_dispute(world: World) -> None:
    ticket = world.open_ticket(CASE, reason="statement_dispute")
    with pytest.raises(NotVerified, match=r"^Caller not verified"):
        _dispute(world, ticket)


def test_dispute_opens_on_the_callers_statement_row_and_tells_the_customer(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, ticket)
    assert (dispute.status, dispute.claimed_text, dispute.transaction_text) == (
        "open",
        "4.000000 USDT",
        "500.000000 USDT",
    )
    assert [event.status for event in dispute.timeline] == ["open"]
    (notice, *_) = recent_messages(world.sessions, world.keyring.fernet(), "OK11274506")
    assert notice.kind == "dispute" and f"D{dispute.dispute_id}" in notice.body


def test_dispute_status_shows_on_the_card_in_later_calls(world: World) -> None:
    from console.services.customers import customer_card

    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, ticket)
    d.start_investigation(
        world.sessions,
        Actor(agent_id=world.agent("chenjing"), now=world.later(hours=1)),
        dispute.dispute_id,
        dispute.version,
        "Asked the chain desk.",
    )
    later_call = world.open_ticket(CASE, username="marcus", reason="statement_dispute")
    card = customer_card(
        world.sessions, Actor(agent_id=world.agent("marcus"), now=world.later(days=1)), world.customer(CASE), later_call
    )
    assert [(line.dispute_id, line.status_label) for line in card.disputes] == [(dispute.dispute_id, "Investigating")]
    assert card.open_disputes == 1


def test_claim_larger_than_the_statement_row_is_refused(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    with pytest.raises(InvalidInput, match="more than the statement row"):
        _dispute(world, ticket, claimed="505.000001")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4.0000001", "at most 6 decimal places"),
        ("-4", "cannot be negative"),
        ("4,0", "not an amount"),
        ("", "Enter"),
    ],
)
def test_badly_typed_claim_gets_a_clear_message_and_changes_nothing(world: World, typed: str, message: str) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    with pytest.raises(InvalidInput, match=message):
        _dispute(world, ticket, claimed=typed)
    assert (
        d.caller_disputes(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(CASE)),
        )
        == []
    )


def test_second_open_dispute_on_the_same_row_is_refused(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    first = _dispute(world, ticket)
    with pytest.raises(Conflict, match=f"D{first.dispute_id}"):
        _dispute(world, ticket)


# --- adjustments below and at the threshold --------------------------------------------------


def test_adjustment_below_threshold_posts_a_compensating_entry_and_leaves_the_original(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    before, original = _balance(w), _rows(w)
    dispute = _dispute(w, ticket)
    adjustment = _propose(w, ticket, dispute.dispute_id, "4", "k-1")
    assert adjustment.status == "applied" and adjustment.journal_id
    assert _balance(w) == before + 4_000_000
    (entry,) = _entries(w, EntryKind.ADJUSTMENT)
    assert entry.amount == 4_000_000 and entry.journal_id == adjustment.journal_id
    # The original rows are untouched; the adjustment is a statement line of its own, tied to its entry.
    *kept, added = sorted(_rows(w), key=lambda r: r.id)
    assert [(r.id, r.amount, r.fee, r.status) for r in kept] == sorted(
        (r.id, r.amount, r.fee, r.status) for r in original
    )
    assert (added.kind.value, added.amount, added.fee, added.journal_id) == (
        "adjustment",
        4_000_000,
        0,
        entry.journal_id,
    )
    assert added.reference == f"ADJ-D{dispute.dispute_id}"
    (view,) = d.caller_disputes(
        w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CASE))
    )
    assert [event.status for event in view.timeline] == ["open", "adjustment_proposed", "adjusted"]
    _books_balance(w)


def test_threshold_exactly_reached_needs_approval(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(w, ticket)
    adjustment = _propose(w, ticket, dispute.dispute_id, "4", "k-1", thresholds={"USDT": "4"})
    assert adjustment.awaiting_approval
    assert _entries(w, EntryKind.ADJUSTMENT) == []
    (view,) = d.caller_disputes(
        w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(CASE))
    )
    assert view.status == "awaiting_approval"


def test_one_minor_unit_below_the_threshold_does_not_need_approval(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(w, ticket)
    adjustment = _propose(w, ticket, dispute.dispute_id, "3.999999", "k-1", thresholds={"USDT": "4"})
    assert adjustment.status == "applied"


def test_two_adjustments_that_together_reach_the_threshold_within_24h_need_approval(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    first = _dispute(w, ticket, row_units=500, claimed="6")
    second = _dispute(w, ticket, row_units=300, claimed="4")
    assert _propose(w, ticket, first.dispute_id, "6", "k-1", thresholds={"USDT": "10"}, minutes=1).status == "applied"
    assert _propose(w, ticket, second.dispute_id, "4", "k-2", thresholds={"USDT": "10"}, minutes=2).awaiting_approval


def test_adjustments_older_than_24h_no_longer_count_towards_the_threshold(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    first = _dispute(world, ticket, row_units=500, claimed="6")
    assert _propose(world, ticket, first.dispute_id, "6", "k-1", thresholds={"USDT": "10"}).status == "applied"
    later = world.verified_call(CASE, reason="statement_dispute", hours=24, seconds=1)
    second = _dispute(world, later, row_units=300, hours=24, seconds=1)
    assert (
        _propose(world, later, second.dispute_id, "4", "k-2", thresholds={"USDT": "10"}, hours=24, seconds=1).status
        == "applied"
    )


def test_asset_without_a_configured_threshold_always_needs_approval(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, ticket)
    assert _propose(world, ticket, dispute.dispute_id, "0.000001", "k-1", thresholds={"CNY": "5000"}).awaiting_approval


def test_adjustment_needs_a_fresh_factor(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, ticket)
    with pytest.raises(NotVerified, match="last 5 minutes"):
        _propose(world, ticket, dispute.dispute_id, "4", "k-1", minutes=6)
    assert _entries(world, EntryKind.ADJUSTMENT) == []


def test_adjustment_larger_than_the_claim_is_refused(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, ticket)
    with pytest.raises(InvalidInput, match="more than the caller claimed"):
        _propose(world, ticket, dispute.dispute_id, "4.000001", "k-1")


# --- idempotency -----------------------------------------------------------------------------


def test_double_submit_with_the_same_key_gives_one_entry(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(w, ticket)
    first = _propose(w, ticket, dispute.dispute_id, "4", "same-key")
    again = _propose(w, ticket, dispute.dispute_id, "4", "same-key", seconds=1)
    assert again.adjustment_id == first.adjustment_id
    assert len(_entries(w, EntryKind.ADJUSTMENT)) == 1
    _books_balance(w)


def test_same_key_with_a_different_amount_is_an_error(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(w, ticket)
    _propose(w, ticket, dispute.dispute_id, "4", "same-key")
    with pytest.raises(Conflict, match="different amount"):
        _propose(w, ticket, dispute.dispute_id, "3", "same-key", seconds=1)
    assert [entry.amount for entry in _entries(w, EntryKind.ADJUSTMENT)] == [4_000_000]


# --- approvals -------------------------------------------------------------------------------


def _awaiting(w: World, username: str = "lina") -> tuple[int, d.AdjustmentView]:
    ticket = w.verified_call(CASE, username=username, reason="statement_dispute")
    dispute = _dispute(w, ticket, username=username)
    adjustment = _propose(w, ticket, dispute.dispute_id, "4", "k-big", username=username, thresholds={"USDT": "1"})
    assert adjustment.awaiting_approval
    return ticket, adjustment


def test_supervisor_approval_posts_the_adjustment_and_tells_the_customer(world_each_engine: World) -> None:
    w = world_each_engine
    _, pending = _awaiting(w)
    before = _balance(w)
    w.typed_password("chenjing", w.later(minutes=29))
    approved = adjustments.approve_adjustment(
        w.sessions,
        Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=30)),
        pending.adjustment_id,
        pending.version,
        "Schedule checked: 1 USDT.",
    )
    assert (approved.status, approved.decided_by) == ("applied", "chenjing")
    assert _balance(w) == before + 4_000_000
    (notice, *_) = recent_messages(w.sessions, w.keyring.fernet(), "OK11274506")
    # A mainland customer reads it in Simplified Chinese (the messages follow the caller).
    assert "已向您的账户调整 4.000000 USDT" in notice.body
    _books_balance(w)


def test_approver_must_differ_from_requester(world_each_engine: World) -> None:
    w = world_each_engine
    _, pending = _awaiting(w, username="chenjing")
    w.typed_password("chenjing", w.later(minutes=1))
    w.typed_password("admin", w.later(minutes=2))
    with pytest.raises(Refused, match="another supervisor"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=1)),
            pending.adjustment_id,
            pending.version,
            "ok",
        )
    assert _entries(w, EntryKind.ADJUSTMENT) == []
    assert (
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("admin"), now=w.later(minutes=2)),
            pending.adjustment_id,
            pending.version,
            "ok",
        ).status
        == "applied"
    )


def test_an_agent_cannot_approve(world: World) -> None:
    _, pending = _awaiting(world)
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        adjustments.approve_adjustment(
            world.sessions,
            Actor(agent_id=world.agent("marcus"), now=world.now),
            pending.adjustment_id,
            pending.version,
            "ok",
        )


def test_approval_is_void_once_the_adjustment_changes(world_each_engine: World) -> None:
    w = world_each_engine
    ticket, seen = _awaiting(w)  # the supervisor opens it at this version
    edited = adjustments.edit_adjustment(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.later(minutes=1), ticket_id=ticket),
        seen.adjustment_id,
        seen.version,
        "3.5",
        "Only 3.5 was over the schedule.",
    ).adjustment
    w.typed_password("chenjing", w.later(minutes=2))
    with pytest.raises(Conflict, match="changed after you opened it"):
        adjustments.approve_adjustment(
            w.sessions,
            Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=2)),
            seen.adjustment_id,
            seen.version,
            "ok",
        )
    assert _entries(w, EntryKind.ADJUSTMENT) == []
    approved = adjustments.approve_adjustment(
        w.sessions,
        Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=3)),
        edited.adjustment_id,
        edited.version,
        "ok",
    )
    assert [entry.amount for entry in _entries(w, EntryKind.ADJUSTMENT)] == [3_500_000]
    assert approved.status == "applied"


def test_approving_twice_posts_once(world: World) -> None:
    _, pending = _awaiting(world)
    world.typed_password("chenjing")
    world.typed_password("admin")
    adjustments.approve_adjustment(
        world.sessions,
        Actor(agent_id=world.agent("chenjing"), now=world.now),
        pending.adjustment_id,
        pending.version,
        "ok",
    )
    with pytest.raises((Refused, Conflict)):
        adjustments.approve_adjustment(
            world.sessions,
            Actor(agent_id=world.agent("admin"), now=world.now),
            pending.adjustment_id,
            pending.version,
            "ok",
        )
    assert len(_entries(world, EntryKind.ADJUSTMENT)) == 1


def test_rejected_adjustment_moves_no_money_and_reopens_the_investigation(world: World) -> None:
    ticket, pending = _awaiting(world)
    world.typed_password("chenjing", world.later(minutes=1))
    rejected = adjustments.reject_adjustment(
        world.sessions,
        Actor(agent_id=world.agent("chenjing"), now=world.later(minutes=1)),
        pending.adjustment_id,
        pending.version,
        "Fee was correct for that network.",
    )
    assert rejected.status == "rejected" and _entries(world, EntryKind.ADJUSTMENT) == []
    (view,) = d.caller_disputes(
        world.sessions,
        OnCall(
            agent_id=world.agent("lina"), now=world.later(minutes=2), ticket_id=ticket, customer_id=world.customer(CASE)
        ),
    )
    assert view.status == "investigating"


def test_a_reversal_asks_for_the_supervisors_password_typed_lately_and_changes_nothing_without(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    applied = _propose(w, ticket, _dispute(w, ticket).dispute_id, "4", "k-1")
    before = _balance(w)
    w.typed_password("chenjing", w.later(minutes=-6))  # over 5 minutes ago: someone may be at their console
    with pytest.raises(PasswordNeeded):
        adjustments.reverse_adjustment(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), applied.adjustment_id, "Wrong customer."
        )
    assert _entries(w, EntryKind.REVERSAL) == [] and _balance(w) == before
    w.typed_password("chenjing")
    adjustments.reverse_adjustment(
        w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), applied.adjustment_id, "Wrong customer."
    )
    assert [entry.amount for entry in _entries(w, EntryKind.REVERSAL)] == [-4_000_000]


def test_reversal_is_an_opposite_entry_posted_once(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(CASE, reason="statement_dispute")
    before = _balance(w)
    applied = _propose(w, ticket, _dispute(w, ticket).dispute_id, "4", "k-1")
    w.typed_password("chenjing")
    adjustments.reverse_adjustment(
        w.sessions,
        Actor(agent_id=w.agent("chenjing"), now=w.now),
        applied.adjustment_id,
        "Posted to the wrong customer.",
    )
    with pytest.raises(Refused, match="Only a posted adjustment"):
        adjustments.reverse_adjustment(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), applied.adjustment_id, "again"
        )
    assert [entry.amount for entry in _entries(w, EntryKind.REVERSAL)] == [-4_000_000]
    assert _balance(w) == before
    _books_balance(w)
    # The adjustment's statement line says it was reversed.
    (line,) = [r for r in _rows(w) if r.journal_id == applied.journal_id]
    assert (line.kind.value, line.status.value) == ("adjustment", "reversed")


# --- two agents on one dispute ---------------------------------------------------------------


def test_second_save_of_the_same_dispute_is_refused_in_plain_words(world: World) -> None:
    lina_call = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, lina_call)
    marcus_call = world.verified_call(CASE, username="marcus", reason="statement_dispute")
    d.update_dispute(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=lina_call),
        dispute.dispute_id,
        dispute.version,
        description="Charged 5 USDT on the 500 USDT withdrawal.",
    )
    with pytest.raises(Conflict, match="Someone else saved this dispute first; what you typed is kept"):
        d.update_dispute(
            world.sessions,
            OnCall(agent_id=world.agent("marcus"), now=world.now, ticket_id=marcus_call),
            dispute.dispute_id,
            dispute.version,
            claimed_amount_text="3",
        )
    (view,) = d.caller_disputes(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=lina_call, customer_id=world.customer(CASE)),
    )
    assert view.claimed_amount == 4_000_000 and view.description.startswith("Charged 5 USDT on the 500")


def test_agent_off_the_call_cannot_touch_a_dispute(world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    dispute = _dispute(world, ticket)
    with pytest.raises(NotVerified):
        d.start_investigation(
            world.sessions,
            Actor(agent_id=world.agent("marcus"), now=world.now),
            dispute.dispute_id,
            dispute.version,
            "checking",
        )
    view = d.start_investigation(
        world.sessions,
        Actor(agent_id=world.agent("chenjing"), now=world.now),
        dispute.dispute_id,
        dispute.version,
        "Asked the chain desk.",
    )
    assert view.status == "investigating"


# --- concurrency -----------------------------------------------------------------------------


def test_two_sessions_adjusting_one_balance_at_once_lose_no_update(world_each_engine: World) -> None:
    """Lost-update check: two agents post adjustments for one customer at the same instant."""
    w = world_each_engine
    calls = {name: w.verified_call(CASE, username=name, reason="statement_dispute") for name in ("lina", "marcus")}
    disputes = {
        "lina": _dispute(w, calls["lina"], row_units=500),
        "marcus": _dispute(w, calls["marcus"], "marcus", 300),
    }
    before = _balance(w)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def adjust(name: str, amount: str) -> None:
        try:
            barrier.wait()
            _propose(w, calls[name], disputes[name].dispute_id, amount, f"race-{name}", username=name)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=adjust, args=("lina", "4")),
        threading.Thread(target=adjust, args=("marcus", "3")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _balance(w) == before + 7_000_000
    _books_balance(w)
