"""The verified caller's statement: their transactions, newest first, filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.context import OnCall
from console.services.errors import InvalidInput
from console.services.fees import choice
from console.services.money import AssetView, all_assets, format_money, parse_amount
from console.services.unit_of_work import unit_of_work
from models import Adjustment, Dispute, Transaction, TransactionKind, TransactionStatus


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
    # The dispute about this row (the newest), or for an adjustment the dispute it settles.
    dispute_id: int | None = None


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
        raise InvalidInput(
            _("No asset we hold has that many decimal places: {strip!r}.").format(strip=text.strip()[:24])
        )
    return matches


def _disputes_of(session: Session, found: list[Transaction]) -> dict[int, int]:
    """Transaction id -> its dispute: the newest dispute about the row, or the one an adjustment settles."""
    if not found:
        return {}
    ids = [tx.id for tx in found]
    disputes: dict[int, int] = {
        transaction_id: dispute_id
        for transaction_id, dispute_id in session.execute(
            select(Dispute.transaction_id, func.max(Dispute.id))
            .where(Dispute.transaction_id.in_(ids))
            .group_by(Dispute.transaction_id)
        )
    }
    by_journal = {tx.journal_id: tx.id for tx in found if tx.kind == TransactionKind.ADJUSTMENT and tx.journal_id}
    if by_journal:
        for journal, dispute_id in session.execute(
            select(Adjustment.journal_id, Adjustment.dispute_id).where(Adjustment.journal_id.in_(list(by_journal)))
        ):
            if journal is not None:
                disputes[by_journal[journal]] = dispute_id
    return disputes


def _statement_row(tx: Transaction, view: AssetView, dispute_id: int | None = None) -> StatementRow:
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
        dispute_id,
    )


def statement(
    sessions: sessionmaker[Session],
    call: OnCall,
    filters: StatementFilter = StatementFilter(),
    page_size: int = 50,
    after: StatementCursor | None = None,
) -> StatementPage:
    """The verified caller's transactions, newest first, one page at a time (keyset on time and id)."""
    if not 1 <= page_size <= 500:
        raise InvalidInput(_("Show between 1 and 500 rows a page."))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput(_("The start date is after the end date."))
    kinds = [choice(TransactionKind, kind, "transaction kind") for kind in filters.kinds]
    statuses = [choice(TransactionStatus, status, "transaction status") for status in filters.statuses]
    with unit_of_work(sessions, call, doing=N_("read a statement")) as uow:
        session = uow.session
        uow.verified_caller()
        assets = all_assets(session)
        query = select(Transaction).where(Transaction.customer_id == call.caller_id)
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
        disputes = _disputes_of(session, found[:page_size])
        rows = tuple(_statement_row(tx, assets[tx.asset_code], disputes.get(tx.id)) for tx in found[:page_size])
        next_cursor = StatementCursor(rows[-1].created_at, rows[-1].transaction_id) if len(found) > page_size else None
        if after is None:  # once per statement opened, not per page turned
            uow.record(
                "statement.view",
                "customer",
                call.caller_id,
                {
                    "ticket": call.ticket_id,
                    "from": str(filters.date_from or ""),
                    "to": str(filters.date_to or ""),
                    "kinds": list(filters.kinds),
                    "statuses": list(filters.statuses),
                    "amount_filter": bool(filters.amount_text),
                },
            )
    return StatementPage(rows, next_cursor, filters)
