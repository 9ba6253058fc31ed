"""The supervisors' escalation queue: everything waiting for a supervisor, oldest first, with its age and
who asked, gathered from a list of sources (one function per kind of item).

A source reads one kind of item inside the queue's read transaction and returns `EscalationItem`s:

    def escalated_complaints(session: Session, now: datetime) -> Iterable[EscalationItem]: ...
    SOURCES = (*SOURCES, escalated_complaints)

Every command that adds, changes or decides an item writes an audit event (and announces it on
PostgreSQL, see `announce`), so the audit log's newest sequence number is the queue's fingerprint:
a console that polls it notices any change with one primary-key read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import SUPERVISORS, require_enabled
from console.services.announce import ItemKind
from console.services.codes import LOCKOUT
from console.services.complaints import escalated_complaints
from console.services.context import Actor
from console.services.insider import insider_alerts
from console.services.labels import item_kind_label
from console.services.money import all_assets, format_money
from models import (
    Adjustment,
    Agent,
    ApprovalStatus,
    AuditEvent,
    Customer,
    Dispute,
    LockReason,
    Ticket,
    UnlockRequest,
    VerificationAttempt,
)
from models.audit import AuditHead

# The audit action of a supervisor's decision to leave a lockout in place (it then leaves the queue).
LOCKOUT_KEPT = "verification.lockout_kept"

# The lock an unlock request would lift, in the summary's words.
_LOCK_WORDS = {LockReason.RISK: N_("risk lock"), LockReason.ABNORMAL_LOGIN: N_("abnormal-login lock")}


@dataclass(frozen=True)
class EscalationItem:
    """One thing waiting for a supervisor, as the queue lists it."""

    kind: str
    subject_id: int
    # The version the supervisor sees; a decision holds only for it.
    version: int
    asked_at: datetime
    # The agent who asked (None when nobody did, e.g. a rule raised it).
    asked_by: str | None
    account_number: str | None
    # One line in words: "Adjustment 800.000000 USDT on dispute D12".
    summary: str
    # The call it came from, whose timeline the supervisor reads.
    ticket_id: int | None = None
    # When it leaves the queue by itself (a lockout ends); None: only a decision takes it away.
    until: datetime | None = None
    # Seconds waited at the moment the queue was read.
    age_seconds: int = 0

    @property
    def key(self) -> str:
        """Unique in the queue: the kind and the subject."""
        return f"{self.kind}-{self.subject_id}"

    @property
    def kind_label(self) -> str:
        return item_kind_label(self.kind)


Source = Callable[[Session, datetime], Iterable[EscalationItem]]


def one_snapshot(session: Session) -> None:
    """Every statement of this read sees the same moment (PostgreSQL; SQLite reads are one snapshot
    already). The console's read sessions autocommit each statement otherwise."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


# --- the sources ---------------------------------------------------------------------------------


def adjustments_awaiting_approval(session: Session, now: datetime) -> list[EscalationItem]:
    """Adjustments over the 24-hour threshold, waiting for a supervisor's approval."""
    assets = all_assets(session)
    # The dispute's ticket by its key for each waiting adjustment (a few hundred), not a join that the
    # PostgreSQL planner may answer by hashing every dispute ever opened.
    ticket_of_dispute = select(Dispute.ticket_id).where(Dispute.id == Adjustment.dispute_id).scalar_subquery()
    rows = session.execute(
        select(Adjustment, ticket_of_dispute, Customer.account_number, Agent.username)
        .join(Customer, Customer.id == Adjustment.customer_id)
        .join(Agent, Agent.id == Adjustment.requested_by_agent_id)
        .where(Adjustment.status == ApprovalStatus.PENDING)
    ).all()
    return [
        EscalationItem(
            kind=ItemKind.ADJUSTMENT.value,
            subject_id=adjustment.id,
            version=adjustment.version,
            asked_at=adjustment.requested_at,
            asked_by=username,
            account_number=account_number,
            summary=(
                _("Adjustment {format_money} on dispute D{dispute_id}").format(
                    format_money=format_money(adjustment.amount, assets[adjustment.asset_code]),
                    dispute_id=adjustment.dispute_id,
                )
            ),
            ticket_id=ticket_id,
        )
        for adjustment, ticket_id, account_number, username in rows
    ]


