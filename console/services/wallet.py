"""The wallet's own side: the customer's app places a withdrawal (not an agent action, so no unit of work
for an agent: the customer is the actor)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import _
from console.services import audit
from console.services.errors import Conflict, InvalidInput, Refused
from console.services.fees import asset_or_invalid, check_limits, choice, fee_for, fee_rule
from console.services.labels import method_label
from console.services.money import AssetView, asset, balance_of, format_money, lock_customer, post_entry
from models import Direction, EntryKind, LedgerEntry, PaymentMethod, Transaction, TransactionKind, TransactionStatus
from models.customers import CustomerStatus


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
    chosen = choice(PaymentMethod, method, "payment method")
    if not idempotency_key or len(idempotency_key) > 60:
        raise InvalidInput(_("A withdrawal needs a request key of at most 60 characters."))
    if amount <= 0:
        raise InvalidInput(_("The withdrawal amount must be more than zero."))
    entry_key, fee_key = (
        f"withdrawal:{idempotency_key}",
        f"withdrawal-fee:{idempotency_key}",
    )
    with sessions.begin() as session:
        customer = lock_customer(session, customer_id)
        view = asset_or_invalid(session, asset_code)
        earlier = session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == entry_key))
        if earlier is not None:
            tx = session.scalar(select(Transaction).where(Transaction.journal_id == earlier.journal_id))
            if earlier.customer_id != customer_id or tx is None:
                raise Conflict(_("That request key was already used for another withdrawal."))
            if tx.amount != amount or tx.asset_code != view.code or tx.method != chosen:
                raise Conflict(
                    _(
                        "That request was already placed for {format_money}; a different withdrawal needs a new "
                        "request."
                    ).format(format_money=format_money(tx.amount, asset(session, tx.asset_code)))
                )
            return _withdrawal_view(tx, view)
        if customer.status == CustomerStatus.LOCKED:
            raise Refused(_("The account is locked; withdrawals are not allowed until it is unlocked."))
        if customer.status == CustomerStatus.CLOSED:
            raise Refused(_("The account is closed; no withdrawals."))
        held = customer.withdrawals_held_until
        if held is not None and now < held:
            held = held.astimezone(UTC)
            raise Refused(
                _(
                    "Withdrawals are on hold until {held:%H:%M} UTC on {held:%Y-%m-%d} after the account was unlocked."
                ).format(held=held)
            )
        rule = fee_rule(session, chosen, view.code, Direction.WITHDRAWAL)
        if rule is None:
            raise Refused(
                _("We do not offer {lower} withdrawals in {code}.").format(
                    lower=method_label(chosen).lower(), code=view.code
                )
            )
        check_limits(rule, amount, view)
        fee = fee_for(rule.fee_fixed, rule.fee_rate_bp, amount)
        available = balance_of(session, customer_id, view.code)
        if amount + fee > available:
            raise Refused(
                _(
                    "Not enough {code}: {format_money} plus a fee of {format_money2} is more than the balance "
                    "of {format_money3}."
                ).format(
                    code=view.code,
                    format_money=format_money(amount, view),
                    format_money2=format_money(fee, view),
                    format_money3=format_money(available, view),
                )
            )
        journal = str(uuid.uuid4())
        reference = f"WD-{journal[:8].upper()}"
        # The withdrawal and its fee leave the balance in one journal (no fee entry for a free method).
        for leaving, kind, description, key in (
            (amount, EntryKind.WITHDRAWAL, f"Withdrawal {reference} ({method_label(chosen)})", entry_key),
            (fee, EntryKind.FEE, f"Fee for withdrawal {reference}", fee_key),
        ):
            if leaving > 0:
                post_entry(
                    session,
                    customer_id=customer_id,
                    asset_code=view.code,
                    amount=-leaving,
                    kind=kind,
                    description=description,
                    journal_id=journal,
                    now=now,
                    idempotency_key=key,
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
