"""The verified caller's security review (2FA, logins, failed attempts, recent transactions) and the
standard advice the agent gave on the call."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.context import OnCall
from console.services.errors import InvalidInput, NotFound, Refused
from console.services.gate import STEP_UP_WINDOW
from console.services.labels import lock_reason_label
from console.services.masking import mask_email, mask_phone
from console.services.money import all_assets, format_money
from console.services.unit_of_work import unit_of_work
from console.services.unlocks import UnlockRequestView, pending_request, request_view
from models import Customer, LockReason, LoginEvent, Ticket, TicketStatus, Transaction

FAILED_LOGIN_WINDOW = timedelta(days=30)
RECENT_LOGINS = 10
RECENT_TRANSACTIONS = 10

# The standard advice, in the order the agent gives it.
ADVICE = {
    "strong_password": N_("Change the password to a strong one you use nowhere else"),
    "enable_2fa": N_("Turn on two-factor authentication (authenticator app)"),
    "review_transactions": N_("Review the statement regularly and call us about anything unknown"),
    "never_share_codes": N_("Never share a code: we will never ask for one or for the password"),
}


@dataclass(frozen=True)
class LoginView:
    occurred_at: datetime
    region: str
    device: str
    success: bool
    unusual: bool


@dataclass(frozen=True)
class RecentTransaction:
    transaction_id: int
    created_at: datetime
    kind: str
    status: str
    amount_text: str


@dataclass(frozen=True)
class SecurityReview:
    customer_id: int
    status: str
    lock_reason: str | None
    lock_label: str | None
    locked_at: datetime | None
    two_factor: bool
    phone_bound: bool
    password_reset_required: bool
    withdrawals_held_until: datetime | None
    logins: tuple[LoginView, ...]
    failed_logins_30_days: int
    transactions: tuple[RecentTransaction, ...]
    advice_given: tuple[str, ...]
    # A pending unlock request for this customer, if any.
    pending_unlock: UnlockRequestView | None
    # The account number, for the confirmation that names the account an unlock acts on.
    account_number: str = ""
    # The contact on file, masked, for the confirmation of a contact change.
    phone_masked: str | None = None
    email_masked: str | None = None
    # Until when the code this call passed still counts for an unlock (the step-up window), so the
    # screen can ask for a fresh code before the agent confirms an unlock the service would refuse.
    code_fresh_until: datetime | None = None

    @property
    def agent_may_unlock(self) -> bool:
        return self.lock_reason == LockReason.PASSWORD_FAILURES.value


def security_review(
    sessions: sessionmaker[Session],
    call: OnCall,
) -> SecurityReview:
    """2FA, logins with region and device, failed attempts, recent transactions: for a verified caller."""
    with unit_of_work(sessions, call, doing=N_("review account security")) as uow:
        session = uow.session
        ticket = uow.verified_caller()
        customer = session.get(Customer, call.caller_id)
        if customer is None:
            raise NotFound(_("No such customer."))
        logins = session.scalars(
            select(LoginEvent)
            .where(LoginEvent.customer_id == call.caller_id)
            .order_by(LoginEvent.occurred_at.desc(), LoginEvent.id.desc())
            .limit(RECENT_LOGINS)
        ).all()
        failed = session.scalar(
            select(func.count())
            .select_from(LoginEvent)
            .where(
                LoginEvent.customer_id == call.caller_id,
                LoginEvent.success.is_(False),
                LoginEvent.occurred_at > call.now - FAILED_LOGIN_WINDOW,
            )
        )
        rows = session.scalars(
            select(Transaction)
            .where(Transaction.customer_id == call.caller_id)
            .order_by(Transaction.created_at.desc(), Transaction.id.desc())
            .limit(RECENT_TRANSACTIONS)
        ).all()
        assets = all_assets(session)
        pending = pending_request(session, call.caller_id)
        reason = customer.lock_reason.value if customer.lock_reason else None
        return SecurityReview(
            customer_id=customer.id,
            status=customer.status.value,
            lock_reason=reason,
            lock_label=lock_reason_label(reason),
            locked_at=customer.locked_at,
            two_factor=customer.two_factor_enabled,
            phone_bound=customer.phone_bound,
            password_reset_required=customer.password_reset_required,
            withdrawals_held_until=customer.withdrawals_held_until,
            logins=tuple(LoginView(e.occurred_at, e.region, e.device, e.success, e.unusual) for e in logins),
            failed_logins_30_days=failed or 0,
            transactions=tuple(
                RecentTransaction(
                    t.id, t.created_at, t.kind.value, t.status.value, format_money(t.amount, assets[t.asset_code])
                )
                for t in rows
            ),
            advice_given=_advice_codes(ticket.advice_given),
            pending_unlock=request_view(session, pending) if pending is not None else None,
            account_number=customer.account_number,
            phone_masked=mask_phone(customer.phone_e164),
            email_masked=mask_email(customer.email),
            code_fresh_until=ticket.verified_at + STEP_UP_WINDOW if ticket.verified_at is not None else None,
        )


def _advice_codes(stored: str | None) -> tuple[str, ...]:
    return tuple(code for code in (stored or "").split(",") if code)


def record_advice(
    sessions: sessionmaker[Session],
    call: OnCall,
    advice: Collection[str],
) -> tuple[str, ...]:
    """Save which standard advice the agent gave on this call (replacing the earlier ticks)."""
    unknown = sorted(set(advice) - ADVICE.keys())
    if unknown:
        raise InvalidInput(_("Unknown advice: {unknown}.").format(unknown=", ".join(unknown)))
    given = tuple(code for code in ADVICE if code in advice)
    with unit_of_work(sessions, call, doing=N_("record advice")) as uow:
        session = uow.session
        ticket = uow.own_ticket(call.ticket_id)
        if ticket.status == TicketStatus.CLOSED:
            raise Refused(_("This call has been wrapped up; reopen the ticket to change it."))
        # Not an edit of the agent's form: no version bump, so the open ticket stays saveable.
        session.execute(
            update(Ticket)
            .where(Ticket.id == call.ticket_id)
            .values(advice_given=",".join(given) or None, last_activity_at=call.now)
            .execution_options(synchronize_session=False)
        )
        uow.record("ticket.advice", "ticket", call.ticket_id, {"advice": list(given)})
    return given