def unlock_requests_pending(session: Session, now: datetime) -> list[EscalationItem]:
    """Unlocks of risk and abnormal-login locks that an agent filed for a supervisor."""
    rows = session.execute(
        select(UnlockRequest, Customer.account_number, Customer.lock_reason, Agent.username)
        .join(Customer, Customer.id == UnlockRequest.customer_id)
        .join(Agent, Agent.id == UnlockRequest.requested_by_agent_id)
        .where(UnlockRequest.status == ApprovalStatus.PENDING)
    ).all()
    return [
        EscalationItem(
            kind=ItemKind.UNLOCK.value,
            subject_id=request.id,
            version=request.version,
            asked_at=request.requested_at,
            asked_by=username,
            account_number=account_number,
            summary=_("Unlock ({lock_words})").format(lock_words=lock_words(lock_reason)),
            ticket_id=request.ticket_id,
        )
        for request, account_number, lock_reason, username in rows
    ]


def lock_words(reason: LockReason | None) -> str:
    """The lock an unlock would lift, in words ("risk lock"); "no longer locked" once it is not."""
    return _(_LOCK_WORDS.get(reason, N_("password lock"))) if reason is not None else _("no longer locked")


def callers_locked_out(session: Session, now: datetime) -> list[EscalationItem]:
    """Callers locked out of verification now (5 failures), unless a supervisor already chose to leave
    the lockout in place. Who asked: the agent whose call it happened on. Three reads however many are
    locked out: the lockouts, the ones left in place, and the failures that locked them."""
    locked = session.execute(
        select(Customer.id, Customer.account_number, Customer.verify_locked_until).where(
            Customer.verify_locked_until > now
        )
    ).all()
    if not locked:
        return []
    # When each lockout began (the failure that locked it was then; later refused tries come after).
    started: dict[int, datetime] = {}
    for customer_id, _number, until in locked:
        assert until is not None  # the WHERE clause
        started[customer_id] = until - LOCKOUT
    earliest, latest = min(started.values()), max(started.values())
    by_subject = {str(customer_id): customer_id for customer_id in started}  # the audit names them as text
    kept = {
        by_subject[subject_id]
        for subject_id, occurred_at in session.execute(
            select(AuditEvent.subject_id, AuditEvent.occurred_at).where(
                AuditEvent.subject_type == "customer",
                AuditEvent.subject_id.in_(list(by_subject)),
                AuditEvent.action == LOCKOUT_KEPT,
                AuditEvent.occurred_at >= earliest,
            )
        )
        if subject_id is not None and occurred_at >= started[by_subject[subject_id]]
    }
    # Each lockout's call: its newest failure at or before the lockout began, newest first per customer.
    calls: dict[int, tuple[int, str]] = {}
    for customer_id, attempted_at, ticket_id, username in session.execute(
        select(VerificationAttempt.customer_id, VerificationAttempt.attempted_at, Ticket.id, Agent.username)
        .join(Ticket, Ticket.id == VerificationAttempt.ticket_id)
        .join(Agent, Agent.id == Ticket.agent_id)
        .where(
            VerificationAttempt.customer_id.in_(list(started)),
            VerificationAttempt.success.is_(False),
            VerificationAttempt.attempted_at >= earliest - LOCKOUT,
            VerificationAttempt.attempted_at <= latest,
        )
        .order_by(VerificationAttempt.attempted_at.desc(), VerificationAttempt.id.desc())
    ):
        if customer_id not in calls and attempted_at <= started[customer_id]:
            calls[customer_id] = (ticket_id, username)
    items = []
    for customer_id, account_number, until in locked:
        if customer_id in kept or customer_id not in calls:
            continue  # left in place by a supervisor, or no call to lift it on: it ends by itself
        ticket_id, username = calls[customer_id]
        items.append(
            EscalationItem(
                kind=ItemKind.LOCKOUT.value,
                subject_id=ticket_id,
                # A lockout has no versions: it is lifted, left in place, or it ends.
                version=1,
                asked_at=started[customer_id],
                asked_by=username,
                account_number=account_number,
                summary=_("Locked out of verification until {until:%H:%M} UTC").format(until=until),
                ticket_id=ticket_id,
                until=until,
            )
        )
    return items


