"""Unlocking an account: at once for a password-failure lock, or through a supervisor's two-person
approval for a risk or abnormal-login lock; and the supervisor's lift of a verification lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import approvals
from console.services.actors import SUPERVISORS, require_enabled, require_fresh_password
from console.services.announce import ItemKind, announce
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.labels import lock_reason_label
from console.services.money import lock_customer
from console.services.outbox import notify_customer
from console.services.rows import ActingAgent
from console.services.unit_of_work import UnitOfWork, unit_of_work
from models import Agent, ApprovalStatus, Customer, CustomerStatus, LockReason, Ticket, UnlockRequest

# After any unlock, withdrawals wait this long, so a takeover that got through cannot cash out at once.
WITHDRAWAL_HOLD = timedelta(hours=24)
MAX_REASON = 1_000
_SUPERVISOR_LOCKS = (LockReason.ABNORMAL_LOGIN, LockReason.RISK)
_REQUEST_CHANGED = N_("Someone else changed this unlock request first; review their change, then save again.")
_DECIDING = N_("This unlock request changed while you were deciding it; review it again.")


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


def _reason(text: str, what: str = N_("the reason")) -> str:
    text = free_text(text).strip()
    if not text:
        raise InvalidInput(_("Enter {what}.").format(what=_(what)))
    if len(text) > MAX_REASON:
        raise InvalidInput(
            _("Keep {what} under {MAX_REASON:,} characters.").format(what=_(what), MAX_REASON=MAX_REASON)
        )
    return text


# A reason typed for an unlock or a decision: cleaned, required, not too long.
checked_reason = _reason


def request_view(session: Session, request: UnlockRequest) -> UnlockRequestView:
    """The request as the escalation queue and the security review show it."""
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


def pending_request(session: Session, customer_id: int) -> UnlockRequest | None:
    """The customer's unlock request still waiting for a supervisor, if any."""
    return session.scalar(
        select(UnlockRequest).where(
            UnlockRequest.customer_id == customer_id, UnlockRequest.status == ApprovalStatus.PENDING
        )
    )


# --- unlocking -------------------------------------------------------------------------------


def _unlock(
    uow: UnitOfWork,
    customer: Customer,
    agent: ActingAgent,
    ticket_id: int | None,
    reason: str,
    *,
    approved_by: ActingAgent | None = None,
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
        subject=N_("OK Wallet account unlocked"),
        body=N_(
            "[OK Wallet] Your account is unlocked. Please set a new password when you next log in; withdrawals"
            " are on hold until {held_until:%Y-%m-%d %H:%M} UTC. If this wasn't you, call us now."
        ),
        values={"held_until": held_until},
        ticket_id=ticket_id,
    )
    who = f", approved by {approved_by.username}" if approved_by else ""
    uow.note(
        ticket_id,
        f"Account unlocked ({lock_reason_label(was) or was}{who}): {reason}",
        by=approved_by or agent,
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
    sessions: sessionmaker[Session],
    call: OnCall,
    reason: str,
) -> UnlockResult:
    """Unlock a password-failure lock for a caller who passed a factor in the last 5 minutes."""
    reason = _reason(reason)
    stale = N_("The account changed while unlocking it; look at the card again.")
    with unit_of_work(sessions, call, doing=N_("unlock accounts"), stale=stale) as uow:
        uow.verified_caller(fresh=True)
        customer = lock_customer(uow.session, call.caller_id)
        if customer.status != CustomerStatus.LOCKED:
            raise Refused(_("This account is not locked."))
        if customer.lock_reason in _SUPERVISOR_LOCKS:
            label = lock_reason_label(customer.lock_reason.value).lower()
            raise Refused(
                _(
                    "This account was locked for {label}: only a supervisor can approve the unlock. File an "
                    "unlock request instead."
                ).format(label=label)
            )
        return _unlock(uow, customer, uow.agent, call.ticket_id, reason)


