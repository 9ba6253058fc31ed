"""The caller's account once verified: the security review and advice, unlocking (at once or through a
supervisor's approval), contact changes, and the supervisor's lift of a verification lockout."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from console.services import approvals
from console.services.actors import SUPERVISORS, require_enabled
from console.services.customers import LOCK_REASON_LABELS
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text, one_line
from console.services.lookup import normalize_phone
from console.services.masking import mask_email, mask_phone
from console.services.money import all_assets, format_money, lock_customer
from console.services.outbox import notify_customer
from console.services.unit_of_work import UnitOfWork, unit_of_work
from models import (
    Agent,
    ApprovalStatus,
    Customer,
    CustomerStatus,
    LockReason,
    LoginEvent,
    Ticket,
    TicketNote,
    TicketStatus,
    Transaction,
    UnlockRequest,
)

# After any unlock, withdrawals wait this long, so a takeover that got through cannot cash out at once.
WITHDRAWAL_HOLD = timedelta(hours=24)
FAILED_LOGIN_WINDOW = timedelta(days=30)
RECENT_LOGINS = 10
RECENT_TRANSACTIONS = 10
MAX_REASON = 1_000

# The standard advice, in the order the agent gives it.
ADVICE = {
    "strong_password": "Change the password to a strong one you use nowhere else",
    "enable_2fa": "Turn on two-factor authentication (authenticator app)",
    "review_transactions": "Review the statement regularly and call us about anything unknown",
    "never_share_codes": "Never share a code: we will never ask for one or for the password",
}
_SUPERVISOR_LOCKS = (LockReason.ABNORMAL_LOGIN, LockReason.RISK)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REQUEST_CHANGED = "Someone else changed this unlock request first; review their change, then save again."
_DECIDING = "This unlock request changed while you were deciding it; review it again."


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

    @property
    def agent_may_unlock(self) -> bool:
        return self.lock_reason == LockReason.PASSWORD_FAILURES.value


@dataclass(frozen=True)
class UnlockResult:
    customer_id: int
    password_reset_required: bool
    withdrawals_held_until: datetime


@dataclass(frozen=True)
class UnlockRequestView:
    request_id: int
    customer_id: int
    account_number: str
    customer_name: str
    lock_reason: str | None
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    # Everyone who changed it while it waited (none of them may decide it), first change first.
    edited_by: tuple[str, ...]
    decided_by: str | None
    decision_reason: str | None
    version: int


@dataclass(frozen=True)
class ContactChange:
    field: str
    old_masked: str | None
    new_masked: str | None


def _reason(text: str, what: str = "the reason") -> str:
    text = free_text(text).strip()
    if not text:
        raise InvalidInput(f"Enter {what}.")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"Keep {what} under {MAX_REASON:,} characters.")
    return text


def _note(session: Session, ticket_id: int | None, agent: Agent, body: str, now: datetime) -> None:
    if ticket_id is not None:
        session.add(TicketNote(ticket_id=ticket_id, agent_id=agent.id, body=body, created_at=now))


def _request_view(session: Session, request: UnlockRequest) -> UnlockRequestView:
    customer = session.get(Customer, request.customer_id)
    assert customer is not None  # a foreign key
    who = approvals.people(session, request)
    return UnlockRequestView(
        request_id=request.id,
        customer_id=customer.id,
        account_number=customer.account_number,
        customer_name=customer.full_name,
        lock_reason=customer.lock_reason.value if customer.lock_reason else None,
        reason=request.reason,
        requested_by=who.requested_by,
        requested_at=request.requested_at,
        status=request.status.value,
        edited_by=who.edited_by,
        decided_by=who.decided_by,
        decision_reason=request.decision_reason,
        version=request.version,
    )


def _pending_request(session: Session, customer_id: int) -> UnlockRequest | None:
    return session.scalar(
        select(UnlockRequest).where(
            UnlockRequest.customer_id == customer_id, UnlockRequest.status == ApprovalStatus.PENDING
        )
    )


# --- the security review ---------------------------------------------------------------------


def security_review(
    sessions: sessionmaker[Session], ticket_id: int, agent_id: int, customer_id: int, now: datetime
) -> SecurityReview:
    """2FA, logins with region and device, failed attempts, recent transactions: for a verified caller."""
    with unit_of_work(sessions, agent_id, now, doing="review account security") as uow:
        session = uow.session
        ticket = uow.verified_caller(ticket_id, customer_id)
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("No such customer.")
        logins = session.scalars(
            select(LoginEvent)
            .where(LoginEvent.customer_id == customer_id)
            .order_by(LoginEvent.occurred_at.desc(), LoginEvent.id.desc())
            .limit(RECENT_LOGINS)
        ).all()
        failed = session.scalar(
            select(func.count())
            .select_from(LoginEvent)
            .where(
                LoginEvent.customer_id == customer_id,
                LoginEvent.success.is_(False),
                LoginEvent.occurred_at > now - FAILED_LOGIN_WINDOW,
            )
        )
        rows = session.scalars(
            select(Transaction)
            .where(Transaction.customer_id == customer_id)
            .order_by(Transaction.created_at.desc(), Transaction.id.desc())
            .limit(RECENT_TRANSACTIONS)
        ).all()
        assets = all_assets(session)
        pending = _pending_request(session, customer_id)
        reason = customer.lock_reason.value if customer.lock_reason else None
        return SecurityReview(
            customer_id=customer.id,
            status=customer.status.value,
            lock_reason=reason,
            lock_label=LOCK_REASON_LABELS.get(reason or ""),
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
            pending_unlock=_request_view(session, pending) if pending is not None else None,
        )


def _advice_codes(stored: str | None) -> tuple[str, ...]:
    return tuple(code for code in (stored or "").split(",") if code)


def record_advice(
    sessions: sessionmaker[Session], ticket_id: int, agent_id: int, advice: Collection[str], now: datetime
) -> tuple[str, ...]:
    """Save which standard advice the agent gave on this call (replacing the earlier ticks)."""
    unknown = sorted(set(advice) - ADVICE.keys())
    if unknown:
        raise InvalidInput(f"Unknown advice: {', '.join(unknown)}.")
    given = tuple(code for code in ADVICE if code in advice)
    with unit_of_work(sessions, agent_id, now, doing="record advice") as uow:
        session = uow.session
        ticket = uow.own_ticket(ticket_id)
        if ticket.status == TicketStatus.CLOSED:
            raise Refused("This call has been wrapped up; reopen the ticket to change it.")
        # Not an edit of the agent's form: no version bump, so the open ticket stays saveable.
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(advice_given=",".join(given) or None, last_activity_at=now)
            .execution_options(synchronize_session=False)
        )
        uow.record("ticket.advice", "ticket", ticket_id, {"advice": list(given)})
    return given


# --- unlocking -------------------------------------------------------------------------------


def _unlock(
    uow: UnitOfWork,
    customer: Customer,
    agent: Agent,
    ticket_id: int | None,
    reason: str,
    *,
    approved_by: Agent | None = None,
) -> UnlockResult:
    """What every unlock does: a password reset at next login, withdrawals held, the customer told."""
    session, now = uow.session, uow.now
    was = customer.lock_reason.value if customer.lock_reason else None
    held_until = now + WITHDRAWAL_HOLD
    customer.status = CustomerStatus.ACTIVE
    customer.lock_reason = None
    customer.locked_at = None
    customer.failed_password_count = 0
    customer.password_reset_required = True
    customer.withdrawals_held_until = held_until
    notify_customer(
        session,
        customer,
        kind="unlock",
        now=now,
        subject="OK Wallet account unlocked",
        body=(
            "【OK钱包】您的账户已解锁。下次登录时请重设密码；"
            f"为保障安全，提现将暂停至 {held_until:%Y-%m-%d %H:%M} UTC。"
            "如非本人操作，请立即致电客服。"
            f" [OK Wallet] Your account is unlocked. Please set a new password when you next log in;"
            f" withdrawals are on hold until {held_until:%Y-%m-%d %H:%M} UTC. If this wasn't you, call us now."
        ),
    )
    who = f", approved by {approved_by.username}" if approved_by else ""
    _note(
        session,
        ticket_id,
        approved_by or agent,
        f"Account unlocked ({LOCK_REASON_LABELS.get(was or '', was)}{who}): {reason}",
        now,
    )
    uow.record(
        "account.unlock",
        "customer",
        customer.id,
        {
            "lock_reason": was,
            "ticket": ticket_id,
            "requested_by": agent.username,
            "withdrawals_held_until": held_until.isoformat(),
        },
        by=approved_by or agent,
    )
    session.flush()
    return UnlockResult(customer.id, True, held_until)


def unlock_account(
    sessions: sessionmaker[Session], ticket_id: int, agent_id: int, customer_id: int, reason: str, now: datetime
) -> UnlockResult:
    """Unlock a password-failure lock for a caller who passed a factor in the last 5 minutes."""
    reason = _reason(reason)
    stale = "The account changed while unlocking it; look at the card again."
    with unit_of_work(sessions, agent_id, now, doing="unlock accounts", stale=stale) as uow:
        uow.verified_caller(ticket_id, customer_id, fresh=True)
        customer = lock_customer(uow.session, customer_id)
        if customer.status != CustomerStatus.LOCKED:
            raise Refused("This account is not locked.")
        if customer.lock_reason in _SUPERVISOR_LOCKS:
            label = LOCK_REASON_LABELS[customer.lock_reason.value].lower()
            raise Refused(
                f"This account was locked for {label}: only a supervisor can approve the unlock."
                " File an unlock request instead."
            )
        return _unlock(uow, customer, uow.agent, ticket_id, reason)


def request_unlock(
    sessions: sessionmaker[Session], ticket_id: int, agent_id: int, customer_id: int, reason: str, now: datetime
) -> UnlockRequestView:
    """File the unlock of a risk or abnormal-login lock for a supervisor to approve."""
    reason = _reason(reason)
    with unit_of_work(sessions, agent_id, now, doing="request unlocks") as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller(ticket_id, customer_id, fresh=True)
        customer = lock_customer(session, customer_id)
        if customer.status != CustomerStatus.LOCKED:
            raise Refused("This account is not locked.")
        if customer.lock_reason not in _SUPERVISOR_LOCKS:
            raise Refused("A password-failure lock needs no approval: unlock it directly.")
        pending = _pending_request(session, customer_id)
        if pending is not None:
            view = _request_view(session, pending)
            raise Conflict(
                f"{view.requested_by} already filed an unlock request at {view.requested_at:%H:%M} UTC;"
                " it is waiting for a supervisor."
            )
        request = UnlockRequest(
            customer_id=customer_id,
            ticket_id=ticket_id,
            reason=reason,
            status=ApprovalStatus.PENDING,
            requested_by_agent_id=agent.id,
            requested_at=now,
        )
        session.add(request)
        session.flush()
        _note(session, ticket_id, agent, f"Unlock request U{request.id} filed for a supervisor: {reason}", now)
        uow.record("unlock.request", "unlock_request", request.id, {"customer": customer_id, "ticket": ticket_id})
        return _request_view(session, request)


def amend_unlock_request(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    request_id: int,
    expected_version: int,
    reason: str,
    now: datetime,
) -> UnlockRequestView:
    """Change the reason of a pending unlock request, on a call with its customer (who passed a factor in
    the last 5 minutes), say with what a later call brought. The agent who amends it may not decide it,
    and an approval of the earlier version is void."""
    reason = _reason(reason)
    with unit_of_work(sessions, agent_id, now, doing="amend unlock requests", stale=_REQUEST_CHANGED) as uow:
        session, agent = uow.session, uow.agent
        request = session.get(UnlockRequest, request_id)
        if request is None:
            raise NotFound("No such unlock request.")
        uow.verified_caller(ticket_id, request.customer_id, fresh=True)
        lock_customer(session, request.customer_id)
        session.refresh(request)
        if request.status != ApprovalStatus.PENDING:
            raise Refused(f"This unlock request was already {request.status.value}; it can no longer change.")
        if request.version != expected_version:
            raise Conflict(_REQUEST_CHANGED)
        request.reason = reason
        approvals.record_edit(session, request, agent, "the reason", now)
        _note(session, ticket_id, agent, f"Unlock request U{request.id} amended: {reason}", now)
        uow.record("unlock.amend", "unlock_request", request.id, {"customer": request.customer_id, "ticket": ticket_id})
        return _request_view(session, request)


def pending_unlock_requests(sessions: sessionmaker[Session], supervisor_id: int) -> list[UnlockRequestView]:
    """Unlock requests waiting for a supervisor, oldest first."""
    with sessions() as session:
        require_enabled(session, supervisor_id, *SUPERVISORS, doing="see the escalation queue")
        requests = session.scalars(
            select(UnlockRequest)
            .where(UnlockRequest.status == ApprovalStatus.PENDING)
            .order_by(UnlockRequest.requested_at, UnlockRequest.id)
        ).all()
        return [_request_view(session, request) for request in requests]


def _decidable(session: Session, supervisor: Agent, request_id: int, expected_version: int) -> UnlockRequest:
    request = session.get(UnlockRequest, request_id)
    if request is None:
        raise NotFound("No such unlock request.")
    lock_customer(session, request.customer_id)
    session.refresh(request)
    if request.status != ApprovalStatus.PENDING:
        raise Refused(f"This unlock request was already {request.status.value}.")
    if request.version != expected_version:
        raise Conflict("This unlock request changed since you opened it; review it again.")
    approvals.require_another_person(session, request, supervisor)
    return request


def approve_unlock(
    sessions: sessionmaker[Session],
    supervisor_id: int,
    request_id: int,
    expected_version: int,
    reason: str,
    now: datetime,
) -> UnlockRequestView:
    """A supervisor other than the requester approves; the account is unlocked in the same transaction."""
    reason = _reason(reason)
    with unit_of_work(sessions, supervisor_id, now, *SUPERVISORS, doing="approve unlocks", stale=_DECIDING) as uow:
        session, supervisor = uow.session, uow.agent
        request = _decidable(session, supervisor, request_id, expected_version)
        customer = session.get(Customer, request.customer_id)
        assert customer is not None
        requester = session.get(Agent, request.requested_by_agent_id)
        assert requester is not None
        request.status = ApprovalStatus.APPROVED
        approvals.record_decision(request, supervisor, reason, now)
        if customer.status == CustomerStatus.LOCKED:
            _unlock(uow, customer, requester, request.ticket_id, request.reason, approved_by=supervisor)
        # Its own event, so an approval is on record even when the account was unlocked meanwhile.
        uow.record(
            "unlock.approve",
            "unlock_request",
            request.id,
            {"customer": customer.id, "requested_by": requester.username},
        )
        session.flush()
        return _request_view(session, request)


def reject_unlock(
    sessions: sessionmaker[Session],
    supervisor_id: int,
    request_id: int,
    expected_version: int,
    reason: str,
    now: datetime,
) -> UnlockRequestView:
    """A supervisor turns the unlock down; the account stays locked and the customer is told."""
    reason = _reason(reason)
    with unit_of_work(sessions, supervisor_id, now, *SUPERVISORS, doing="reject unlocks", stale=_DECIDING) as uow:
        session, supervisor = uow.session, uow.agent
        request = _decidable(session, supervisor, request_id, expected_version)
        customer = session.get(Customer, request.customer_id)
        assert customer is not None
        request.status = ApprovalStatus.REJECTED
        approvals.record_decision(request, supervisor, reason, now)
        notify_customer(
            session,
            customer,
            kind="unlock",
            now=now,
            subject="OK Wallet account review",
            body="【OK钱包】经审核，您的账户暂时无法解锁，请携带身份证件联系客服。"
            " [OK Wallet] After review, your account stays locked for now; please call us"
            " with your ID document at hand.",
        )
        _note(session, request.ticket_id, supervisor, f"Unlock request U{request.id} turned down: {reason}", now)
        uow.record("unlock.reject", "unlock_request", request.id, {"customer": customer.id})
        session.flush()
        return _request_view(session, request)


# --- the verification lockout ----------------------------------------------------------------


def lift_verification_lockout(
    sessions: sessionmaker[Session], supervisor_id: int, ticket_id: int, reason: str, now: datetime
) -> None:
    """The supervisor escalation for a caller locked out of verification after 5 failures.

    It clears the lockout; it does not verify anyone: the caller must still pass a factor.
    """
    reason = _reason(reason)
    with unit_of_work(sessions, supervisor_id, now, *SUPERVISORS, doing="lift a verification lockout") as uow:
        session, supervisor = uow.session, uow.agent
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.customer_id is None:
            raise NotFound("No such call with a customer.")
        customer = lock_customer(session, ticket.customer_id)
        if customer.verify_locked_until is None or customer.verify_locked_until <= now:
            raise Refused("This caller is not locked out of verification.")
        # Throttle state, not an agent edit: no version bump on the customer.
        session.execute(
            update(Customer)
            .where(Customer.id == customer.id)
            .values(verify_failures=0, verify_locked_until=None)
            .execution_options(synchronize_session=False)
        )
        _note(session, ticket_id, supervisor, f"Verification lockout lifted by {supervisor.username}: {reason}", now)
        uow.record("verification.lockout_lifted", "customer", customer.id, {"ticket": ticket_id})


# --- contact data ----------------------------------------------------------------------------


def change_contact(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    customer_id: int,
    field: str,
    new_value: str,
    now: datetime,
    default_region: str = "CN",
) -> ContactChange:
    """Change the phone or email on file, for a caller who passed a factor in the last 5 minutes.

    The old contact is told, so a takeover that got this far is still noticed.
    """
    mask: Callable[[str | None], str | None]
    if field == "phone":
        value = normalize_phone(new_value, default_region)
        if value is None:
            raise InvalidInput("That is not a phone number we can use; include the country code for a foreign number.")
        mask = mask_phone
    elif field == "email":
        value = one_line(new_value).strip()
        if len(value) > 254 or not _EMAIL.match(value):
            raise InvalidInput("That is not an email address we can use.")
        mask = mask_email
    else:
        raise InvalidInput("Only the phone number or the email can be changed here.")
    stale = "The customer's details changed meanwhile; look at the card again."
    with unit_of_work(sessions, agent_id, now, doing="change contact data", stale=stale) as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller(ticket_id, customer_id, fresh=True)
        customer = lock_customer(session, customer_id)
        old = customer.phone_e164 if field == "phone" else customer.email
        if old == value:
            raise InvalidInput(f"That is already the {field} on file.")
        what = "手机号码" if field == "phone" else "邮箱"
        notice = (
            f"【OK钱包】您账户的{what}已在客服通话中更改。如非本人操作，请立即致电客服。"
            f" [OK Wallet] The {field} on your account was changed on a call with us."
            " If this wasn't you, call us now."
        )
        notify_customer(
            session,
            customer,
            kind="contact_change",
            body=notice,
            now=now,
            subject="OK Wallet contact details changed",
        )
        if field == "phone":
            customer.phone_e164, customer.phone_last4 = value, value[-4:]
        else:
            customer.email = value
        session.flush()
        # A pending unlock is decided on this account as it was (its unlock notice goes to this contact):
        # whoever changes the contact meanwhile is one of its editors.
        pending = _pending_request(session, customer_id)
        if pending is not None:
            approvals.record_edit(session, pending, agent, f"the customer's {field}", now)
        change = ContactChange(field, mask(old), mask(value))
        _note(session, ticket_id, agent, f"Changed the {field} from {change.old_masked} to {change.new_masked}.", now)
        uow.record(
            "customer.contact_change",
            "customer",
            customer_id,
            {"field": field, "from": change.old_masked, "to": change.new_masked},
        )
        return change
