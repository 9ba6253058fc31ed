"""Feedback that reaches the right department: recording a caller's words on the call, routing them by
the rules in the settings, the views with their status history, and the caller's earlier feedback on the
card. The departments' desk is in `feedback_desk`, a complaint's escalation in `complaints`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import active_agent, require_enabled, usernames
from console.services.context import Actor, OnCall
from console.services.errors import InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.labels import (
    department_label,
    feedback_category_label,
    feedback_status_label,
    product_area_label,
)
from console.services.masking import mask_account_number
from console.services.unit_of_work import UnitOfWork, own_ticket, unit_of_work
from models import (
    Customer,
    Department,
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
    FeedbackStatusChange,
    ProductArea,
    TicketStatus,
)

MAX_WORDS = 4_000
# Earlier feedback lines on the customer card (the card says how many there are in all).
CARD_FEEDBACK_LINES = 2

# Where a status may go next. Closed is final: feedback that comes back is recorded anew.
NEXT_STATUSES: dict[FeedbackStatus, tuple[FeedbackStatus, ...]] = {
    FeedbackStatus.NEW: (FeedbackStatus.FORWARDED, FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.CLOSED),
    FeedbackStatus.FORWARDED: (FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.CLOSED),
    FeedbackStatus.ACKNOWLEDGED: (FeedbackStatus.CLOSED,),
    FeedbackStatus.CLOSED: (),
}


@dataclass(frozen=True)
class StatusChangeView:
    """One line of a feedback's history; `changed_by` is None for a change from before history was kept."""

    from_status: str | None
    to_status: str
    changed_by: str | None
    changed_at: datetime
    note: str | None

    @property
    def to_label(self) -> str:
        return feedback_status_label(FeedbackStatus(self.to_status))


@dataclass(frozen=True)
class EscalationView:
    """A complaint sent to the supervisors' queue, and its outcome once a supervisor resolved it."""

    escalated_by: str
    escalated_at: datetime
    reason: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None


@dataclass(frozen=True)
class FeedbackLine:
    """Earlier feedback as the customer card shows it: what kind, where it went, where it stands (no words)."""

    feedback_id: int
    recorded_at: datetime
    category: str
    product_area: str
    department: str
    status: str
    escalated: bool

    @property
    def category_label(self) -> str:
        return feedback_category_label(FeedbackCategory(self.category))

    @property
    def area_label(self) -> str:
        return product_area_label(ProductArea(self.product_area))

    @property
    def department_label(self) -> str:
        return department_label(Department(self.department))

    @property
    def status_label(self) -> str:
        return feedback_status_label(FeedbackStatus(self.status))


@dataclass(frozen=True)
class FeedbackView(FeedbackLine):
    """One piece of feedback in full: the caller's words, who recorded it, its history and escalation."""

    customer_id: int | None
    account_masked: str | None
    ticket_id: int | None
    words: str
    recorded_by: str
    history: tuple[StatusChangeView, ...]
    escalation: EscalationView | None
    # Where the status may go from here (none once closed).
    next_statuses: tuple[str, ...]
    version: int


# --- routing ---------------------------------------------------------------------------------


def route(routing: Mapping[str, str], category: FeedbackCategory, area: ProductArea) -> Department:
    """The department for this category in this area: a "category/area" rule, else the "category" rule."""
    rule = routing.get(f"{category.value}/{area.value}") or routing.get(category.value) or ""
    try:
        return Department(rule)
    except ValueError:
        raise Refused(
            _(
                "No routing rule sends {lower} feedback to a department; ask an admin to add one to "
                "feedback_routing in the settings."
            ).format(lower=feedback_category_label(category).lower())
        ) from None


def department_for(routing: Mapping[str, str], category: str, area: str) -> str | None:
    """Where feedback of this kind about this area would go, as a label (None until both are chosen);
    the dialog shows it before the agent saves."""
    try:
        return department_label(route(routing, FeedbackCategory(category), ProductArea(area)))
    except (ValueError, Refused):
        return None


def parse_category(value: str) -> FeedbackCategory:
    try:
        return FeedbackCategory(value)
    except ValueError:
        raise InvalidInput(_("Choose what kind of feedback this is.")) from None