def request_unlock(
    sessions: sessionmaker[Session],
    call: OnCall,
    reason: str,
) -> UnlockRequestView:
    """File the unlock of a risk or abnormal-login lock for a supervisor to approve."""
    reason = _reason(reason)
    with unit_of_work(sessions, call, doing=N_("request unlocks")) as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller(fresh=True)
        customer = lock_customer(session, call.caller_id)
        if customer.status != CustomerStatus.LOCKED:
            raise Refused(_("This account is not locked."))
        if customer.lock_reason not in _SUPERVISOR_LOCKS:
            raise Refused(_("A password-failure lock needs no approval: unlock it directly."))
        pending = pending_request(session, call.caller_id)
        if pending is not None:
            view = request_view(session, pending)
            raise Conflict(
                _(
                    "{requested_by} already filed an unlock request at {requested_at:%H:%M} UTC; it is waiting "
                    "for a supervisor."
                ).format(requested_by=view.requested_by, requested_at=view.requested_at)
            )
        request = UnlockRequest(
            customer_id=call.caller_id,
            ticket_id=call.ticket_id,
            reason=reason,
            status=ApprovalStatus.PENDING,
            requested_by_agent_id=agent.id,
            requested_at=call.now,
        )
        session.add(request)
        session.flush()
        announce(session, ItemKind.UNLOCK, request.id)
        uow.note(call.ticket_id, f"Unlock request U{request.id} filed for a supervisor: {reason}")
        uow.record(
            "unlock.request", "unlock_request", request.id, {"customer": call.caller_id, "ticket": call.ticket_id}
        )
        return request_view(session, request)


def amend_unlock_request(
    sessions: sessionmaker[Session],
    call: OnCall,
    request_id: int,
    expected_version: int,
    reason: str,
) -> UnlockRequestView:
    """Change the reason of a pending unlock request, on a call with its customer (who passed a factor in
    the last 5 minutes), say with what a later call brought. The agent who amends it may not decide it,
    and an approval of the earlier version is void."""
    reason = _reason(reason)
    with unit_of_work(sessions, call, doing=N_("amend unlock requests"), stale=_REQUEST_CHANGED) as uow:
        session, agent = uow.session, uow.agent
        request = session.get(UnlockRequest, request_id)
        if request is None:
            raise NotFound(_("No such unlock request."))
        uow.verified_caller(request.customer_id, fresh=True)
        lock_customer(session, request.customer_id)
        session.refresh(request)
        if request.status != ApprovalStatus.PENDING:
            raise Refused(
                _("This unlock request was already {value}; it can no longer change.").format(
                    value=request.status.value
                )
            )
        if request.version != expected_version:
            raise Conflict(_(_REQUEST_CHANGED))
        request.reason = reason
        approvals.record_edit(session, request, agent, "the reason", call.now)
        uow.note(call.ticket_id, f"Unlock request U{request.id} amended: {reason}")
        uow.record(
            "unlock.amend", "unlock_request", request.id, {"customer": request.customer_id, "ticket": call.ticket_id}
        )
        return request_view(session, request)


def pending_unlock_requests(sessions: sessionmaker[Session], supervisor_id: int) -> list[UnlockRequestView]:
    """Unlock requests waiting for a supervisor, oldest first."""
    with sessions() as session:
        require_enabled(session, supervisor_id, *SUPERVISORS, doing=N_("see the escalation queue"))
        requests = session.scalars(
            select(UnlockRequest)
            .where(UnlockRequest.status == ApprovalStatus.PENDING)
            .order_by(UnlockRequest.requested_at, UnlockRequest.id)
        ).all()
        return [request_view(session, request) for request in requests]


def _decidable(session: Session, supervisor: ActingAgent, request_id: int, expected_version: int) -> UnlockRequest:
    request = session.get(UnlockRequest, request_id)
    if request is None:
        raise NotFound(_("No such unlock request."))
    lock_customer(session, request.customer_id)
    session.refresh(request)
    if request.status != ApprovalStatus.PENDING:
        raise Refused(_("This unlock request was already {value}.").format(value=request.status.value))
    if request.version != expected_version:
        raise Conflict(_("This unlock request changed since you opened it; review it again."))
    approvals.require_another_person(session, request, supervisor)
    return request


