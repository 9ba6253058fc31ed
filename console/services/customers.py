"""The customer card as an agent sees it before verification: masked contact data and what routes the call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import active_agent
from console.services.context import Actor
from console.services.errors import NotFound
from console.services.feedback import CARD_FEEDBACK_LINES, FeedbackLine, earlier_feedback
from console.services.insider import note_customer_opened
from console.services.labels import dispute_status_label, lock_reason_label
from console.services.masking import mask_email, mask_id_last4, mask_phone
from models import Customer, Dispute, DisputeStatus, Ticket, TicketStatus

REPEAT_CALLER_WINDOW = timedelta(days=7)
REPEAT_CALLER_CALLS = 2
RECENT_TICKETS = 5


_CLOSED_DISPUTES = (DisputeStatus.ADJUSTED, DisputeStatus.REJECTED)


@dataclass(frozen=True)
class PastTicket:
    ticket_id: int
    opened_at: datetime
    reason: str
    status: str
    disposition: str | None


@dataclass(frozen=True)
class DisputeLine:
    """An unsettled dispute as the card shows it before verification: its status, no amounts."""

    dispute_id: int
    status: str
    status_label: str
    since: datetime


@dataclass(frozen=True)
class CustomerCard:
    """Masked: no full phone, email or ID number, and no balances."""

    customer_id: int
    account_number: str
    full_name: str
    region: str
    phone_masked: str | None
    phone_bound: bool
    email_masked: str | None
    id_masked: str | None
    status: str
    lock_reason: str | None
    locked_at: datetime | None
    two_factor: bool
    # The unsettled disputes' status timeline heads, newest first, so a later call sees where each stands.
    disputes: tuple[DisputeLine, ...]
    open_tickets: int
    recent_tickets: tuple[PastTicket, ...]
    calls_last_7_days: int
    # The caller's feedback, newest first (a few lines), and how much there is in all.
    feedback: tuple[FeedbackLine, ...] = ()
    feedback_count: int = 0

    @property
    def repeat_caller(self) -> bool:
        return self.calls_last_7_days >= REPEAT_CALLER_CALLS

    @property
    def open_disputes(self) -> int:
        return len(self.disputes)

    @property
    def lock_label(self) -> str | None:
        return lock_reason_label(self.lock_reason)


def customer_card(
    sessions: sessionmaker[Session],
    actor: Actor,
    customer_id: int,
    current_ticket_id: int | None = None,
) -> CustomerCard:
    """The card for one customer; `current_ticket_id` (this call) is left out of the call history.

    Opening a card is noted for the insider alert, in the same transaction (so `sessions` must be the
    write sessions): no card is shown that was not counted.
    """
    with sessions.begin() as session:
        active_agent(session, actor.agent_id, doing=N_("see customer cards"), now=actor.now)
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(_("No such customer."))
        note_customer_opened(session, actor.agent_id, customer_id, actor.now)
        unsettled = session.scalars(
            select(Dispute)
            .where(Dispute.customer_id == customer_id, Dispute.status.not_in(_CLOSED_DISPUTES))
            .order_by(Dispute.updated_at.desc(), Dispute.id.desc())
        ).all()
        others = Ticket.customer_id == customer_id
        if current_ticket_id is not None:
            others = others & (Ticket.id != current_ticket_id)
        open_tickets = session.scalar(
            select(func.count()).select_from(Ticket).where(others, Ticket.status != TicketStatus.CLOSED)
        )
        recent_calls = session.scalar(
            select(func.count()).select_from(Ticket).where(others, Ticket.opened_at >= actor.now - REPEAT_CALLER_WINDOW)
        )
        recent = session.scalars(
            select(Ticket).where(others).order_by(Ticket.opened_at.desc(), Ticket.id.desc()).limit(RECENT_TICKETS)
        ).all()
        feedback, feedback_count = earlier_feedback(session, customer_id, CARD_FEEDBACK_LINES)
        return CustomerCard(
            customer_id=customer.id,
            account_number=customer.account_number,
            full_name=customer.full_name,
            region=customer.region,
            phone_masked=mask_phone(customer.phone_e164),
            phone_bound=customer.phone_bound,
            email_masked=mask_email(customer.email),
            id_masked=mask_id_last4(customer.id_last4),
            status=customer.status.value,
            lock_reason=customer.lock_reason.value if customer.lock_reason else None,
            locked_at=customer.locked_at,
            two_factor=customer.two_factor_enabled,
            disputes=tuple(
                DisputeLine(d.id, d.status.value, dispute_status_label(d.status), d.updated_at) for d in unsettled
            ),
            open_tickets=open_tickets or 0,
            recent_tickets=tuple(
                PastTicket(
                    t.id,
                    t.opened_at,
                    t.reason.value,
                    t.status.value,
                    t.disposition.value if t.disposition else None,
                )
                for t in recent
            ),
            calls_last_7_days=recent_calls or 0,
            feedback=tuple(feedback),
            feedback_count=feedback_count,
        )
