"""One item of the escalation queue opened: what the supervisor needs to decide it, in one read.

Every item shows the call's timeline (its audit events and notes, in time order, in words), the
customer's other adjustments of the last 24 hours, and what approving or turning it down will do, in
the words the confirmation repeats. An adjustment adds its dispute with the statement row; an unlock
request the lock with the login events; a lockout the verification attempts that caused it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import approvals
from console.services.actors import SUPERVISORS, require_enabled, usernames
from console.services.adjustments import APPROVAL_WINDOW
from console.services.announce import ItemKind
from console.services.context import Actor
from console.services.disputes import AdjustmentView, DisputeView, adjustment_view, dispute_view
from console.services.errors import NotFound
from console.services.escalations import EscalationItem, find_item, lock_words, one_snapshot
from console.services.labels import department_label, lock_reason_label, product_area_label
from console.services.money import all_assets, format_money
from console.services.security_review import RECENT_LOGINS, LoginView
from console.services.unlocks import WITHDRAWAL_HOLD
from models import (
    Adjustment,
    Agent,
    AuditEvent,
    Customer,
    Dispute,
    Feedback,
    InsiderAlert,
    LoginEvent,
    TicketNote,
    UnlockRequest,
    VerificationAttempt,
)

# Audit actions in the words a timeline uses ("lina opened the ticket"); others are spelled out.
ACTION_WORDS = {
    "ticket.open": N_("opened the ticket"),
    "ticket.update": N_("changed the ticket"),
    "ticket.note": N_("added a note"),
    "ticket.advice": N_("recorded the advice given"),
    "ticket.wrap_up": N_("wrapped up the call"),
    "ticket.reopen": N_("reopened the ticket"),
    "verification.start": N_("started verifying the caller"),
    "verification.lockout_lifted": N_("lifted the verification lockout"),
    "verification.lockout_kept": N_("left the verification lockout in place"),
    "dispute.open": N_("opened the dispute"),
    "dispute.update": N_("changed the dispute"),
    "dispute.investigate": N_("started investigating the dispute"),
    "dispute.reject": N_("rejected the dispute"),
    "adjustment.propose": N_("proposed the adjustment"),
    "adjustment.edit": N_("changed the adjustment"),
    "adjustment.approve": N_("approved the adjustment"),
    "adjustment.reject": N_("turned the adjustment down"),
    "unlock.request": N_("filed the unlock request"),
    "unlock.amend": N_("amended the unlock request"),
    "unlock.approve": N_("approved the unlock"),
    "unlock.reject": N_("turned the unlock down"),
    "account.unlock": N_("unlocked the account"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the call's timeline: when, who, and what happened (an action or a note)."""

    at: datetime
    who: str | None
    what: str
    is_note: bool = False


@dataclass(frozen=True)
class LockView:
    """The lock an unlock request would lift, and the request itself."""

    status: str
    lock_label: str | None
    locked_at: datetime | None
    request_reason: str
    edited_by: tuple[str, ...]


@dataclass(frozen=True)
class AttemptView:
    """One verification attempt on the lockout's customer."""

    at: datetime
    factor: str
    success: bool
    failure_reason: str | None
    agent: str