def parse_area(value: str) -> ProductArea:
    try:
        return ProductArea(value)
    except ValueError:
        raise InvalidInput(_("Choose which part of the wallet the feedback is about.")) from None


def parse_department(value: str) -> Department:
    try:
        return Department(value)
    except ValueError:
        raise InvalidInput(_("Choose one of the departments.")) from None


def checked_text(text: str, what: str, limit: int, *, required: bool = True) -> str:
    """Free text fit to store: control characters out, trimmed, not empty (when `required`), not too long."""
    text = free_text(text).strip()
    if required and not text:
        raise InvalidInput(_("Write down {what}.").format(what=what))
    if len(text) > limit:
        raise InvalidInput(_("Keep {what} under {limit:,} characters.").format(what=what, limit=limit))
    return text


# --- views -----------------------------------------------------------------------------------


def line_of(feedback: Feedback) -> FeedbackLine:
    return FeedbackLine(
        feedback_id=feedback.id,
        recorded_at=feedback.created_at,
        category=feedback.category.value,
        product_area=feedback.product_area.value,
        department=feedback.department.value,
        status=feedback.status.value,
        escalated=feedback.escalated_at is not None,
    )


def _line_fields(line: FeedbackLine) -> dict[str, Any]:
    # A shallow copy of the line's fields: `asdict` deep-copies every value, a third of a department
    # list's time (bench/desks.py).
    return {field.name: getattr(line, field.name) for field in fields(FeedbackLine)}


def feedback_views(session: Session, rows: Sequence[Feedback]) -> list[FeedbackView]:
    """Full views of `rows`, with their histories, names and account numbers read in one query each."""
    ids = [row.id for row in rows]
    changes: dict[int, list[FeedbackStatusChange]] = {feedback_id: [] for feedback_id in ids}
    if ids:
        for change in session.scalars(
            select(FeedbackStatusChange)
            .where(FeedbackStatusChange.feedback_id.in_(ids))
            .order_by(FeedbackStatusChange.changed_at, FeedbackStatusChange.id)
        ):
            changes[change.feedback_id].append(change)
    people = usernames(
        session,
        *(row.agent_id for row in rows),
        *(row.escalated_by_agent_id for row in rows),
        *(row.escalation_resolved_by_agent_id for row in rows),
        *(change.agent_id for history in changes.values() for change in history),
    )
    customer_ids = {row.customer_id for row in rows if row.customer_id is not None}
    accounts = (
        dict(session.execute(select(Customer.id, Customer.account_number).where(Customer.id.in_(customer_ids))).all())
        if customer_ids
        else {}
    )
    views = []
    for row in rows:
        escalation = None
        if row.escalated_at is not None and row.escalated_by_agent_id is not None:
            escalation = EscalationView(
                escalated_by=people[row.escalated_by_agent_id],
                escalated_at=row.escalated_at,
                reason=row.escalation_reason or "",
                resolved_by=people.get(row.escalation_resolved_by_agent_id),
                resolved_at=row.escalation_resolved_at,
                resolution=row.escalation_resolution,
            )
        account = accounts.get(row.customer_id) if row.customer_id is not None else None
        views.append(
            FeedbackView(
                **_line_fields(line_of(row)),
                customer_id=row.customer_id,
                account_masked=mask_account_number(account) if account else None,
                ticket_id=row.ticket_id,
                words=row.body,
                recorded_by=people[row.agent_id],
                history=tuple(
                    StatusChangeView(
                        from_status=change.from_status.value if change.from_status else None,
                        to_status=change.to_status.value,
                        changed_by=people.get(change.agent_id),
                        changed_at=change.changed_at,
                        note=change.note,
                    )
                    for change in changes[row.id]
                ),
                escalation=escalation,
                next_statuses=tuple(status.value for status in NEXT_STATUSES[row.status]),
                version=row.version,
            )
        )
    return views


def feedback_view(session: Session, feedback: Feedback) -> FeedbackView:
    session.flush()
    return feedback_views(session, [feedback])[0]


