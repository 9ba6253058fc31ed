"""The verification gate: actions on an account run only for a caller verified on this ticket, recently enough."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from console.services.errors import Refused
from models import Ticket, TicketStatus

# Verified state ends after this long without activity on the ticket.
IDLE_LIMIT = timedelta(minutes=15)
# High-risk actions (unlock, adjustment, contact change, reveal) need a factor this recent.
STEP_UP_WINDOW = timedelta(minutes=5)


class NotVerified(Refused):
    """The caller has not proved possession of a factor on this call (or not recently enough)."""


def require_verified(session: Session, ticket_id: int, now: datetime, fresh: bool = False) -> Ticket:
    """Raise NotVerified unless a factor passed on this ticket and the ticket is still live.

    Runs inside the action's own transaction; a pass counts as activity on the ticket.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotVerified("Caller not verified: there is no such ticket.")
    check_verified(ticket, now, fresh)
    session.execute(
        update(Ticket).where(Ticket.id == ticket_id).values(last_activity_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return ticket


def require_verified_caller(
    session: Session, ticket_id: int, agent_id: int, customer_id: int, now: datetime, fresh: bool = False
) -> Ticket:
    """`require_verified`, and the ticket must be this agent's call with this customer."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.agent_id != agent_id or ticket.customer_id != customer_id:
        raise NotVerified("Caller not verified: this ticket is not your call with this customer.")
    return require_verified(session, ticket_id, now, fresh)


def check_verified(ticket: Ticket, now: datetime, fresh: bool = False) -> None:
    """The same rules on a ticket already loaded, without counting as activity (for status displays)."""
    if ticket.status == TicketStatus.CLOSED:
        raise NotVerified("Caller not verified: this call has been wrapped up.")
    if ticket.verified_at is None:
        raise NotVerified("Caller not verified: verify the caller with a code first.")
    last_activity = ticket.last_activity_at or ticket.verified_at
    if now - last_activity > IDLE_LIMIT:
        raise NotVerified("Caller not verified: the call was idle for over 15 minutes; verify again.")
    if fresh and now - ticket.verified_at > STEP_UP_WINDOW:
        raise NotVerified(
            "Caller not verified: this action needs a code passed in the last 5 minutes; ask for a fresh code."
        )

