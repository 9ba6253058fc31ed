"""Deposits and withdrawals: the public fee schedule and quotes, the caller's statement, where a
withdrawal stands (and a follow-up when it is late), and the wallet's own withdrawal command."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from console.services import audit
from console.services.actors import active_agent
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.gate import require_verified_caller
from console.services.money import (
    AssetView,
    all_assets,
    asset,
    balance_of,
    format_money,
    lock_customer,
    parse_amount,
    post_entry,
)
from console.services.outbox import notify_customer
from models import (
    Direction,
    EntryKind,
    FeeSchedule,
    LedgerEntry,
    PaymentMethod,
    Ticket,
    TicketNote,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from models.calls import TicketStatus
from models.customers import CustomerStatus

METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.CREDIT_CARD: "Card",
    PaymentMethod.ON_CHAIN: "On-chain",
    PaymentMethod.INTERNAL: "Internal",
}
# Short words for refusals: "The minimum bank withdrawal is 100.00 CNY."
_METHOD_WORDS = {
    PaymentMethod.BANK_TRANSFER: "bank",
    PaymentMethod.CREDIT_CARD: "card",
    PaymentMethod.ON_CHAIN: "on-chain",
    PaymentMethod.INTERNAL: "internal",
}
FINISHED = frozenset({TransactionStatus.COMPLETED, TransactionStatus.FAILED, TransactionStatus.REVERSED})


def fee_for(rule_fixed: int, rule_rate_bp: int, amount: int) -> int:
    """The fee in minor units: the fixed part plus the rate in basis points, rounded down. Integers only."""
    return rule_fixed + amount * rule_rate_bp // 10_000


def rate_text(rate_bp: int) -> str:
    """Basis points as a percentage an agent can read out: 10 -> "0.10 %"."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole}.{part:02d} %"


def fee_text(fixed: int, rate_bp: int, view: AssetView) -> str:
    if fixed == 0 and rate_bp == 0:
        return "Free"
    parts = ([format_money(fixed, view)] if fixed else []) + ([rate_text(rate_bp)] if rate_bp else [])
    return " + ".join(parts)


def expected_text(hours: int) -> str:
    if hours == 0:
        return "instant"
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} business day{'s' if days != 1 else ''} ({hours} h)"
    return f"within {hours} hour{'s' if hours != 1 else ''}"


_E = TypeVar("_E", PaymentMethod, Direction, TransactionKind, TransactionStatus)


def _choice(enum_type: type[_E], value: str, what: str) -> _E:
    try:
        return enum_type(value)
    except ValueError:
        known = ", ".join(member.value for member in enum_type)
        raise InvalidInput(f"{str(value)[:24]!r} is not a {what}; use one of: {known}.") from None


def _asset_or_invalid(session: Session, code: str) -> AssetView:
    try:
        return asset(session, code.upper())
    except NotFound:
        raise InvalidInput(f"{code[:12]!r} is not an asset we hold.") from None


@dataclass(frozen=True)
class FeeRow:
    method: str
    method_label: str
    asset_code: str
    direction: str
    fee_text: str
    fee_fixed: int
    fee_rate_bp: int
    minimum: int
    minimum_text: str
    maximum: int | None
    maximum_text: str | None
    expected_hours: int
    expected_text: str
    notes: str | None


def _fee_row(rule: FeeSchedule, view: AssetView) -> FeeRow:
    return FeeRow(
        method=rule.method.value,
        method_label=METHOD_LABELS[rule.method],
        asset_code=rule.asset_code,
        direction=rule.direction.value,
        fee_text=fee_text(rule.fee_fixed, rule.fee_rate_bp, view),
        fee_fixed=rule.fee_fixed,
        fee_rate_bp=rule.fee_rate_bp,
        minimum=rule.minimum_amount,
        minimum_text=format_money(rule.minimum_amount, view),
        maximum=rule.maximum_amount,
        maximum_text=None if rule.maximum_amount is None else format_money(rule.maximum_amount, view),
        expected_hours=rule.expected_hours,
        expected_text=expected_text(rule.expected_hours),
        notes=rule.notes,
    )