def record_status(uow: UnitOfWork, feedback: Feedback, to: FeedbackStatus, note: str | None) -> None:
    """Set the status and write its history line, once, with who and when (the creation is the first)."""
    was = None if feedback.id is None else feedback.status
    feedback.status = to
    uow.session.flush()
    uow.session.add(
        FeedbackStatusChange(
            feedback_id=feedback.id,
            from_status=was,
            to_status=to,
            agent_id=uow.agent.id,
            note=note or None,
            changed_at=uow.now,
        )
    )


# --- on the call -----------------------------------------------------------------------------


def live_call(uow: UnitOfWork, call: OnCall) -> int:
    """The acting agent's open ticket with the caller found: the customer's id, or a refusal in words."""
    customer_id = call.caller_id
    ticket = uow.own_ticket(call.ticket_id)
    if ticket.status != TicketStatus.OPEN:
        raise Refused(_("This call has been wrapped up; reopen the ticket to take the caller's feedback."))
    if ticket.customer_id != customer_id:
        raise Refused(_("This ticket is not for this caller: attach the caller to the ticket first."))
    return customer_id


def record_feedback(
    sessions: sessionmaker[Session],
    routing: Mapping[str, str],
    call: OnCall,
    category: str,
    area: str,
    words: str,
) -> FeedbackView:
    """Record the caller's feedback in their words on the agent's live call, routed to its department by
    `routing` (the settings' feedback_routing). The caller need not be verified: feedback reveals
    nothing of the account. It is noted on the ticket and audited."""
    kind, where = parse_category(category), parse_area(area)
    words = checked_text(words, "the caller's feedback in their words", MAX_WORDS)
    department = route(routing, kind, where)
    with unit_of_work(sessions, call, doing=N_("record feedback")) as uow:
        customer_id = live_call(uow, call)
        feedback = Feedback(
            customer_id=customer_id,
            ticket_id=call.ticket_id,
            agent_id=uow.agent.id,
            category=kind,
            product_area=where,
            department=department,
            body=words,
            created_at=call.now,
        )
        uow.session.add(feedback)
        record_status(uow, feedback, FeedbackStatus.NEW, None)
        uow.note(
            call.ticket_id,
            f"Feedback F{feedback.id} ({feedback_category_label(kind)}, {product_area_label(where)})"
            f" sent to {department_label(department)}: {words}",
        )
        uow.record(
            "feedback.record",
            "feedback",
            feedback.id,
            {
                "ticket": call.ticket_id,
                "customer": customer_id,
                "category": kind.value,
                "area": where.value,
                "department": department.value,
            },
        )
        return feedback_view(uow.session, feedback)


def call_feedback(sessions: sessionmaker[Session], call: OnCall) -> list[FeedbackView]:
    """What was recorded on this call, oldest first: the dialog offers to escalate a complaint among it."""
    with sessions() as session:
        own_ticket(session, call.ticket_id, active_agent(session, call.agent_id, doing=N_("record feedback")))
        rows = session.scalars(
            select(Feedback).where(Feedback.ticket_id == call.ticket_id).order_by(Feedback.created_at, Feedback.id)
        ).all()
        return feedback_views(session, rows)


# --- the customer card -----------------------------------------------------------------------


def earlier_feedback(session: Session, customer_id: int, limit: int) -> tuple[list[FeedbackLine], int]:
    """This customer's feedback, newest first (at most `limit` lines), and how many there are in all."""
    total = session.scalar(select(func.count()).select_from(Feedback).where(Feedback.customer_id == customer_id))
    rows = session.scalars(
        select(Feedback)
        .where(Feedback.customer_id == customer_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    ).all()
    return [line_of(row) for row in rows], total or 0


def customer_feedback(
    sessions: sessionmaker[Session], who: Actor, customer_id: int, limit: int = 20
) -> list[FeedbackLine]:
    """One customer's feedback for their card, newest first: kind, area, department, status and date."""
    with sessions() as session:
        require_enabled(session, who.agent_id, doing=N_("see customer cards"))
        if session.get(Customer, customer_id) is None:
            raise NotFound(_("No such customer."))
        return earlier_feedback(session, customer_id, limit)[0]
