"""Where the verified caller's withdrawal stands, its fee against the schedule, and a follow-up when it is late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.context import OnCall
from console.services.errors import InvalidInput, NotFound, Refused
from console.services.fees import expected_text, fee_for, fee_rule
from console.services.free_text import free_text
from console.services.labels import method_label
from console.services.money import asset, format_money, lock_customer
from console.services.outbox import notify_customer
from console.services.unit_of_work import unit_of_work
from models import Direction, Ticket, TicketNote, Transaction, TransactionKind, TransactionStatus
from models.calls import TicketStatus

FINISHED = frozenset({TransactionStatus.COMPLETED, TransactionStatus.FAILED, TransactionStatus.REVERSED})


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
        raise NotFound(_("No such withdrawal for this customer."))
    return tx


def _detail(session: Session, tx: Transaction, now: datetime) -> WithdrawalDetail:
    view = asset(session, tx.asset_code)
    rule = fee_rule(session, tx.method, tx.asset_code, Direction.WITHDRAWAL)
    expected = tx.expected_by
    if expected is None and rule is not None:
        expected = tx.created_at + timedelta(hours=rule.expected_hours)
    scheduled = None if rule is None else fee_for(rule.fee_fixed, rule.fee_rate_bp, tx.amount)
    return WithdrawalDetail(
        transaction_id=tx.id,
        asset_code=tx.asset_code,
        method=tx.method.value,
        method_label=method_label(tx.method),
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
    call: OnCall,
    transaction_id: int,
) -> WithdrawalDetail:
    """Where one of the verified caller's withdrawals stands, and its fee against the schedule."""
    with unit_of_work(sessions, call, doing=N_("look at a withdrawal")) as uow:
        session = uow.session
        uow.verified_caller()
        detail = _detail(session, _withdrawal(session, call.caller_id, transaction_id), call.now)
        uow.record("withdrawal.view", "transaction", transaction_id, {"ticket": call.ticket_id})
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
    call: OnCall,
    transaction_id: int,
    new_estimate: datetime,
    due: date,
    note: str,
) -> FollowUp:
    """A late withdrawal gets a new estimate: marked delayed, the ticket waits for the follow-up
    date, the note is kept and the customer is told the new time."""
    if new_estimate.tzinfo is None:
        raise InvalidInput(_("Give the new estimate with its time zone."))
    if new_estimate <= call.now:
        raise InvalidInput(_("The new estimate must be in the future."))
    if due < call.now.astimezone(UTC).date():
        raise InvalidInput(_("The follow-up date cannot be in the past."))
    note = free_text(note).strip()
    if not note:
        raise InvalidInput(_("Write a note saying what you told the caller."))
    with unit_of_work(sessions, call, doing=N_("follow up a withdrawal")) as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller()
        customer = lock_customer(session, call.caller_id)
        tx = _withdrawal(session, call.caller_id, transaction_id)
        if tx.status in FINISHED:
            raise Refused(
                _("This withdrawal is already {value}; there is nothing to follow up.").format(value=tx.status.value)
            )
        view = asset(session, tx.asset_code)
        previous = tx.expected_by
        tx.expected_by = new_estimate
        if tx.status in (TransactionStatus.PENDING, TransactionStatus.PROCESSING):
            tx.status = TransactionStatus.DELAYED
        # Not the agent's form: no version bump, so an open ticket form stays valid.
        session.execute(
            update(Ticket)
            .where(Ticket.id == call.ticket_id)
            .values(status=TicketStatus.PENDING, follow_up_due=due, last_activity_at=call.now)
            .execution_options(synchronize_session=False)
        )
        amount = format_money(tx.amount, view)
        when = _utc_text(new_estimate)
        session.add(
            TicketNote(
                ticket_id=call.ticket_id,
                agent_id=agent.id,
                created_at=call.now,
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
            now=call.now,
            subject=N_("OK Wallet: your withdrawal"),
            body=N_("[OK Wallet] Your withdrawal of {amount} ({reference}) is delayed; the new estimate is {when}."),
            values={"amount": amount, "reference": tx.reference, "when": when},
            ticket_id=call.ticket_id,
        )
        uow.record(
            "withdrawal.follow_up",
            "transaction",
            tx.id,
            {
                "ticket": call.ticket_id,
                "previous_estimate": previous.isoformat() if previous else None,
                "new_estimate": new_estimate.isoformat(),
                "due": due.isoformat(),
            },
        )
    return FollowUp(transaction_id, new_estimate, due, TicketStatus.PENDING.value)