def fee_schedule(
    sessions: sessionmaker[Session],
    direction: str | None = None,
    asset_code: str | None = None,
    method: str | None = None,
) -> list[FeeRow]:
    """The public fee schedule (no verification needed), sorted by direction, asset and method."""
    with sessions() as session:
        query = select(FeeSchedule)
        if direction is not None:
            query = query.where(FeeSchedule.direction == _choice(Direction, direction, "direction"))
        if asset_code is not None:
            query = query.where(FeeSchedule.asset_code == _asset_or_invalid(session, asset_code).code)
        if method is not None:
            query = query.where(FeeSchedule.method == _choice(PaymentMethod, method, "payment method"))
        assets = all_assets(session)
        rows = [_fee_row(rule, assets[rule.asset_code]) for rule in session.scalars(query)]
    return sorted(rows, key=lambda row: (row.direction, row.asset_code, row.method))


def _rule(session: Session, method: PaymentMethod, asset_code: str, direction: Direction) -> FeeSchedule | None:
    return session.scalar(
        select(FeeSchedule).where(
            FeeSchedule.method == method,
            FeeSchedule.asset_code == asset_code,
            FeeSchedule.direction == direction,
        )
    )


def _check_limits(rule: FeeSchedule, amount: int, view: AssetView) -> None:
    what = f"{_METHOD_WORDS[rule.method]} {rule.direction.value}"
    if amount < rule.minimum_amount:
        raise Refused(f"The minimum {what} is {format_money(rule.minimum_amount, view)}.")
    if rule.maximum_amount is not None and amount > rule.maximum_amount:
        raise Refused(f"The maximum {what} is {format_money(rule.maximum_amount, view)}.")


@dataclass(frozen=True)
class FeeQuote:
    method: str
    asset_code: str
    direction: str
    amount: int
    amount_text: str
    fee: int
    fee_text: str
    # A deposit credits amount - fee; a withdrawal takes amount + fee from the balance and sends amount.
    net: int
    net_text: str
    expected_text: str


def quote(
    sessions: sessionmaker[Session],
    method: str,
    asset_code: str,
    direction: str,
    amount_text: str,
) -> FeeQuote:
    """What a deposit or withdrawal of this amount costs and what arrives (public, no verification)."""
    chosen_method = _choice(PaymentMethod, method, "payment method")
    chosen_direction = _choice(Direction, direction, "direction")
    with sessions() as session:
        view = _asset_or_invalid(session, asset_code)
        amount = parse_amount(amount_text, view.scale, view.code)
        rule = _rule(session, chosen_method, view.code, chosen_direction)
        if rule is None:
            raise Refused(
                f"We do not offer {METHOD_LABELS[chosen_method].lower()} {chosen_direction.value}s in {view.code}."
            )
        _check_limits(rule, amount, view)
        fee = fee_for(rule.fee_fixed, rule.fee_rate_bp, amount)
        net = amount - fee if chosen_direction == Direction.DEPOSIT else amount + fee
        return FeeQuote(
            chosen_method.value,
            view.code,
            chosen_direction.value,
            amount,
            format_money(amount, view),
            fee,
            format_money(fee, view),
            net,
            format_money(net, view),
            expected_text(rule.expected_hours),
        )


# --- statement -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementFilter:
    date_from: date | None = None
    date_to: date | None = None
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    amount_text: str | None = None


@dataclass(frozen=True)
class StatementCursor:
    created_at: datetime
    transaction_id: int


@dataclass(frozen=True)
class StatementRow:
    transaction_id: int
    created_at: datetime
    kind: str
    method: str
    status: str
    asset_code: str
    amount: int
    amount_text: str
    fee_text: str
    reference: str
    counterparty: str | None
    expected_by: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True)
class StatementPage:
    rows: tuple[StatementRow, ...]
    next_cursor: StatementCursor | None = None
    filters: StatementFilter = field(default_factory=StatementFilter)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _amount_matches(text: str, assets: dict[str, AssetView]) -> list[tuple[str, int]]:
    """(asset, minor units) for every asset in which the spoken amount is exact."""
    matches = []
    for view in assets.values():
        try:
            matches.append((view.code, parse_amount(text, view.scale, view.code)))
        except InvalidInput:
            continue
    if not matches:
        # Say why in the caller's terms: not an amount at all, or more decimals than any asset has.
        parse_amount(text, max(view.scale for view in assets.values()))
        raise InvalidInput(f"No asset we hold has that many decimal places: {text.strip()[:24]!r}.")
    return matches


def _statement_row(tx: Transaction, view: AssetView) -> StatementRow:
    return StatementRow(
        tx.id,
        tx.created_at,
        tx.kind.value,
        tx.method.value,
        tx.status.value,
        tx.asset_code,
        tx.amount,
        format_money(tx.amount, view),
        format_money(tx.fee, view),
        tx.reference,
        tx.counterparty,
        tx.expected_by,
        tx.completed_at,
    )