@dataclass(frozen=True)
class EscalationDetail:
    item: EscalationItem
    # None for an item about an agent, not a customer (an insider alert).
    customer_name: str | None
    account_number: str | None
    # What each decision will do, in the words the confirmation repeats.
    approve_words: str
    reject_words: str
    timeline: tuple[TimelineEntry, ...]
    # The customer's other adjustments of the last 24 hours (any status), newest first.
    other_adjustments: tuple[AdjustmentView, ...]
    # Who changed it while it waited (none of them may decide it).
    edited_by: tuple[str, ...] = ()
    dispute: DisputeView | None = None
    lock: LockView | None = None
    logins: tuple[LoginView, ...] = ()
    attempts: tuple[AttemptView, ...] = ()
    # Other facts of the case, each a label and its words (a complaint's words, an alert's count).
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Subject:
    """What a kind of item is about: its customer, the audit subjects of its timeline, and its own parts."""

    customer: Customer | None
    audit_subjects: tuple[tuple[str, object], ...]
    approve_words: str
    reject_words: str
    edited_by: tuple[str, ...] = ()
    dispute: DisputeView | None = None
    lock: LockView | None = None
    logins: tuple[LoginView, ...] = ()
    attempts: tuple[AttemptView, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()


Detailer = Callable[[Session, EscalationItem, datetime], _Subject]


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def _adjustment(session: Session, item: EscalationItem, now: datetime) -> _Subject:
    adjustment = session.get(Adjustment, item.subject_id)
    assert adjustment is not None  # it is in the queue
    customer = _customer(session, adjustment.customer_id)
    dispute = session.get(Dispute, adjustment.dispute_id)
    assert dispute is not None  # a foreign key
    amount = format_money(adjustment.amount, all_assets(session)[adjustment.asset_code])
    return _Subject(
        customer,
        (("adjustment", adjustment.id), ("dispute", dispute.id)),
        approve_words=_("Post {amount} to {account_number}").format(
            amount=amount, account_number=customer.account_number
        ),
        reject_words=(
            _(
                "Turn down the adjustment of {amount} to {account_number}; dispute D{id} goes back to investigating"
            ).format(amount=amount, account_number=customer.account_number, id=dispute.id)
        ),
        dispute=dispute_view(session, dispute),
        edited_by=approvals.people(session, adjustment).edited_by,
    )


def _unlock(session: Session, item: EscalationItem, now: datetime) -> _Subject:
    request = session.get(UnlockRequest, item.subject_id)
    assert request is not None  # it is in the queue
    customer = _customer(session, request.customer_id)
    logins = session.scalars(
        select(LoginEvent)
        .where(LoginEvent.customer_id == customer.id)
        .order_by(LoginEvent.occurred_at.desc(), LoginEvent.id.desc())
        .limit(RECENT_LOGINS)
    ).all()
    people = approvals.people(session, request)
    reason = customer.lock_reason.value if customer.lock_reason else None
    hold = int(WITHDRAWAL_HOLD.total_seconds() // 3600)
    return _Subject(
        customer,
        (("unlock_request", request.id),),
        approve_words=(
            _(
                "Unlock {account_number}, lifting a {lock_words}; the customer sets a new password and "
                "withdrawals are held for {hold} hours"
            ).format(account_number=customer.account_number, lock_words=lock_words(customer.lock_reason), hold=hold)
        ),
        reject_words=_("Keep {account_number} locked and turn the unlock request down").format(
            account_number=customer.account_number
        ),
        lock=LockView(
            customer.status.value,
            lock_reason_label(reason),
            customer.locked_at,
            request.reason,
            people.edited_by,
        ),
        logins=tuple(LoginView(e.occurred_at, e.region, e.device, e.success, e.unusual) for e in logins),
        edited_by=people.edited_by,
    )


def _lockout(session: Session, item: EscalationItem, now: datetime) -> _Subject:
    customer_id = session.scalar(
        select(VerificationAttempt.customer_id).where(VerificationAttempt.ticket_id == item.subject_id).limit(1)
    )
    assert customer_id is not None  # the lockout happened on this call
    customer = _customer(session, customer_id)
    attempts = session.execute(
        select(VerificationAttempt, Agent.username)
        .join(Agent, Agent.id == VerificationAttempt.agent_id)
        .where(VerificationAttempt.customer_id == customer.id, VerificationAttempt.attempted_at > now - _ATTEMPTS)
        .order_by(VerificationAttempt.attempted_at, VerificationAttempt.id)
    ).all()
    until = _("{until:%H:%M} UTC").format(until=item.until) if item.until else _("its end")
    return _Subject(
        customer,
        (),
        approve_words=(
            _(
                "Lift the verification lockout of {account_number}: {value} may send a new code, and the "
                "caller must still pass it"
            ).format(account_number=customer.account_number, value=item.asked_by or _("the agent"))
        ),
        reject_words=_("Leave the verification lockout of {account_number} in place until {until}").format(
            account_number=customer.account_number, until=until
        ),
        attempts=tuple(
            AttemptView(a.attempted_at, a.factor.value, a.success, a.failure_reason, username)
            for a, username in attempts
        ),
    )


def _complaint(session: Session, item: EscalationItem, now: datetime) -> _Subject:
    feedback = session.get(Feedback, item.subject_id)
    assert feedback is not None  # it is in the queue
    customer = _customer(session, feedback.customer_id) if feedback.customer_id is not None else None
    who = customer.account_number if customer is not None else _("the caller")
    return _Subject(
        customer,
        (("feedback", feedback.id),),
        approve_words=_("Resolve the complaint of {who} as upheld, with your reason on the call's ticket").format(
            who=who
        ),
        reject_words=_("Resolve the complaint of {who} as not upheld, with your reason on the call's ticket").format(
            who=who
        ),
        facts=(
            (_("The caller says"), feedback.body),
            (_("About"), product_area_label(feedback.product_area)),
            (_("Department"), department_label(feedback.department)),
            (_("Why escalated"), feedback.escalation_reason or "-"),
        ),
    )


def _insider(session: Session, item: EscalationItem, now: datetime) -> _Subject:
    alert = session.get(InsiderAlert, item.subject_id)
    assert alert is not None  # it is in the queue
    agent = usernames(session, alert.agent_id)[alert.agent_id]
    minutes = alert.window_seconds // 60
    return _Subject(
        None,
        (("agent", alert.agent_id),),
        approve_words=_("Close the alert on {agent}: the calls explain the customers opened").format(agent=agent),
        reject_words=_("Close the alert on {agent} as not explained, for risk and security to follow up").format(
            agent=agent
        ),
        facts=(
            (_("Agent"), agent),
            (
                _("Customers opened"),
                _("{customers} different customers within {minutes} minutes").format(
                    customers=alert.customers, minutes=minutes
                ),
            ),
            (
                _("Raised"),
                _("{raised_at:%Y-%m-%d %H:%M} UTC, by the rule (no one asked)").format(raised_at=alert.raised_at),
            ),
        ),
    )


# The attempts a lockout's detail lists: those of the last hour.
_ATTEMPTS = timedelta(hours=1)

# How to open each kind of item.
DETAILS: dict[str, Detailer] = {
    ItemKind.ADJUSTMENT.value: _adjustment,
    ItemKind.UNLOCK.value: _unlock,
    ItemKind.LOCKOUT.value: _lockout,
    ItemKind.COMPLAINT.value: _complaint,
    ItemKind.INSIDER.value: _insider,
}


def escalation_detail(sessions: sessionmaker[Session], actor: Actor, kind: str, subject_id: int) -> EscalationDetail:
    """One waiting item with what the supervisor needs to decide it; refused once it is decided or gone."""
    detailer = DETAILS.get(kind)
    if detailer is None:
        raise NotFound(_("No such kind of item: {kind!r}.").format(kind=kind))
    with sessions() as session:
        one_snapshot(session)
        require_enabled(session, actor.agent_id, *SUPERVISORS, doing=N_("open escalations"))
        item = find_item(session, kind, subject_id, actor.now)
        if item is None:
            raise NotFound(_("This item is no longer waiting: it was decided at another console, or it ended."))
        subject = detailer(session, item, actor.now)
        customer = subject.customer
        return EscalationDetail(
            item=item,
            customer_name=customer.full_name if customer is not None else None,
            account_number=customer.account_number if customer is not None else None,
            approve_words=subject.approve_words,
            reject_words=subject.reject_words,
            timeline=_timeline(session, item.ticket_id, subject.audit_subjects),
            other_adjustments=_other_adjustments(session, customer.id, item, actor.now) if customer else (),
            edited_by=subject.edited_by,
            dispute=subject.dispute,
            lock=subject.lock,
            logins=subject.logins,
            attempts=subject.attempts,
            facts=subject.facts,
        )


def _timeline(
    session: Session, ticket_id: int | None, subjects: tuple[tuple[str, object], ...]
) -> tuple[TimelineEntry, ...]:
    """The call's notes and the audit events about the call and the item, in time order."""
    wanted = [*subjects, *((("ticket", ticket_id),) if ticket_id is not None else ())]
    entries: list[tuple[datetime, int, TimelineEntry]] = []
    if wanted:
        events = session.scalars(
            select(AuditEvent).where(
                or_(*(and_(AuditEvent.subject_type == kind, AuditEvent.subject_id == str(key)) for kind, key in wanted))
            )
        ).all()
        for event in events:
            entries.append((event.occurred_at, event.seq, TimelineEntry(event.occurred_at, event.actor, _words(event))))
    if ticket_id is not None:
        notes = session.execute(
            select(TicketNote, Agent.username)
            .join(Agent, Agent.id == TicketNote.agent_id)
            .where(TicketNote.ticket_id == ticket_id)
        ).all()
        for note, username in notes:
            entries.append((note.created_at, 0, TimelineEntry(note.created_at, username, note.body, is_note=True)))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return tuple(entry for _, _, entry in entries)


def _words(event: AuditEvent) -> str:
    words = ACTION_WORDS.get(event.action)
    return _(words) if words else event.action.replace(".", ": ").replace("_", " ")


def _other_adjustments(
    session: Session, customer_id: int, item: EscalationItem, now: datetime
) -> tuple[AdjustmentView, ...]:
    """The customer's adjustments of the last 24 hours, other than the item itself."""
    query = select(Adjustment).where(
        Adjustment.customer_id == customer_id, Adjustment.requested_at > now - APPROVAL_WINDOW
    )
    if item.kind == ItemKind.ADJUSTMENT.value:
        query = query.where(Adjustment.id != item.subject_id)
    rows = session.scalars(query.order_by(Adjustment.requested_at.desc(), Adjustment.id.desc())).all()
    assets = all_assets(session)
    return tuple(adjustment_view(session, row, assets[row.asset_code]) for row in rows)
