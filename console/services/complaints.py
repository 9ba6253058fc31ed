"""A complaint escalated to a supervisor: the agent on the call sends it to the supervisors' queue (once),
the queue lists what waits, and a supervisor other than the one who escalated it resolves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import SUPERVISORS, require_fresh_password, usernames
from console.services.announce import ItemKind, announce
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, NotFound, Refused
from console.services.feedback import FeedbackView, checked_text, feedback_view, live_call
from console.services.free_text import one_line
from console.services.labels import feedback_category_label, product_area_label
from console.services.masking import mask_account_number
from console.services.outbox import notify_customer
from console.services.unit_of_work import unit_of_work
from models import Customer, Feedback, FeedbackCategory

MAX_REASON = 1_000
# How much of the caller's words the queue's one-line summary keeps.
SUMMARY_WORDS = 60

_CHANGED = N_("This complaint changed since you opened it; look at it again.")


@dataclass(frozen=True)
class EscalatedComplaintView:
    """A complaint waiting in the supervisors' queue, as one line of it."""

    id: int
    version: int
    requested_at: datetime
    requested_by: str
    # How long it has waited at the `now` the queue was read.
    waited: timedelta
    customer_id: int | None
    account_masked: str | None
    # "Complaint about fees: Charged twice for one withdrawal…"
    summary: str
    reason: str
    department: str
    # The call it was escalated from.
    ticket_id: int | None = None
    account_number: str | None = None


def summary_of(feedback: Feedback) -> str:
    """One line: the area the complaint is about and the start of the caller's words."""
    words = " ".join(one_line(feedback.body.replace("\n", " ")).split())
    if len(words) > SUMMARY_WORDS:
        words = words[: SUMMARY_WORDS - 1].rstrip() + "…"
    area = product_area_label(feedback.product_area).lower()
    return _("Complaint about {area}: {words}").format(area=area, words=words)


def escalate_complaint(sessions: sessionmaker[Session], call: OnCall, feedback_id: int, reason: str) -> FeedbackView:
    """The agent on the call sends a complaint recorded on it to the supervisors' queue, saying why.
    Only a complaint, only once."""
    reason = checked_text(reason, _("why this complaint needs a supervisor"), MAX_REASON)
    with unit_of_work(sessions, call, doing=N_("escalate complaints"), stale=_CHANGED) as uow:
        live_call(uow, call)
        feedback = uow.session.get(Feedback, feedback_id)
        if feedback is None:
            raise NotFound(_("No such feedback."))
        if feedback.ticket_id != call.ticket_id:
            raise Refused(_("This feedback was recorded on another call; escalate it from that call."))
        if feedback.category != FeedbackCategory.COMPLAINT:
            kind = feedback_category_label(feedback.category).lower()
            raise Refused(_("Only a complaint goes to a supervisor; this feedback is {kind}.").format(kind=kind))
        if feedback.escalated_at is not None:
            who = usernames(uow.session, feedback.escalated_by_agent_id)[feedback.escalated_by_agent_id]
            raise Conflict(
                _("{who} already escalated this complaint at {escalated_at:%H:%M} UTC.").format(
                    who=who, escalated_at=feedback.escalated_at
                )
            )
        feedback.escalated_by_agent_id = uow.agent.id
        feedback.escalated_at = call.now
        feedback.escalation_reason = reason
        uow.session.flush()
        uow.note(call.ticket_id, f"Complaint F{feedback.id} escalated to a supervisor: {reason}")
        announce(uow.session, ItemKind.COMPLAINT, feedback.id)
        uow.record("feedback.escalate", "feedback", feedback.id, {"ticket": call.ticket_id})
        return feedback_view(uow.session, feedback)


def escalated_complaints(session: Session, now: datetime) -> list[EscalatedComplaintView]:
    """Complaints escalated and not yet resolved, oldest first: what the supervisors' queue shows.

    Read inside the queue's own session; the queue checks that its reader is a supervisor or admin.
    """
    rows = session.execute(
        select(Feedback, Customer.account_number)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .where(Feedback.escalated_at.is_not(None), Feedback.escalation_resolved_at.is_(None))
        .order_by(Feedback.escalated_at, Feedback.id)
    ).all()
    names = usernames(session, *(feedback.escalated_by_agent_id for feedback, _ in rows))
    views = []
    for feedback, account in rows:
        assert feedback.escalated_at is not None and feedback.escalated_by_agent_id is not None
        views.append(
            EscalatedComplaintView(
                id=feedback.id,
                version=feedback.version,
                requested_at=feedback.escalated_at,
                requested_by=names[feedback.escalated_by_agent_id],
                waited=max(now - feedback.escalated_at, timedelta(0)),
                customer_id=feedback.customer_id,
                account_masked=mask_account_number(account) if account else None,
                summary=summary_of(feedback),
                reason=feedback.escalation_reason or "",
                department=feedback.department.value,
                ticket_id=feedback.ticket_id,
                account_number=account,
            )
        )
    return views


def resolve_complaint(
    sessions: sessionmaker[Session], actor: Actor, feedback_id: int, expected_version: int, reason: str
) -> FeedbackView:
    """A supervisor other than the one who escalated the complaint resolves it, saying what was decided;
    it leaves the queue. The feedback's own status is the department's to move."""
    reason = checked_text(reason, _("what was decided"), MAX_REASON)
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("resolve escalated complaints"), stale=_CHANGED) as uow:
        supervisor = uow.agent
        require_fresh_password(supervisor, actor.now, doing=N_("resolve escalated complaints"))
        feedback = uow.session.get(Feedback, feedback_id)
        if feedback is None:
            raise NotFound(_("No such feedback."))
        if feedback.escalated_at is None:
            raise Refused(_("This feedback was not escalated to a supervisor."))
        if feedback.escalation_resolved_at is not None:
            who = usernames(uow.session, feedback.escalation_resolved_by_agent_id)
            raise Conflict(
                _("{who} already resolved this complaint.").format(who=who[feedback.escalation_resolved_by_agent_id])
            )
        if feedback.version != expected_version:
            raise Conflict(_(_CHANGED))
        if feedback.escalated_by_agent_id == supervisor.id:
            raise Refused(_("You escalated this complaint; another supervisor must resolve it."))
        feedback.escalation_resolved_by_agent_id = supervisor.id
        feedback.escalation_resolved_at = actor.now
        feedback.escalation_resolution = reason
        uow.session.flush()
        uow.note(feedback.ticket_id, f"Complaint F{feedback.id} resolved by {supervisor.username}: {reason}")
        customer = uow.session.get(Customer, feedback.customer_id) if feedback.customer_id is not None else None
        if customer is not None:
            # The caller hears that a supervisor looked at it; what was decided is for the agent to say.
            notify_customer(
                uow.session,
                customer,
                kind="feedback",
                now=actor.now,
                subject=N_("OK Wallet: your complaint"),
                body=N_("[OK Wallet] A supervisor has reviewed your complaint {number}; we will be in touch."),
                values={"number": f"F{feedback.id}"},
                ticket_id=feedback.ticket_id,
            )
        announce(uow.session, ItemKind.COMPLAINT, feedback.id)
        uow.record(
            "feedback.resolve",
            "feedback",
            feedback.id,
            {"escalated_by": feedback.escalated_by_agent_id, "ticket": feedback.ticket_id, "reason": reason},
        )
        return feedback_view(uow.session, feedback)