def statement(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    customer_id: int,
    now: datetime,
    filters: StatementFilter = StatementFilter(),
    page_size: int = 50,
    after: StatementCursor | None = None,
) -> StatementPage:
    """The verified caller's transactions, newest first, one page at a time (keyset on time and id)."""
    if not 1 <= page_size <= 500:
        raise InvalidInput("Show between 1 and 500 rows a page.")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput("The start date is after the end date.")
    kinds = [_choice(TransactionKind, kind, "transaction kind") for kind in filters.kinds]
    statuses = [_choice(TransactionStatus, status, "transaction status") for status in filters.statuses]
    with sessions.begin() as session:
        agent = active_agent(session, agent_id, doing="read a statement", now=now)
        require_verified_caller(session, ticket_id, agent.id, customer_id, now)
        assets = all_assets(session)
        query = select(Transaction).where(Transaction.customer_id == customer_id)
        if filters.date_from:
            query = query.where(Transaction.created_at >= _day_start(filters.date_from))
        if filters.date_to:
            query = query.where(Transaction.created_at < _day_start(filters.date_to + timedelta(days=1)))
        if kinds:
            query = query.where(Transaction.kind.in_(kinds))
        if statuses:
            query = query.where(Transaction.status.in_(statuses))
        if filters.amount_text is not None and filters.amount_text.strip():
            query = query.where(
                or_(
                    *(
                        and_(Transaction.asset_code == code, Transaction.amount == minor)
                        for code, minor in _amount_matches(filters.amount_text, assets)
                    )
                )
            )
        if after is not None:
            query = query.where(
                or_(
                    Transaction.created_at < after.created_at,
                    and_(Transaction.created_at == after.created_at, Transaction.id < after.transaction_id),
                )
            )
        query = query.order_by(Transaction.created_at.desc(), Transaction.id.desc()).limit(page_size + 1)
        found = list(session.scalars(query))
        rows = tuple(_statement_row(tx, assets[tx.asset_code]) for tx in found[:page_size])
        next_cursor = StatementCursor(rows[-1].created_at, rows[-1].transaction_id) if len(found) > page_size else None
        if after is None:  # once per statement opened, not per page turned
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="statement.view",
                subject_type="customer",
                subject_id=customer_id,
                details={
                    "ticket": ticket_id,
                    "from": str(filters.date_from or ""),
                    "to": str(filters.date_to or ""),
                    "kinds": list(filters.kinds),
                    "statuses": list(filters.statuses),
                    "amount_filter": bool(filters.amount_text),
                },
                now=now,
            )
    return StatementPage(rows, next_cursor, filters)


# --- withdrawals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawalDetail:
    transaction_id: int
    asset_code: str
    method: str
    method_label: str
    status: str
    amount: int
    amount_text: str
    placed_at: datetime
    expected_by: datetime | None
    completed_at: datetime | None
    delayed: bool
    fee_charged: int
    fee_charged_text: str
    # What the schedule says for this amount today (None when there is no rule for it).
    fee_scheduled: int | None
    fee_scheduled_text: str | None
    fee_differs: bool
    expected_text: str | None
    reference: str


def _withdrawal(session: Session, customer_id: int, transaction_id: int) -> Transaction:
    tx = session.get(Transaction, transaction_id)
    if tx is None or tx.customer_id != customer_id or tx.kind != TransactionKind.WITHDRAWAL:
        raise NotFound("No such withdrawal for this customer.")
    return tx


def _detail(session: Session, tx: Transaction, now: datetime) -> WithdrawalDetail:
    view = asset(session, tx.asset_code)
    rule = _rule(session, tx.method, tx.asset_code, Direction.WITHDRAWAL)
    expected = tx.expected_by
    if expected is None and rule is not None:
        expected = tx.created_at + timedelta(hours=rule.expected_hours)
    scheduled = None if rule is None else fee_for(rule.fee_fixed, rule.fee_rate_bp, tx.amount)
    return WithdrawalDetail(
        transaction_id=tx.id,
        asset_code=tx.asset_code,
        method=tx.method.value,
        method_label=METHOD_LABELS[tx.method],
        status=tx.status.value,
        amount=tx.amount,
        amount_text=format_money(tx.amount, view),
        placed_at=tx.created_at,
        expected_by=expected,
        completed_at=tx.completed_at,
        delayed=tx.status not in FINISHED and expected is not None and now > expected,
        fee_charged=tx.fee,
        fee_charged_text=format_money(tx.fee, view),
        fee_scheduled=scheduled,
        fee_scheduled_text=None if scheduled is None else format_money(scheduled, view),
        fee_differs=scheduled is not None and scheduled != tx.fee,
        expected_text=None if rule is None else expected_text(rule.expected_hours),
        reference=tx.reference,
    )


