"""The unit of work every service command runs in: one transaction, bounded retries, a stale edit as a
plain-words conflict, and audit events signed for the acting agent.

A command reads as its rules:

    with unit_of_work(sessions, call, doing=N_("unlock accounts"), stale=...) as uow:
        uow.verified_caller(fresh=True)
        ...
        uow.record("account.unlock", "customer", customer.id, {...})

`run_command` does the same for a command whose engine may ask it to run again (a serialization
failure or deadlock on PostgreSQL, a busy SQLite): the whole command runs again from fresh data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from console.db import run_with_retries
from console.i18n import N_, _
from console.services import audit
from console.services.actors import active_agent, agent_on_call
from console.services.context import Actor, OnCall
from console.services.driver import run
from console.services.errors import Conflict, NotFound, Refused
from console.services.gate import require_verified_caller
from console.services.rows import ActingAgent, TicketFacts
from models import Role, Ticket, TicketNote

T = TypeVar("T")

# What an agent is told when someone else saved the same row first and the command did not say more.
STALE = N_("Someone else changed this meanwhile; look at it again.")


@dataclass
class UnitOfWork:
    """One transaction of one command, for one acting agent, at one time (on a call, or not)."""

    session: Session
    actor: Actor
    _agent: ActingAgent | None = field(default=None, repr=False)

    @property
    def agent_id(self) -> int:
        return self.actor.agent_id

    @property
    def now(self) -> datetime:
        return self.actor.now

    @property
    def call(self) -> OnCall:
        """The call this command runs on; a command that needs one is given an `OnCall`."""
        if not isinstance(self.actor, OnCall):
            raise AssertionError("this command runs on a call: pass an OnCall")
        return self.actor

    def acting(
        self, *roles: Role, doing: str = N_("do this"), gated: bool = False, caller_locked_next: bool = False
    ) -> ActingAgent:
        """Load the acting agent (enabled, with one of `roles` if given) and check the console's clock.
        `gated`: the command passes the verification gate next, so the call's ticket (and its caller,
        when the call names one) comes along in the same round trip (the gate still checks them; it
        only does not read them again). `caller_locked_next`: the command takes the caller's money lock
        next, which reads their row, so it is not read here. A gated command reads all of it on the driver
        as plain rows (`actors.agent_on_call`): it changes none of them."""
        if gated:
            customer = None if caller_locked_next else self.call.customer_id
            self._agent = agent_on_call(
                self.session,
                self.agent_id,
                *roles,
                doing=doing,
                now=self.now,
                ticket_id=self.call.ticket_id,
                customer_id=customer,
            )
        else:
            self._agent = active_agent(self.session, self.agent_id, *roles, doing=doing, now=self.now)
        return self._agent

    @property
    def agent(self) -> ActingAgent:
        """The acting agent, loaded by `acting` (or by `unit_of_work(..., doing=...)`)."""
        if self._agent is None:
            raise AssertionError("the acting agent is loaded with uow.acting(...) before it is used")
        return self._agent

    def own_ticket(self, ticket_id: int) -> Ticket:
        """The acting agent's ticket: refused when it is someone else's."""
        return own_ticket(self.session, ticket_id, self.agent)

    def verified_caller(self, customer_id: int | None = None, *, fresh: bool = False) -> TicketFacts:
        """The verification gate for the acting agent's call with its customer (or `customer_id`, the one
        the command acts on, which must be the call's); see `gate`."""
        call = self.call
        customer = call.caller_id if customer_id is None else customer_id
        return require_verified_caller(self.session, call.ticket_id, self.agent.id, customer, self.now, fresh)

    def note(self, ticket_id: int | None, body: str, *, by: ActingAgent | None = None) -> None:
        """Add a note to the call's ticket (none without a ticket), written by the acting agent (or `by`)."""
        if ticket_id is not None:
            author = by or self.agent
            # Written now, straight on the driver: nothing reads a note back as an object, and the
            # ORM's flush costs more than the statement (the call's ticket is always in the database).
            values = {"ticket_id": ticket_id, "agent_id": author.id, "body": body, "created_at": self.now}
            run(self.session, _NEW_NOTE, values)

    def record(
        self,
        action: str,
        subject_type: str | None = None,
        subject_id: object | None = None,
        details: Mapping[str, Any] | None = None,
        *,
        by: ActingAgent | None = None,
    ) -> None:
        """Append the audit event for this action, signed as the acting agent (or `by`), at this time."""
        actor = by or self.agent
        audit.record(
            self.session,
            actor=actor.username,
            actor_agent_id=actor.id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details,
            now=self.now,
        )


_NEW_NOTE = insert(TicketNote)


def own_ticket(session: Session, ticket_id: int, agent: ActingAgent) -> Ticket:
    """The agent's own ticket: the one rule for "is this the agent's ticket" (the verification gate adds
    that the caller passed a factor on it)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(_("No such ticket."))
    if ticket.agent_id != agent.id:
        raise Refused(_("This ticket belongs to another agent."))
    return ticket


@contextmanager
def unit_of_work(
    sessions: sessionmaker[Session],
    actor: Actor,
    *roles: Role,
    doing: str | None = None,
    stale: str = STALE,
    gated: bool = False,
) -> Iterator[UnitOfWork]:
    """Begin the transaction (committed when the block ends, rolled back when it raises); with `doing`,
    the acting agent is loaded first (`gated`: with the call's ticket, for the verification gate that
    comes next). A row saved by someone else meanwhile becomes `Conflict(stale)`."""
    try:
        # The audit events go in last, just before the commit: the chain's lock is the one every
        # writer on the floor queues for, so it is held for the appends only (see audit.appended_last).
        with sessions.begin() as session, audit.appended_last(session):
            _hold_loaded_rows(session)
            uow = UnitOfWork(session, actor)
            if doing is not None:
                uow.acting(*roles, doing=doing, gated=gated)
            yield uow
    except StaleDataError:
        raise Conflict(_(stale)) from None


def _hold_loaded_rows(session: Session) -> None:
    """Keep every row the command loads until it ends (SQLAlchemy's strong-reference recipe): the
    session's identity map holds rows weakly, so a row read in one rule and dropped was read again by
    the next one (the dispute's statement row three times in one adjustment)."""
    session.info[_HELD_INFO] = []


# The key in `Session.info` of the rows a command has loaded.
_HELD_INFO = "hotline_held_rows"


@event.listens_for(Session, "loaded_as_persistent")
def _hold(session: Session, row: object) -> None:
    # One listener for every session (adding one per session cost more than the command's own rules):
    # only a unit of work's session keeps what it loads.
    held = session.info.get(_HELD_INFO)
    if held is not None:
        held.append(row)


def run_command(
    sessions: sessionmaker[Session],
    actor: Actor,
    work: Callable[[UnitOfWork], T],
    *roles: Role,
    doing: str | None = None,
    stale: str = STALE,
) -> T:
    """`work` in a unit of work, run again from the start when the engine says the transaction lost a race."""

    def attempt() -> T:
        with unit_of_work(sessions, actor, *roles, doing=doing, stale=stale) as uow:
            return work(uow)

    return run_with_retries(attempt)
