"""The verification gate: actions on an account run only for the caller verified on this call, recently enough."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from console.i18n import N_, _
from console.services.driver import known, remember, run
from console.services.errors import Refused
from console.services.rows import TicketFacts
from models import Ticket, TicketStatus

# Verified state ends after this long without activity on the ticket.
IDLE_LIMIT = timedelta(minutes=15)
# ... and this long after the factor passed, however busy the call.
VERIFIED_AT_MOST = timedelta(minutes=60)
# High-risk actions (unlock, adjustment, contact change, reveal) need a factor this recent.
STEP_UP_WINDOW = timedelta(minutes=5)


# The refusal for a command about someone other than the customer on the agent's call.
NOT_THIS_CALL = N_("Caller not verified: this ticket is not your call with this customer.")


class NotVerified(Refused):
    """The caller has not proved possession of a factor on this call (or not recently enough)."""


def require_verified_caller(
    session: Session, ticket_id: int, agent_id: int, customer_id: int, now: datetime, fresh: bool = False
) -> TicketFacts:
    """Raise NotVerified unless this is the agent's live call with this customer, and this customer
    passed a factor on it recently enough. Runs inside the action's transaction; a pass counts as
    activity on the ticket. The ticket is the one the command read with its agent, if it did."""
    ticket: TicketFacts | None = known(session, Ticket.__tablename__, ticket_id) or session.get(Ticket, ticket_id)
    if ticket is None or ticket.agent_id != agent_id or ticket.customer_id != customer_id:
        raise NotVerified(_(NOT_THIS_CALL))
    check_verified(ticket, now, fresh)
    if not known(session, _TOUCHED, ticket_id):
        # Straight to the driver: the ORM has nothing to synchronize for this one column.
        run(session, _TOUCH, {"ticket_id": ticket_id, "now": now})
    return ticket


# Built once: every gated command sends it (building a statement costs more than sending it).
_TOUCH = update(Ticket).where(Ticket.id == bindparam("ticket_id")).values(last_activity_at=bindparam("now"))

# The same touch sent with the statement that reads the agent's call (`actors.agent_on_call`), on
# PostgreSQL: a data-modifying WITH runs whatever the rest of the statement reads, and the rest reads
# the ticket as it was before it, which is what the rules above judge. A refusal rolls the touch back
# with everything else; only the agent's own ticket is touched.
TOUCH_WITH_READ = (
    update(Ticket)
    .where(Ticket.id == bindparam("touch_ticket"), Ticket.agent_id == bindparam("touch_agent"))
    .values(last_activity_at=bindparam("touch_at"))
    .cte("touched")
)


def touched_with_read(session: Session, ticket_id: int) -> None:
    """The command's read of its call touched the ticket already (TOUCH_WITH_READ)."""
    remember(session, _TOUCHED, ticket_id, True)


# The name `driver.known` keeps the tickets a command's read touched under.
_TOUCHED = "tickets touched"


def check_verified(ticket: TicketFacts, now: datetime, fresh: bool = False) -> None:
    """The same rules on a ticket already loaded, without counting as activity (for status displays)."""
    if ticket.status == TicketStatus.CLOSED:
        raise NotVerified(_("Caller not verified: this call has been wrapped up."))
    if ticket.verified_at is None or ticket.verified_customer_id is None:
        raise NotVerified(_("Caller not verified: verify the caller with a code first."))
    if ticket.verified_customer_id != ticket.customer_id:
        raise NotVerified(
            _(
                "Caller not verified: the ticket now names another customer than the one who passed the "
                "code; this caller must pass a code of their own."
            )
        )
    if now - ticket.verified_at > VERIFIED_AT_MOST:
        raise NotVerified(_("Caller not verified: the code was passed over 60 minutes ago; verify again."))
    last_activity = ticket.last_activity_at or ticket.verified_at
    if now - last_activity > IDLE_LIMIT:
        raise NotVerified(_("Caller not verified: the call was idle for over 15 minutes; verify again."))
    if fresh and now - ticket.verified_at > STEP_UP_WINDOW:
        raise NotVerified(fresh_code_needed())


def fresh_code_needed() -> str:
    """What the agent hears when a high-risk action comes more than STEP_UP_WINDOW after the caller's code."""
    return _("Caller not verified: this action needs a code passed in the last 5 minutes; ask for a fresh code.")


# What ends verified state on a ticket (wrap-up, reopening, a change of customer).
NOT_VERIFIED = {"verified_at": None, "verified_factor": None, "verified_customer_id": None}
