"""How much SQL one adjustment on a verified call sends, and which locks it waits for: guards on the
design of issue 13's contention work, not on timings (bench/contention.py measures those).

Sixteen agents adjusting the same few accounts queue on each customer's money lock and on the audit
chain's lock, so every round trip inside a command is paid by everyone queued behind it. The budgets
below are what the commands send today; a change that needs more should say why here.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from console.services import adjustments, audit
from console.services import disputes as d
from console.services.context import Actor, OnCall
from console.services.money import lock_customer
from console.services.unit_of_work import unit_of_work
from models import AuditEvent, Transaction, TransactionKind
from tests.support.statements import statements
from tests.support.world import World

CASE = "wrong_fee"
BELOW_THRESHOLD = {"USDT": "100"}

# Statements per command (on SQLite BEGIN IMMEDIATE is one of them; PostgreSQL's BEGIN and COMMIT are
# the driver's own and not counted on either engine). Before issue 13's contention work: open 18 and
# propose 29 on PostgreSQL, 19 and 30 on SQLite; a save sent again 14 and 15. A posted adjustment
# then became a statement line of its own (issue 14: the statement shows every entry): one INSERT more.
# Then (issue 13, third pass): the statement row and an unsettled dispute about it read in one statement
# when opening; a proposal on a call that names the caller reads the dispute once, under the money lock,
# and writes its two timeline steps in one statement; on PostgreSQL the gate's touch of the ticket goes
# with the command's first read (gate.TOUCH_WITH_READ).
BUDGET = {
    "postgresql": {"open": 9, "propose": 17, "again": 6},
    "sqlite": {"open": 12, "propose": 20, "again": 8},
}


def _fee_row(w: World) -> int:
    with w.sessions() as session:
        row = session.scalar(
            select(Transaction.id).where(
                Transaction.customer_id == w.customer(CASE), Transaction.kind == TransactionKind.WITHDRAWAL
            )
        )
    assert row is not None
    return row


def _within(sent: list[str], budget: int, what: str) -> None:
    listing = "\n".join(f"  {n + 1}. {statement[:140]}" for n, statement in enumerate(sent))
    assert len(sent) <= budget, f"{what} sent {len(sent)} statements (budget {budget}):\n{listing}"


def test_one_adjustment_on_a_verified_call_stays_within_its_statement_budget(world_each_engine: World) -> None:
    w = world_each_engine
    budget = BUDGET[w.database.dialect]
    ticket = w.verified_call(CASE, reason="statement_dispute")
    call = OnCall(agent_id=w.agent("lina"), now=w.later(seconds=5), ticket_id=ticket, customer_id=w.customer(CASE))
    row = _fee_row(w)
    with statements(w.database) as opened:
        dispute = d.open_dispute(w.sessions, call, row, "4", "Charged 5 USDT.")
    with statements(w.database) as proposed:
        made = adjustments.propose_adjustment(
            w.sessions, BELOW_THRESHOLD, call, dispute.dispute_id, "4", "Fee above the schedule.", "save-1"
        )
    with statements(w.database) as again:
        twice = adjustments.propose_adjustment(
            w.sessions, BELOW_THRESHOLD, call, dispute.dispute_id, "4", "Fee above the schedule.", "save-1"
        )

    # What the agent sees is whole: the dispute as opened, then settled by one posted entry.
    assert [step.status for step in dispute.timeline] == ["open"] and dispute.adjustments == ()
    assert made.adjustment.status == "applied" and made.dispute.status == "adjusted"
    assert [a.adjustment_id for a in made.dispute.adjustments] == [made.adjustment.adjustment_id]
    assert twice.adjustment == made.adjustment
    assert w.adjustment_entries(CASE) == [4_000_000]

    _within(opened, budget["open"], "open_dispute")
    _within(proposed, budget["propose"], "propose_adjustment")
    _within(again, budget["again"], "the same save sent again")
    # Each command appends its audit event with one INSERT, and the save sent again appends none.
    for sent in (opened, proposed):
        assert sum(statement.count("INSERT INTO audit_events") for statement in sent) == 1
    assert not any("audit_events" in statement for statement in again)
    if w.database.dialect == "postgresql":
        # The save sent again changes nothing, so it does not queue for the customer's money lock.
        assert not any("FOR NO KEY UPDATE" in statement or "FOR UPDATE" in statement for statement in again)
        assert sum("FOR NO KEY UPDATE" in statement for statement in proposed) == 1


def test_several_events_of_one_command_are_appended_in_one_statement_and_chain(world_each_engine: World) -> None:
    w = world_each_engine
    with w.sessions() as session:
        before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
    with statements(w.database) as sent, unit_of_work(w.sessions, Actor(w.agent("lina"), w.now), doing="test") as uow:
        for n in range(3):
            uow.record("test.step", "ticket", n, {"n": n})
    assert sum(statement.count("INSERT INTO audit_events") for statement in sent) == 1
    with w.sessions() as session:
        appended = session.scalars(select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)).all()
    assert [(e.seq, e.action, e.subject_id) for e in appended] == [
        (before + 1, "test.step", "0"),
        (before + 2, "test.step", "1"),
        (before + 3, "test.step", "2"),
    ]
    assert [e.id for e in appended] == sorted(e.id for e in appended)
    report = audit.verify_chain(w.sessions)
    assert report.ok, report.problem


@pytest.mark.postgres
def test_a_dispute_opens_while_another_agent_holds_the_customers_money_lock(world_on_postgres: World) -> None:
    """The money lock queues money commands for the customer, not the rows filed under them: opening a
    dispute (whose foreign key locks the customer's row FOR KEY SHARE) does not wait for it."""
    w = world_on_postgres
    ticket = w.verified_call(CASE, reason="statement_dispute")
    call = OnCall(agent_id=w.agent("lina"), now=w.later(seconds=5), ticket_id=ticket, customer_id=w.customer(CASE))
    row = _fee_row(w)
    opened: list[d.DisputeView] = []
    failed: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(d.open_dispute(w.sessions, call, row, "4", "Charged 5 USDT."))
        except BaseException as error:  # reported below
            failed.append(error)

    with w.sessions.begin() as holder:
        lock_customer(holder, w.customer(CASE))  # another agent's money command, still running
        opener = threading.Thread(target=open_it)
        opener.start()
        opener.join(timeout=20)
        finished_while_held = not opener.is_alive()
    opener.join(timeout=20)
    assert not failed, failed
    assert finished_while_held, "opening a dispute waited for another command's money lock on the customer"
    assert opened and opened[0].status == "open"


@pytest.mark.postgres
def test_money_commands_for_one_customer_still_queue_behind_the_lock(world_on_postgres: World) -> None:
    w = world_on_postgres
    customer = w.customer(CASE)
    order: list[str] = []

    def second() -> None:
        with w.sessions.begin() as session:
            lock_customer(session, customer)
            order.append("second locked")

    with w.sessions.begin() as first:
        lock_customer(first, customer)
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(timeout=1.0)
        order.append("first still holds")
    waiting.join(timeout=20)
    assert order == ["first still holds", "second locked"]
