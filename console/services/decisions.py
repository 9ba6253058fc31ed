"""Deciding escalations: approve or turn down any item of the queue by its kind, leaving a lockout in
place, and the decisions an agent hears about on their console.

`decide_escalation` finds the two decisions of each kind in `DECIDERS`; the rules (role, a password
typed in the last 5 minutes, four eyes, the version seen) are the deciding services' own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import adjustments, complaints, insider, unlocks
from console.services.actors import SUPERVISORS, require_enabled, require_fresh_password
from console.services.announce import ItemKind, announce
from console.services.codes import LOCKOUT
from console.services.context import Actor
from console.services.errors import NotFound, Refused
from console.services.escalations import LOCKOUT_KEPT, lockout_kept_since
from console.services.money import all_assets, format_money
from console.services.outbox import notify_customer
from console.services.unit_of_work import unit_of_work
from models import Adjustment, AuditEvent, Customer, Dispute, Ticket, UnlockRequest


@dataclass(frozen=True)
class DecisionDone:
    """What a decision did, in a sentence for the supervisor."""

    kind: str
    subject_id: int
    approved: bool
    said: str


# One decision: (sessions, actor, subject id, version seen, reason) -> what was done, in words.
Decider = Callable[[sessionmaker[Session], Actor, int, int, str], str]


def _approve_adjustment(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = adjustments.approve_adjustment(sessions, actor, subject_id, version, why)
    return _("Approved: {amount_text} posted on dispute D{dispute_id}; {requested_by} is told.").format(
        amount_text=view.amount_text, dispute_id=view.dispute_id, requested_by=view.requested_by
    )


def _reject_adjustment(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = adjustments.reject_adjustment(sessions, actor, subject_id, version, why)
    return _("Turned down: the adjustment of {amount_text} on dispute D{dispute_id}; {requested_by} is told.").format(
        amount_text=view.amount_text, dispute_id=view.dispute_id, requested_by=view.requested_by
    )


def _approve_unlock(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = unlocks.approve_unlock(sessions, actor, subject_id, version, why)
    return _("Approved: {account_number} is unlocked; {requested_by} is told.").format(
        account_number=view.account_number, requested_by=view.requested_by
    )


def _reject_unlock(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = unlocks.reject_unlock(sessions, actor, subject_id, version, why)
    return _("Turned down: {account_number} stays locked; {requested_by} is told.").format(
        account_number=view.account_number, requested_by=view.requested_by
    )


def _lift_lockout(sessions: sessionmaker[Session], actor: Actor, ticket_id: int, version: int, why: str) -> str:
    unlocks.lift_verification_lockout(sessions, actor, ticket_id, why)
    return _("Lifted: the caller on ticket #{ticket_id} may be sent a new code; the agent is told.").format(
        ticket_id=ticket_id
    )


def _keep_lockout(sessions: sessionmaker[Session], actor: Actor, ticket_id: int, version: int, why: str) -> str:
    until = keep_verification_lockout(sessions, actor, ticket_id, why)
    return _("Left in place: the lockout on ticket #{ticket_id} ends at {until:%H:%M} UTC; the agent is told.").format(
        ticket_id=ticket_id, until=until
    )


def _uphold_complaint(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = complaints.resolve_complaint(sessions, actor, subject_id, version, f"Upheld: {why}")
    return _("Resolved: complaint F{feedback_id} upheld; the agent who escalated it is told.").format(
        feedback_id=view.feedback_id
    )


def _dismiss_complaint(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = complaints.resolve_complaint(sessions, actor, subject_id, version, f"Not upheld: {why}")
    return _("Resolved: complaint F{feedback_id} not upheld; the agent who escalated it is told.").format(
        feedback_id=view.feedback_id
    )


def _explained_alert(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = insider.dismiss_insider_alert(sessions, actor, subject_id, version, f"Explained: {why}")
    return _("Closed: the alert on {agent_username} is explained by the calls.").format(
        agent_username=view.agent_username
    )


def _unexplained_alert(sessions: sessionmaker[Session], actor: Actor, subject_id: int, version: int, why: str) -> str:
    view = insider.dismiss_insider_alert(sessions, actor, subject_id, version, f"Not explained: {why}")
    return _("Closed: the alert on {agent_username} is not explained; risk and security follow it up.").format(
        agent_username=view.agent_username
    )


# Approve and turn down, by kind of item.
DECIDERS: dict[str, tuple[Decider, Decider]] = {
    ItemKind.ADJUSTMENT.value: (_approve_adjustment, _reject_adjustment),
    ItemKind.UNLOCK.value: (_approve_unlock, _reject_unlock),
    ItemKind.LOCKOUT.value: (_lift_lockout, _keep_lockout),
    ItemKind.COMPLAINT.value: (_uphold_complaint, _dismiss_complaint),
    ItemKind.INSIDER.value: (_explained_alert, _unexplained_alert),
}


def decide_escalation(
    sessions: sessionmaker[Session],
    actor: Actor,
    kind: str,
    subject_id: int,
    version: int,
    *,
    approve: bool,
    reason: str,
) -> DecisionDone:
    """Approve (or turn down) the item of `kind` the supervisor reviewed at `version`, saying why."""
    deciders = DECIDERS.get(kind)
    if deciders is None:
        raise NotFound(_("No such kind of item: {kind!r}.").format(kind=kind))
    said = deciders[0 if approve else 1](sessions, actor, subject_id, version, reason)
    return DecisionDone(kind, subject_id, approve, said)


def keep_verification_lockout(sessions: sessionmaker[Session], actor: Actor, ticket_id: int, reason: str) -> datetime:
    """A supervisor leaves a caller's verification lockout in place (it ends by itself): it leaves the
    queue, the agent hears why, and the customer is told when they can try again. Returns its end."""
    reason = unlocks.checked_reason(reason)
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("decide verification lockouts")) as uow:
        session, supervisor, now = uow.session, uow.agent, uow.now
        require_fresh_password(supervisor, now, doing=N_("decide verification lockouts"))
        customer = unlocks.locked_out_caller(session, ticket_id, now)
        until = customer.verify_locked_until
        assert until is not None  # locked_out_caller
        if lockout_kept_since(session, customer.id, until - LOCKOUT):
            raise Refused(_("A supervisor already chose to leave this lockout in place."))
        notify_customer(
            session,
            customer,
            kind="verification",
            now=now,
            subject=N_("OK Wallet identity check"),
            body=N_("[OK Wallet] Your identity check stays locked until {until:%H:%M} UTC; please call us again then."),
            values={"until": until},
            ticket_id=ticket_id,
        )
        announce(session, ItemKind.LOCKOUT, ticket_id)
        uow.note(ticket_id, f"Verification lockout left in place by {supervisor.username}: {reason}")
        uow.record(
            LOCKOUT_KEPT,
            "customer",
            customer.id,
            {"ticket": ticket_id, "until": until.isoformat(), "reason": reason},
        )
        return until


# --- what the agent who asked hears ----------------------------------------------------------------


@dataclass(frozen=True)
class DecisionNotice:
    """A decision on something this agent asked a supervisor for, in a sentence for their console."""

    kind: str
    subject_id: int
    ticket_id: int | None
    decided_by: str
    approved: bool
    at: datetime
    said: str


@dataclass(frozen=True)
class DecisionNews:
    """The decisions since the last look, and where to look from next time."""

    notices: tuple[DecisionNotice, ...]
    cursor: int


_DECISION_ACTIONS = {
    "adjustment.approve": (ItemKind.ADJUSTMENT, True),
    "adjustment.reject": (ItemKind.ADJUSTMENT, False),
    "unlock.approve": (ItemKind.UNLOCK, True),
    "unlock.reject": (ItemKind.UNLOCK, False),
    "verification.lockout_lifted": (ItemKind.LOCKOUT, True),
    LOCKOUT_KEPT: (ItemKind.LOCKOUT, False),
    "feedback.resolve": (ItemKind.COMPLAINT, True),
}


def decisions_for(sessions: sessionmaker[Session], actor: Actor, since: int | None) -> DecisionNews:
    """Decisions on the items this agent asked for, made after `since` (the `cursor` of the last answer;
    None: from now on). Read from the audit log, whose order is the order the decisions committed."""
    with sessions() as session:
        require_enabled(session, actor.agent_id, doing=N_("hear about decisions"))
        newest = session.scalar(select(func.max(AuditEvent.seq))) or 0
        if since is None:
            return DecisionNews((), newest)
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > since, AuditEvent.seq <= newest, AuditEvent.action.in_(_DECISION_ACTIONS))
            .order_by(AuditEvent.seq)
        ).all()
        notices = [notice for event in events if (notice := _notice(session, event, actor.agent_id)) is not None]
        return DecisionNews(tuple(notices), newest)


def _notice(session: Session, event: AuditEvent, agent_id: int) -> DecisionNotice | None:
    """The event as a notice for `agent_id`, or None when they did not ask for it."""
    kind, approved = _DECISION_ACTIONS[event.action]
    if kind is ItemKind.ADJUSTMENT:
        adjustment = session.get(Adjustment, int(event.subject_id or 0))
        if adjustment is None or adjustment.requested_by_agent_id != agent_id:
            return None
        dispute = session.get(Dispute, adjustment.dispute_id)
        amount = format_money(adjustment.amount, all_assets(session)[adjustment.asset_code])
        subject_id, ticket_id = adjustment.id, dispute.ticket_id if dispute else None
        said = (
            _("{actor} approved your adjustment of {amount} on dispute D{dispute_id}")
            if approved
            else _("{actor} turned down your adjustment of {amount} on dispute D{dispute_id}")
        ).format(actor=event.actor, amount=amount, dispute_id=adjustment.dispute_id)
        why = adjustment.decision_reason
    elif kind is ItemKind.UNLOCK:
        request = session.get(UnlockRequest, int(event.subject_id or 0))
        if request is None or request.requested_by_agent_id != agent_id:
            return None
        account = session.scalar(select(Customer.account_number).where(Customer.id == request.customer_id))
        subject_id, ticket_id = request.id, request.ticket_id
        said = (
            _("{actor} approved your unlock request for {account}")
            if approved
            else _("{actor} turned down your unlock request for {account}")
        ).format(actor=event.actor, account=account)
        why = request.decision_reason
    elif kind is ItemKind.COMPLAINT:
        details = json.loads(event.details or "{}")
        if details.get("escalated_by") != agent_id:
            return None
        subject_id, ticket_id = int(event.subject_id or 0), details.get("ticket")
        said = _("{actor} resolved the complaint F{subject_id} you escalated").format(
            actor=event.actor, subject_id=subject_id
        )
        why = details.get("reason")
    else:
        details = json.loads(event.details or "{}")
        ticket = session.get(Ticket, int(details.get("ticket") or 0))
        if ticket is None or ticket.agent_id != agent_id:
            return None
        subject_id = ticket_id = ticket.id
        said = (
            _("{actor} lifted the verification lockout on ticket #{id}: send the caller a new code").format(
                actor=event.actor, id=ticket.id
            )
            if approved
            else _("{actor} left the verification lockout on ticket #{id} in place").format(
                actor=event.actor, id=ticket.id
            )
        )
        why = details.get("reason")
    said = f"{said}: {why}" if why else f"{said}."
    return DecisionNotice(kind.value, subject_id, ticket_id, event.actor, approved, event.occurred_at, said)