def withdrawal_detail(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    customer_id: int,
    transaction_id: int,
    now: datetime,
) -> WithdrawalDetail:
    """Where one of the verified caller's withdrawals stands, and its fee against the schedule."""
    with sessions.begin() as session:
        agent = active_agent(session, agent_id, doing="look at a withdrawal", now=now)
        require_verified_caller(session, ticket_id, agent.id, customer_id, now)
        detail = _detail(session, _withdrawal(session, customer_id, transaction_id), now)
        audit.record(
            session,
            actor=agent.username,
            actor_agent_id=agent.id,
            action="withdrawal.view",
            subject_type="transaction",
            subject_id=transaction_id,
            details={"ticket": ticket_id},
            now=now,
        )
    return detail


@dataclass(frozen=True)
class FollowUp:
    transaction_id: int
    new_estimate: datetime
    due: date
    ticket_status: str


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def follow_up_withdrawal(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    customer_id: int,
    transaction_id: int,
    new_estimate: datetime,
    due: date,
    note: str,
    now: datetime,
) -> FollowUp:
    """A late withdrawal gets a new estimate: marked delayed, the ticket waits for the follow-up
    date, the note is kept and the customer is told the new time."""
    if new_estimate.tzinfo is None:
        raise InvalidInput("Give the new estimate with its time zone.")
    if new_estimate <= now:
        raise InvalidInput("The new estimate must be in the future.")
    if due < now.astimezone(UTC).date():
        raise InvalidInput("The follow-up date cannot be in the past.")
    note = free_text(note).strip()
    if not note:
        raise InvalidInput("Write a note saying what you told the caller.")
    with sessions.begin() as session:
        agent = active_agent(session, agent_id, doing="follow up a withdrawal", now=now)
        require_verified_caller(session, ticket_id, agent.id, customer_id, now)
        customer = lock_customer(session, customer_id)
        tx = _withdrawal(session, customer_id, transaction_id)
        if tx.status in FINISHED:
            raise Refused(f"This withdrawal is already {tx.status.value}; there is nothing to follow up.")
        view = asset(session, tx.asset_code)
        previous = tx.expected_by
        tx.expected_by = new_estimate
        if tx.status in (TransactionStatus.PENDING, TransactionStatus.PROCESSING):
            tx.status = TransactionStatus.DELAYED
        # Not the agent's form: no version bump, so an open ticket form stays valid.
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(status=TicketStatus.PENDING, follow_up_due=due, last_activity_at=now)
            .execution_options(synchronize_session=False)
        )
        amount = format_money(tx.amount, view)
        when = _utc_text(new_estimate)
        session.add(
            TicketNote(
                ticket_id=ticket_id,
                agent_id=agent.id,
                created_at=now,
                body=(
                    f"{note}\n[Withdrawal {tx.reference} of {amount}: "
                    f"new estimate {when}; follow up by {due.isoformat()}]"
                ),
            )
        )
        notify_customer(
            session,
            customer,
            kind="withdrawal_delay",
            now=now,
            subject="Your withdrawal / 您的提现",
            body=(
                f"OK Wallet：您的提现 {amount}（{tx.reference}）有所延迟，预计到账时间更新为 {when}。"
                f" OK Wallet: your withdrawal of {amount} ({tx.reference}) is delayed;"
                f" the new estimate is {when}."
            ),
        )
        audit.record(
            session,
            actor=agent.username,
            actor_agent_id=agent.id,
            action="withdrawal.follow_up",
            subject_type="transaction",
            subject_id=tx.id,
            details={
                "ticket": ticket_id,
                "previous_estimate": previous.isoformat() if previous else None,
                "new_estimate": new_estimate.isoformat(),
                "due": due.isoformat(),
            },
            now=now,
        )
    return FollowUp(transaction_id, new_estimate, due, TicketStatus.PENDING.value)


@dataclass(frozen=True)
class WithdrawalView:
    transaction_id: int
    customer_id: int
    asset_code: str
    method: str
    amount: int
    amount_text: str
    fee: int
    fee_text: str
    status: str
    reference: str
    journal_id: str
    placed_at: datetime
    expected_by: datetime | None