def lockout_kept_since(session: Session, customer_id: int, started: datetime) -> bool:
    """Whether a supervisor chose to leave this customer's lockout (begun at `started`) in place."""
    kept = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            and_(
                AuditEvent.subject_type == "customer",
                AuditEvent.subject_id == str(customer_id),
                AuditEvent.action == LOCKOUT_KEPT,
                AuditEvent.occurred_at >= started,
            )
        )
    )
    return bool(kept)


# Everything waiting for a supervisor. Complaints escalated by agents and insider alerts join here.
def complaints_escalated(session: Session, now: datetime) -> list[EscalationItem]:
    """Complaints an agent escalated from a call, not yet resolved by a supervisor."""
    return [
        EscalationItem(
            kind=ItemKind.COMPLAINT.value,
            subject_id=complaint.id,
            version=complaint.version,
            asked_at=complaint.requested_at,
            asked_by=complaint.requested_by,
            account_number=complaint.account_number,
            summary=complaint.summary,
            ticket_id=complaint.ticket_id,
        )
        for complaint in escalated_complaints(session, now)
    ]


def insider_alerts_open(session: Session, now: datetime) -> list[EscalationItem]:
    """Agents who opened more customers in an hour than the work explains; raised by the rule, not asked."""
    return [
        EscalationItem(
            kind=ItemKind.INSIDER.value,
            subject_id=alert.alert_id,
            version=alert.version,
            asked_at=alert.raised_at,
            asked_by=None,
            account_number=None,
            summary=(
                _("{agent_username} opened {count} different customers within {value} minutes").format(
                    agent_username=alert.agent_username,
                    count=alert.count,
                    value=int(alert.window.total_seconds() // 60),
                )
            ),
        )
        for alert in insider_alerts(session, now)
    ]


SOURCES: tuple[Source, ...] = (
    adjustments_awaiting_approval,
    unlock_requests_pending,
    callers_locked_out,
    complaints_escalated,
    insider_alerts_open,
)


# --- the queue -----------------------------------------------------------------------------------


def escalation_queue(
    sessions: sessionmaker[Session], actor: Actor, sources: Sequence[Source] = SOURCES
) -> list[EscalationItem]:
    """Everything waiting for a supervisor, oldest first, each with its age at `actor.now`. Supervisors
    and admins only; one read transaction."""
    with sessions() as session:
        one_snapshot(session)
        require_enabled(session, actor.agent_id, *SUPERVISORS, doing=N_("see the escalation queue"))
        items = [item for source in sources for item in source(session, actor.now)]
    items.sort(key=lambda item: (item.asked_at, item.kind, item.subject_id))
    return [replace(item, age_seconds=max(0, int((actor.now - item.asked_at).total_seconds()))) for item in items]


def queue_fingerprint(sessions: sessionmaker[Session], actor: Actor) -> int:
    """A number that changes whenever the queue may have (the newest audit event's sequence number).

    What it cannot see is time: an item with an `until` leaves the queue then, without an event."""
    with sessions() as session:
        require_enabled(session, actor.agent_id, *SUPERVISORS, doing=N_("see the escalation queue"))
        return session.scalar(select(AuditHead.seq)) or 0


def find_item(session: Session, kind: str, subject_id: int, now: datetime) -> EscalationItem | None:
    """The item of this kind and subject if it is in the queue now (for the detail of one item)."""
    for source in SOURCES:
        for item in source(session, now):
            if item.kind == kind and item.subject_id == subject_id:
                return replace(item, age_seconds=max(0, int((now - item.asked_at).total_seconds())))
    return None