def _deciding(uow: UnitOfWork, request_id: int, expected_version: int, doing: str) -> tuple[UnlockRequest, Customer]:
    """The request a supervisor decides, and its customer: their password typed lately, the request still
    pending at the version they saw, and not one they filed or changed."""
    require_fresh_password(uow.agent, uow.now, doing=doing)
    request = _decidable(uow.session, uow.agent, request_id, expected_version)
    return request, uow.session.get_one(Customer, request.customer_id)


def approve_unlock(
    sessions: sessionmaker[Session],
    actor: Actor,
    request_id: int,
    expected_version: int,
    reason: str,
) -> UnlockRequestView:
    """A supervisor other than the requester approves; the account is unlocked in the same transaction."""
    reason = _reason(reason)
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("approve unlocks"), stale=_DECIDING) as uow:
        session, supervisor = uow.session, uow.agent
        request, customer = _deciding(uow, request_id, expected_version, "approve unlocks")
        requester = session.get(Agent, request.requested_by_agent_id)
        assert requester is not None
        approvals.decide(request, supervisor, ApprovalStatus.APPROVED, reason, actor.now)
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
        return request_view(session, request)


def reject_unlock(
    sessions: sessionmaker[Session],
    actor: Actor,
    request_id: int,
    expected_version: int,
    reason: str,
) -> UnlockRequestView:
    """A supervisor turns the unlock down; the account stays locked and the customer is told."""
    reason = _reason(reason)
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("reject unlocks"), stale=_DECIDING) as uow:
        session, supervisor = uow.session, uow.agent
        request, customer = _deciding(uow, request_id, expected_version, "turn unlocks down")
        approvals.decide(request, supervisor, ApprovalStatus.REJECTED, reason, actor.now)
        notify_customer(
            session,
            customer,
            kind="unlock",
            now=actor.now,
            subject=N_("OK Wallet account review"),
            body=N_(
                "[OK Wallet] After review, your account stays locked for now; please call us with your ID"
                " document at hand."
            ),
            ticket_id=request.ticket_id,
        )
        uow.note(request.ticket_id, f"Unlock request U{request.id} turned down: {reason}")
        uow.record("unlock.reject", "unlock_request", request.id, {"customer": customer.id})
        session.flush()
        return request_view(session, request)


# --- the verification lockout ----------------------------------------------------------------


def lift_verification_lockout(
    sessions: sessionmaker[Session],
    actor: Actor,
    ticket_id: int,
    reason: str,
) -> None:
    """The supervisor escalation for a caller locked out of verification after 5 failures.

    It clears the lockout; it does not verify anyone: the caller must still pass a factor.
    """
    reason = _reason(reason)
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("lift a verification lockout")) as uow:
        session, supervisor = uow.session, uow.agent
        require_fresh_password(supervisor, actor.now, doing=N_("lift a verification lockout"))
        customer = locked_out_caller(session, ticket_id, actor.now)
        # Throttle state, not an agent edit: no version bump on the customer.
        session.execute(
            update(Customer)
            .where(Customer.id == customer.id)
            .values(verify_failures=0, verify_locked_until=None)
            .execution_options(synchronize_session=False)
        )
        notify_customer(
            session,
            customer,
            kind="verification",
            now=actor.now,
            subject=N_("OK Wallet identity check"),
            body=N_(
                "[OK Wallet] A supervisor lifted the lock on your identity check; the agent will send you a new"
                " code. If you did not call us, call us now."
            ),
            ticket_id=ticket_id,
        )
        announce(session, ItemKind.LOCKOUT, ticket_id)
        uow.note(ticket_id, f"Verification lockout lifted by {supervisor.username}: {reason}")
        uow.record("verification.lockout_lifted", "customer", customer.id, {"ticket": ticket_id, "reason": reason})


def locked_out_caller(session: Session, ticket_id: int, now: datetime) -> Customer:
    """The customer of this call, locked for the transaction, who is locked out of verification now."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.customer_id is None:
        raise NotFound(_("No such call with a customer."))
    customer = lock_customer(session, ticket.customer_id)
    if customer.verify_locked_until is None or customer.verify_locked_until <= now:
        raise Refused(_("This caller is not locked out of verification."))
    return customer