def _withdrawal_view(tx: Transaction, view: AssetView) -> WithdrawalView:
    return WithdrawalView(
        tx.id,
        tx.customer_id,
        tx.asset_code,
        tx.method.value,
        tx.amount,
        format_money(tx.amount, view),
        tx.fee,
        format_money(tx.fee, view),
        tx.status.value,
        tx.reference,
        tx.journal_id or "",
        tx.created_at,
        tx.expected_by,
    )


def place_withdrawal(
    sessions: sessionmaker[Session],
    customer_id: int,
    asset_code: str,
    method: str,
    amount: int,
    idempotency_key: str,
    now: datetime,
) -> WithdrawalView:
    """The customer's app asks to withdraw (the wallet side, not an agent action). The same key
    again returns the first withdrawal; a different amount under that key is a conflict."""
    chosen = _choice(PaymentMethod, method, "payment method")
    if not idempotency_key or len(idempotency_key) > 60:
        raise InvalidInput("A withdrawal needs a request key of at most 60 characters.")
    if amount <= 0:
        raise InvalidInput("The withdrawal amount must be more than zero.")
    entry_key, fee_key = (
        f"withdrawal:{idempotency_key}",
        f"withdrawal-fee:{idempotency_key}",
    )
    with sessions.begin() as session:
        customer = lock_customer(session, customer_id)
        view = _asset_or_invalid(session, asset_code)
        earlier = session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == entry_key))
        if earlier is not None:
            tx = session.scalar(select(Transaction).where(Transaction.journal_id == earlier.journal_id))
            if earlier.customer_id != customer_id or tx is None:
                raise Conflict("That request key was already used for another withdrawal.")
            if tx.amount != amount or tx.asset_code != view.code or tx.method != chosen:
                raise Conflict(
                    f"That request was already placed for {format_money(tx.amount, asset(session, tx.asset_code))}; "
                    "a different withdrawal needs a new request."
                )
            return _withdrawal_view(tx, view)
        if customer.status == CustomerStatus.LOCKED:
            raise Refused("The account is locked; withdrawals are not allowed until it is unlocked.")
        if customer.status == CustomerStatus.CLOSED:
            raise Refused("The account is closed; no withdrawals.")
        held = customer.withdrawals_held_until
        if held is not None and now < held:
            held = held.astimezone(UTC)
            raise Refused(
                f"Withdrawals are on hold until {held:%H:%M} UTC on {held:%Y-%m-%d} after the account was unlocked."
            )
        rule = _rule(session, chosen, view.code, Direction.WITHDRAWAL)
        if rule is None:
            raise Refused(f"We do not offer {METHOD_LABELS[chosen].lower()} withdrawals in {view.code}.")
        _check_limits(rule, amount, view)
        fee = fee_for(rule.fee_fixed, rule.fee_rate_bp, amount)
        available = balance_of(session, customer_id, view.code)
        if amount + fee > available:
            raise Refused(
                f"Not enough {view.code}: {format_money(amount, view)} plus a fee of "
                f"{format_money(fee, view)} is more than the balance of {format_money(available, view)}."
            )
        journal = str(uuid.uuid4())
        reference = f"WD-{journal[:8].upper()}"
        post_entry(
            session,
            customer_id=customer_id,
            asset_code=view.code,
            amount=-amount,
            kind=EntryKind.WITHDRAWAL,
            description=f"Withdrawal {reference} ({METHOD_LABELS[chosen]})",
            journal_id=journal,
            now=now,
            idempotency_key=entry_key,
        )
        if fee > 0:
            post_entry(
                session,
                customer_id=customer_id,
                asset_code=view.code,
                amount=-fee,
                kind=EntryKind.FEE,
                description=f"Fee for withdrawal {reference}",
                journal_id=journal,
                now=now,
                idempotency_key=fee_key,
            )
        tx = Transaction(
            customer_id=customer_id,
            asset_code=view.code,
            kind=TransactionKind.WITHDRAWAL,
            method=chosen,
            status=TransactionStatus.PENDING,
            amount=amount,
            fee=fee,
            reference=reference,
            journal_id=journal,
            created_at=now,
            expected_by=now + timedelta(hours=rule.expected_hours),
        )
        session.add(tx)
        session.flush()
        audit.record(
            session,
            actor=f"customer:{customer_id}",
            action="withdrawal.place",
            subject_type="transaction",
            subject_id=tx.id,
            details={"asset": view.code, "method": chosen.value, "key": idempotency_key[:40]},
            now=now,
        )
        return _withdrawal_view(tx, view)
