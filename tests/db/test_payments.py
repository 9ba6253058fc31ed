"""Payments: the public fee schedule and quotes, the gated statement with filters and keyset pages,
withdrawal status and follow-ups, and the wallet's withdrawal command (holds, limits, idempotency)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from console.seed.demo import DEMO_ACCOUNTS
from console.services import fees, wallet, withdrawals
from console.services import statement as st
from console.services.context import OnCall
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.gate import NotVerified
from console.services.money import balance_of, ledger_mismatches
from console.services.outbox import recent_messages
from models import (
    AuditEvent,
    Customer,
    EntryKind,
    LedgerEntry,
    PaymentMethod,
    TicketNote,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from tests.support.world import World

REASON = "deposit_withdrawal"
USDT = 10**6


def _call(w: World, case: str) -> tuple[int, int, int]:
    ticket = w.verified_call(case, username="lina", reason=REASON)
    return ticket, w.agent("lina"), w.customer(case)


def _withdrawals(w: World, case: str) -> list[Transaction]:
    with w.sessions() as session:
        return list(
            session.scalars(
                select(Transaction)
                .where(Transaction.customer_id == w.customer(case), Transaction.kind == TransactionKind.WITHDRAWAL)
                .order_by(Transaction.created_at)
            )
        )


def _entries(w: World, case: str) -> list[LedgerEntry]:
    with w.sessions() as session:
        return list(session.scalars(select(LedgerEntry).where(LedgerEntry.customer_id == w.customer(case))))


# --- fee schedule and quotes ----------------------------------------------------------------


def test_fee_schedule_needs_no_verification(world: World) -> None:
    rows = fees.fee_schedule(world.sessions)  # no ticket, no agent, no caller
    assert rows == sorted(rows, key=lambda row: (row.direction, row.asset_code, row.method))
    (usdt_out,) = fees.fee_schedule(world.sessions, direction="withdrawal", asset_code="USDT", method="on_chain")
    assert (usdt_out.fee_fixed, usdt_out.fee_text, usdt_out.minimum_text) == (USDT, "1.000000 USDT", "10.000000 USDT")
    assert usdt_out.method_label == "On-chain" and usdt_out.expected_text == "within 2 hours"
    (cny_out,) = fees.fee_schedule(world.sessions, direction="withdrawal", asset_code="CNY", method="bank_transfer")
    assert cny_out.fee_text == "2.00 CNY + 0.10 %"
    assert cny_out.expected_text == "1 business day (24 h)" and cny_out.maximum_text == "50,000.00 CNY"
    (card_in,) = fees.fee_schedule(world.sessions, direction="deposit", asset_code="CNY", method="credit_card")
    assert card_in.expected_text == "instant" and card_in.fee_text == "2.50 %"
    assert all(row.direction == "deposit" for row in fees.fee_schedule(world.sessions, direction="deposit"))
    assert any(row.maximum is None and row.maximum_text is None for row in rows)
    for bad in ({"direction": "sideways"}, {"asset_code": "DOGE"}, {"method": "cheque"}):
        with pytest.raises(InvalidInput):
            fees.fee_schedule(world.sessions, **bad)


def test_quote_gives_the_fee_and_refuses_outside_the_limits(world: World) -> None:
    quote = fees.quote(world.sessions, "bank_transfer", "CNY", "withdrawal", "8000")
    assert (quote.amount, quote.fee, quote.net) == (800_000, 1_000, 801_000)  # 2 CNY + 0.1 % of 8,000
    assert quote.fee_text == "10.00 CNY" and quote.net_text == "8,010.00 CNY"
    assert fees.fee_for(200, 10, 800_000) == 1_000
    deposit = fees.quote(world.sessions, "credit_card", "USD", "deposit", "100")
    assert (deposit.fee, deposit.net) == (300, 9_700)
    with pytest.raises(Refused, match=r"^The minimum bank withdrawal is 100\.00 CNY\.$"):
        fees.quote(world.sessions, "bank_transfer", "CNY", "withdrawal", "99.99")
    with pytest.raises(Refused, match=r"50,000\.00 CNY"):
        fees.quote(world.sessions, "bank_transfer", "CNY", "withdrawal", "50000.01")
    with pytest.raises(Refused, match="do not offer"):
        fees.quote(world.sessions, "credit_card", "BTC", "withdrawal", "1")


def test_amount_with_too_many_decimals_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput, match="at most 2 decimal places"):
        fees.quote(world.sessions, "bank_transfer", "CNY", "withdrawal", "100.001")
    fees.quote(world.sessions, "on_chain", "USDT", "withdrawal", "100.000001")  # six places is fine for USDT
    ticket, agent, customer = _call(world, "delayed_withdrawal")
    for text in ("1.0000000001", "eight thousand", "1.2.3"):  # ten places fits no asset; words are no amount
        with pytest.raises(InvalidInput):
            st.statement(
                world.sessions,
                OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
                st.StatementFilter(amount_text=text),
            )


# --- statement --------------------------------------------------------------------------------


def test_statement_refused_before_verification(world: World) -> None:
    ticket = world.open_ticket("delayed_withdrawal", reason=REASON)
    with pytest.raises(NotVerified) as refused:
        st.statement(
            world.sessions,
            OnCall(
                agent_id=world.agent("lina"),
                now=world.now,
                ticket_id=ticket,
                customer_id=world.customer("delayed_withdrawal"),
            ),
        )
    assert str(refused.value).startswith("Caller not verified")
    (withdrawal,) = _withdrawals(world, "delayed_withdrawal")
    with pytest.raises(NotVerified):
        withdrawals.withdrawal_detail(
            world.sessions,
            OnCall(
                agent_id=world.agent("lina"),
                now=world.now,
                ticket_id=ticket,
                customer_id=world.customer("delayed_withdrawal"),
            ),
            withdrawal.id,
        )


def test_statement_filters_by_date_kind_status_and_amount(world: World) -> None:
    case = "delayed_withdrawal"
    ticket, agent, customer = _call(world, case)
    (withdrawal,) = _withdrawals(world, case)
    with world.sessions.begin() as session:  # the same spoken amount in another asset
        session.add(
            Transaction(
                customer_id=customer,
                asset_code="USDT",
                kind=TransactionKind.DEPOSIT,
                method=PaymentMethod.ON_CHAIN,
                status=TransactionStatus.COMPLETED,
                amount=8000 * USDT,
                fee=0,
                reference="TEST-USDT-8000",
                created_at=withdrawal.created_at - timedelta(days=1),
            )
        )

    def ids(**filters: object) -> set[int]:
        page = st.statement(
            world.sessions,
            OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
            st.StatementFilter(**filters),
            500,
        )
        return {row.transaction_id for row in page.rows}

    everything = st.statement(
        world.sessions, OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer), page_size=500
    ).rows
    assert len(everything) > 2
    by_id = {row.transaction_id: row for row in everything}
    assert ids(amount_text="8000", kinds=("withdrawal",)) == {withdrawal.id}
    assert {by_id[i].asset_code for i in ids(amount_text="8,000.00")} == {"CNY", "USDT"}
    assert by_id[withdrawal.id].amount_text == "8,000.00 CNY"
    day = withdrawal.created_at.date()
    assert withdrawal.id in ids(date_from=day, date_to=day)
    assert all(by_id[i].created_at.date() == day for i in ids(date_from=day, date_to=day))
    assert withdrawal.id not in ids(date_to=day - timedelta(days=1))
    assert ids(date_from=day + timedelta(days=1), date_to=day + timedelta(days=1)) == {
        row.transaction_id for row in everything if row.created_at.date() == day + timedelta(days=1)
    }
    assert ids(statuses=("delayed",)) == {withdrawal.id}
    assert ids(kinds=("deposit",)) == {row.transaction_id for row in everything if row.kind == "deposit"}
    assert ids(kinds=("deposit",)) and withdrawal.id not in ids(kinds=("deposit",))
    for bad in (
        {"kinds": ("refund",)},
        {"statuses": ("lost",)},
        {"date_from": day, "date_to": day - timedelta(days=1)},
    ):
        with pytest.raises(InvalidInput):
            ids(**bad)


def test_statement_pages_newest_first_through_thousands_of_rows(world_each_engine: World) -> None:
    w = world_each_engine
    case = "repeat_caller"
    ticket, agent, customer = _call(w, case)
    start = w.now - timedelta(days=400)
    rows = [
        {
            "customer_id": customer,
            "asset_code": "CNY",
            "kind": TransactionKind.DEPOSIT,
            "method": PaymentMethod.BANK_TRANSFER,
            "status": TransactionStatus.COMPLETED,
            "amount": 10_000 + n,
            "fee": 0,
            "reference": f"BULK-{n:05d}",
            # Every third row shares its timestamp with the next: the id must break the tie.
            "created_at": start + timedelta(minutes=(n // 3) * 7),
        }
        for n in range(3_000)
    ]
    with w.sessions.begin() as session:
        session.execute(insert(Transaction), rows)
    with w.sessions() as session:
        expected = [
            (created_at, tx_id)
            for tx_id, created_at in session.execute(
                select(Transaction.id, Transaction.created_at).where(Transaction.customer_id == customer)
            )
        ]
    expected.sort(reverse=True)
    seen: list[tuple[datetime, int]] = []
    cursor = None
    pages = 0
    while True:
        page = st.statement(
            w.sessions,
            OnCall(agent_id=agent, now=w.now, ticket_id=ticket, customer_id=customer),
            page_size=200,
            after=cursor,
        )
        pages += 1
        assert len(page.rows) <= 200
        seen.extend((row.created_at, row.transaction_id) for row in page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(expected) >= 3_000
    assert seen == expected  # newest first, no gap, no duplicate
    assert pages == -(-len(expected) // 200)
    with w.sessions() as session:  # one audit event for the statement, not one per page
        views = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "statement.view")
        )
    assert views == 1


# --- withdrawal status and follow-up ------------------------------------------------------------


def test_wrong_fee_shows_charged_and_scheduled_fee(world: World) -> None:
    case = "wrong_fee"
    ticket, agent, customer = _call(world, case)
    wrong = next(tx for tx in _withdrawals(world, case) if tx.amount == 500 * USDT)
    right = next(tx for tx in _withdrawals(world, case) if tx.amount == 300 * USDT)
    detail = withdrawals.withdrawal_detail(
        world.sessions, OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer), wrong.id
    )
    assert (detail.fee_charged, detail.fee_scheduled, detail.fee_differs) == (5 * USDT, 1 * USDT, True)
    assert (detail.fee_charged_text, detail.fee_scheduled_text) == ("5.000000 USDT", "1.000000 USDT")
    assert detail.expected_text == "within 2 hours" and detail.delayed is False
    fair = withdrawals.withdrawal_detail(
        world.sessions, OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer), right.id
    )
    assert fair.fee_charged == fair.fee_scheduled and not fair.fee_differs
    other = _withdrawals(world, "delayed_withdrawal")[0]
    with pytest.raises(NotFound):  # another customer's withdrawal is not this caller's
        withdrawals.withdrawal_detail(
            world.sessions, OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer), other.id
        )


def test_delayed_withdrawal_follow_up_sets_pending_ticket_and_tells_the_customer(world: World) -> None:
    case = "delayed_withdrawal"
    ticket, agent, customer = _call(world, case)
    (withdrawal,) = _withdrawals(world, case)
    detail = withdrawals.withdrawal_detail(
        world.sessions, OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer), withdrawal.id
    )
    assert detail.delayed and detail.amount_text == "8,000.00 CNY" and detail.status == "delayed"
    version = world.ticket(ticket).version
    estimate = datetime(world.now.year, world.now.month, world.now.day, 9, 30, tzinfo=UTC) + timedelta(days=2)
    due = (world.now + timedelta(days=1)).date()
    result = withdrawals.follow_up_withdrawal(
        world.sessions,
        OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
        withdrawal.id,
        estimate,
        due,
        "Bank confirms the payout is queued; told the caller.",
    )
    assert result == withdrawals.FollowUp(withdrawal.id, estimate, due, "pending")
    stored = world.ticket(ticket)
    assert (stored.status.value, stored.follow_up_due, stored.version) == ("pending", due, version)
    (after,) = _withdrawals(world, case)
    assert after.expected_by == estimate and after.status == TransactionStatus.DELAYED
    with world.sessions() as session:
        notes = list(session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == ticket)))
        audited = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "withdrawal.follow_up")
        )
    assert any("payout is queued" in note and estimate.strftime("%Y-%m-%d %H:%M UTC") in note for note in notes)
    assert audited == 1
    (message,) = recent_messages(world.sessions, world.keyring.fernet(), DEMO_ACCOUNTS[case].account_number, limit=1)
    assert message.kind == "withdrawal_delay"
    assert "8,000.00 CNY" in message.body and estimate.strftime("%Y-%m-%d %H:%M UTC") in message.body
    assert "您的提现" in message.body and "预计到账时间更新为" in message.body
    assert not withdrawals.withdrawal_detail(
        world.sessions, OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer), withdrawal.id
    ).delayed


def test_follow_up_needs_a_future_estimate_and_an_unfinished_withdrawal(world: World) -> None:
    ticket, agent, customer = _call(world, "wrong_fee")
    done = _withdrawals(world, "wrong_fee")[-1]
    assert done.status == TransactionStatus.COMPLETED
    later, today = world.now + timedelta(days=1), world.now.date()
    with pytest.raises(Refused, match="already completed"):
        withdrawals.follow_up_withdrawal(
            world.sessions,
            OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
            done.id,
            later,
            today,
            "note",
        )
    with pytest.raises(InvalidInput, match="future"):
        withdrawals.follow_up_withdrawal(
            world.sessions,
            OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
            done.id,
            world.now,
            today,
            "n",
        )
    with pytest.raises(InvalidInput, match="past"):
        withdrawals.follow_up_withdrawal(
            world.sessions,
            OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
            done.id,
            later,
            today - timedelta(days=1),
            "note",
        )


def test_follow_up_marks_a_pending_withdrawal_delayed(world: World) -> None:
    placed = wallet.place_withdrawal(
        world.sessions, world.customer("wrong_fee"), "USDT", "on_chain", 50 * USDT, "app-req-pending", world.now
    )
    ticket, agent, customer = _call(world, "wrong_fee")
    withdrawals.follow_up_withdrawal(
        world.sessions,
        OnCall(agent_id=agent, now=world.now, ticket_id=ticket, customer_id=customer),
        placed.transaction_id,
        world.now + timedelta(hours=6),
        world.now.date(),
        "Chain congested.",
    )
    with world.sessions() as session:
        assert session.get(Transaction, placed.transaction_id).status == TransactionStatus.DELAYED


# --- the wallet's withdrawal command ---------------------------------------------------------------


def _hold(w: World, case: str, until: datetime) -> None:
    with w.sessions.begin() as session:
        session.execute(update(Customer).where(Customer.id == w.customer(case)).values(withdrawals_held_until=until))


def test_withdrawal_refused_during_the_24h_hold_and_allowed_after(world_each_engine: World) -> None:
    w, case = world_each_engine, "wrong_fee"
    until = w.now + timedelta(hours=24)
    _hold(w, case, until)
    with pytest.raises(Refused) as refused:
        wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "on_chain", 20 * USDT, "hold-1", w.later(hours=1))
    assert str(refused.value) == (
        f"Withdrawals are on hold until {until:%H:%M} UTC on {until:%Y-%m-%d} after the account was unlocked."
    )
    assert not any(e.idempotency_key == "withdrawal:hold-1" for e in _entries(w, case))
    placed = wallet.place_withdrawal(
        w.sessions, w.customer(case), "USDT", "on_chain", 20 * USDT, "hold-1", w.later(hours=24, seconds=1)
    )
    assert placed.status == "pending" and placed.fee == 1 * USDT


def test_withdrawal_refused_for_locked_and_closed_accounts(world_each_engine: World) -> None:
    w = world_each_engine
    for case, word in (("locked_password_failures", "locked"), ("closed_account", "closed")):
        with pytest.raises(Refused, match=word):
            wallet.place_withdrawal(w.sessions, w.customer(case), "CNY", "bank_transfer", 100_00, f"st-{case}", w.now)


def test_withdrawal_below_minimum_refused(world_each_engine: World) -> None:
    w, case = world_each_engine, "wrong_fee"
    before = len(_entries(w, case))
    with pytest.raises(Refused, match=r"^The minimum on-chain withdrawal is 10\.000000 USDT\.$"):
        wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "on_chain", 9_999_999, "min-1", w.now)
    with pytest.raises(Refused, match="do not offer"):
        wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "bank_transfer", 100 * USDT, "min-2", w.now)
    with pytest.raises(Refused, match="Not enough USDT"):
        wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "on_chain", 99_000 * USDT, "min-3", w.now)
    assert len(_entries(w, case)) == before


def test_withdrawal_double_submit_gives_one_entry(world_each_engine: World) -> None:
    w, case = world_each_engine, "wrong_fee"
    first = wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "on_chain", 120 * USDT, "tap-twice", w.now)
    again = wallet.place_withdrawal(
        w.sessions, w.customer(case), "USDT", "on_chain", 120 * USDT, "tap-twice", w.later(seconds=2)
    )
    assert again == first
    journal = [e for e in _entries(w, case) if e.journal_id == first.journal_id]
    assert sorted((e.kind, e.amount) for e in journal) == sorted(
        [(EntryKind.WITHDRAWAL, -120 * USDT), (EntryKind.FEE, -1 * USDT)]
    )
    assert [tx.id for tx in _withdrawals(w, case) if tx.journal_id == first.journal_id] == [first.transaction_id]
    assert first.expected_by == w.now + timedelta(hours=2)


def test_same_key_different_amount_is_an_error(world_each_engine: World) -> None:
    w, case = world_each_engine, "wrong_fee"
    wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "on_chain", 30 * USDT, "same-key", w.now)
    with pytest.raises(Conflict, match=r"already placed for 30.000000 USDT"):
        wallet.place_withdrawal(w.sessions, w.customer(case), "USDT", "on_chain", 31 * USDT, "same-key", w.now)
    assert sum(1 for e in _entries(w, case) if e.kind == EntryKind.WITHDRAWAL and e.amount == -31 * USDT) == 0


def test_withdrawal_leaves_balance_equal_to_its_entries(world_each_engine: World) -> None:
    w, case = world_each_engine, "delayed_withdrawal"
    customer = w.customer(case)
    with w.sessions() as session:
        before = balance_of(session, customer, "CNY")
    placed = wallet.place_withdrawal(w.sessions, customer, "CNY", "bank_transfer", 1_234_56, "bal-1", w.now)
    assert placed.fee == 200 + 1_234_56 * 10 // 10_000
    with w.sessions() as session:
        assert balance_of(session, customer, "CNY") == before - 1_234_56 - placed.fee
        assert ledger_mismatches(session, [customer]) == []
