"""Tickets: opening one for a call, notes saved as drafts while the agent types, wrap-up, reopening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import require_enabled
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.gate import NOT_VERIFIED
from console.services.insider import note_customer_opened
from console.services.masking import mask_phone
from console.services.unit_of_work import UnitOfWork, unit_of_work
from models import (
    Agent,
    Customer,
    Disposition,
    IncomingCall,
    NoteDraft,
    Ticket,
    TicketNote,
    TicketReason,
    TicketStatus,
)

MAX_NOTE_LENGTH = 10_000


@dataclass(frozen=True)
class TicketView:
    ticket_id: int
    customer_id: int | None
    customer_name: str | None
    reason: str
    status: str
    disposition: str | None
    opened_at: datetime
    closed_at: datetime | None
    follow_up_due: date | None
    version: int
    # This change ended the call's verified state (the ticket now names another customer): say so.
    verification_ended: bool = False
    # When the call on it began (taken, opened or reopened); None once wrapped up. Talk time counts from it.
    call_started_at: datetime | None = None


@dataclass(frozen=True)
class NoteView:
    note_id: int
    body: str
    created_at: datetime
    agent_username: str


@dataclass(frozen=True)
class WrapUp:
    """The agent's answer in the wrap-up dialog."""

    disposition: str
    talk_seconds: int
    wrap_up_seconds: int
    follow_up_due: date | None = None
    note: str = ""
    # The call reason the agent settled on in the wrap-up (a suggestion from what was done, or their
    # own choice); None leaves the ticket's reason as it is.
    reason: str | None = None


def _view(ticket: Ticket, customer_name: str | None, *, verification_ended: bool = False) -> TicketView:
    return TicketView(
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        customer_name=customer_name,
        reason=ticket.reason.value,
        status=ticket.status.value,
        disposition=ticket.disposition.value if ticket.disposition else None,
        opened_at=ticket.opened_at,
        closed_at=ticket.closed_at,
        follow_up_due=ticket.follow_up_due,
        version=ticket.version,
        verification_ended=verification_ended,
        call_started_at=ticket.call_started_at,
    )


def _customer_name(session: Session, customer_id: int | None) -> str | None:
    if customer_id is None:
        return None
    return session.scalar(select(Customer.full_name).where(Customer.id == customer_id))


def open_ticket_in(
    uow: UnitOfWork,
    *,
    customer_id: int | None = None,
    call_id: int | None = None,
    reason: TicketReason = TicketReason.OTHER,
) -> TicketView:
    """Open a ticket for the acting agent inside the command's unit of work (the call claim uses this)."""
    session, agent, now = uow.session, uow.agent, uow.now
    ticket = Ticket(
        agent_id=agent.id,
        customer_id=customer_id,
        call_id=call_id,
        reason=reason,
        status=TicketStatus.OPEN,
        opened_at=now,
        call_started_at=now,
        last_activity_at=now,
    )
    session.add(ticket)
    session.flush()
    if customer_id is not None:
        note_customer_opened(session, agent.id, customer_id, now)
    uow.record("ticket.open", "ticket", ticket.id, {"reason": reason.value, "customer": customer_id, "call": call_id})
    return _view(ticket, _customer_name(session, customer_id))


def open_ticket(
    sessions: sessionmaker[Session],
    actor: Actor,
    customer_id: int | None = None,
    reason: str = TicketReason.OTHER.value,
) -> TicketView:
    """A ticket opened by hand (no call in the queue, or a callback)."""
    with unit_of_work(sessions, actor, doing=N_("work tickets")) as uow:
        return open_ticket_in(uow, customer_id=customer_id, reason=_reason(reason))


def _reason(value: str) -> TicketReason:
    try:
        return TicketReason(value)
    except ValueError:
        raise InvalidInput(_("Unknown call reason {value!r}.").format(value=value)) from None


def update_ticket(
    sessions: sessionmaker[Session],
    call: OnCall,
    expected_version: int,
    *,
    reason: str | None = None,
) -> TicketView:
    """Attach the caller once found, or change the reason. Refused if the ticket changed meanwhile."""
    changed = "This ticket was changed elsewhere; it has been reloaded."
    with unit_of_work(sessions, call, doing=N_("work tickets"), stale=changed) as uow:
        session = uow.session
        ticket = uow.own_ticket(call.ticket_id)
        if ticket.version != expected_version:
            raise Conflict(changed)
        if ticket.status == TicketStatus.CLOSED:
            raise Refused(_("This ticket is closed; reopen it first."))
        details: dict[str, object] = {}
        verification_ended = False
        if call.customer_id is not None and call.customer_id != ticket.customer_id:
            if session.get(Customer, call.customer_id) is None:
                raise NotFound(_("No such customer."))
            details["customer"] = call.customer_id
            details["previous_customer"] = ticket.customer_id
            # Verified state belongs to the customer who passed the factor: another one starts unverified.
            if ticket.verified_at is not None:
                verification_ended = True
                details["verification_ended"] = True
            ticket.customer_id = call.customer_id
            _end_verification(ticket)
            note_customer_opened(session, uow.agent.id, call.customer_id, call.now)
        if reason is not None and reason != ticket.reason.value:
            ticket.reason = _reason(reason)
            details["reason"] = reason
        ticket.last_activity_at = call.now
        session.flush()
        if details:
            uow.record("ticket.update", "ticket", ticket.id, details)
        return _view(ticket, _customer_name(session, ticket.customer_id), verification_ended=verification_ended)


def save_draft(
    sessions: sessionmaker[Session],
    call: OnCall,
    body: str,
) -> None:
    """Keep what the agent is typing; called continuously (debounced) by the workspace."""
    body = free_text(body)
    if len(body) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            _("A note can be at most {MAX_NOTE_LENGTH:,} characters.").format(MAX_NOTE_LENGTH=MAX_NOTE_LENGTH)
        )
    with unit_of_work(sessions, call, doing=N_("work tickets")) as uow:
        session = uow.session
        uow.own_ticket(call.ticket_id)
        draft = session.scalar(
            select(NoteDraft).where(NoteDraft.ticket_id == call.ticket_id, NoteDraft.agent_id == call.agent_id)
        )
        if draft is None:
            session.add(NoteDraft(ticket_id=call.ticket_id, agent_id=call.agent_id, body=body, updated_at=call.now))
        else:
            draft.body = body
            draft.updated_at = call.now


def load_draft(sessions: sessionmaker[Session], ticket_id: int, agent_id: int) -> str:
    with sessions() as session:
        require_enabled(session, agent_id, doing=N_("read drafts"))
        body = session.scalar(
            select(NoteDraft.body).where(NoteDraft.ticket_id == ticket_id, NoteDraft.agent_id == agent_id)
        )
        return body or ""


def add_note(
    sessions: sessionmaker[Session],
    call: OnCall,
    body: str,
) -> NoteView:
    """Turn the draft into a saved note (the draft is cleared in the same transaction)."""
    body = free_text(body).strip()
    if not body:
        raise InvalidInput(_("The note is empty."))
    if len(body) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            _("A note can be at most {MAX_NOTE_LENGTH:,} characters.").format(MAX_NOTE_LENGTH=MAX_NOTE_LENGTH)
        )
    with unit_of_work(sessions, call, doing=N_("work tickets")) as uow:
        session, agent = uow.session, uow.agent
        ticket = uow.own_ticket(call.ticket_id)
        note = TicketNote(ticket_id=ticket.id, agent_id=agent.id, body=body, created_at=call.now)
        session.add(note)
        _clear_draft(session, call.ticket_id, call.agent_id)
        ticket.last_activity_at = call.now
        session.flush()
        uow.record("ticket.note", "ticket", ticket.id, {"note": note.id})
        return NoteView(note.id, note.body, note.created_at, agent.username)


def _end_verification(ticket: Ticket) -> None:
    for column, value in NOT_VERIFIED.items():
        setattr(ticket, column, value)


def _clear_draft(session: Session, ticket_id: int, agent_id: int) -> None:
    draft = session.scalar(select(NoteDraft).where(NoteDraft.ticket_id == ticket_id, NoteDraft.agent_id == agent_id))
    if draft is not None:
        session.delete(draft)


def ticket_notes(sessions: sessionmaker[Session], ticket_id: int, agent_id: int) -> list[NoteView]:
    with sessions() as session:
        require_enabled(session, agent_id, doing=N_("read ticket notes"))
        rows = session.execute(
            select(TicketNote, Agent.username)
            .join(Agent, Agent.id == TicketNote.agent_id)
            .where(TicketNote.ticket_id == ticket_id)
            .order_by(TicketNote.created_at, TicketNote.id)
        ).all()
        return [NoteView(note.id, note.body, note.created_at, username) for note, username in rows]


def wrap_up(
    sessions: sessionmaker[Session],
    call: OnCall,
    answer: WrapUp,
) -> TicketView:
    """Close the ticket, or leave it pending with a follow-up date. A disposition is required."""
    if not answer.disposition:
        raise InvalidInput(_("Choose a disposition before finishing the call."))
    try:
        disposition = Disposition(answer.disposition)
    except ValueError:
        raise InvalidInput(_("Unknown disposition {disposition!r}.").format(disposition=answer.disposition)) from None
    if answer.talk_seconds < 0 or answer.wrap_up_seconds < 0:
        raise InvalidInput(_("Handle times cannot be negative."))
    follow_up = disposition == Disposition.FOLLOW_UP
    if follow_up and answer.follow_up_due is None:
        raise InvalidInput(_("A follow-up needs a due date."))
    if answer.follow_up_due is not None and answer.follow_up_due < call.now.date():
        raise InvalidInput(_("The follow-up date is in the past."))
    reason = _reason(answer.reason) if answer.reason is not None else None
    with unit_of_work(sessions, call, doing=N_("work tickets")) as uow:
        session, agent = uow.session, uow.agent
        ticket = uow.own_ticket(call.ticket_id)
        if ticket.status == TicketStatus.CLOSED:
            raise Conflict(_("This ticket is already closed."))
        if reason is not None:
            ticket.reason = reason
        if note := free_text(answer.note).strip():
            session.add(TicketNote(ticket_id=ticket.id, agent_id=agent.id, body=note, created_at=call.now))
            _clear_draft(session, call.ticket_id, call.agent_id)
        ticket.disposition = disposition
        ticket.talk_seconds += answer.talk_seconds
        ticket.wrap_up_seconds += answer.wrap_up_seconds
        ticket.follow_up_due = answer.follow_up_due if follow_up else None
        ticket.status = TicketStatus.PENDING if follow_up else TicketStatus.CLOSED
        ticket.closed_at = None if follow_up else call.now
        ticket.call_started_at = None  # the call is over
        # Verified state belongs to the call: it ends here.
        _end_verification(ticket)
        ticket.last_activity_at = call.now
        session.flush()
        uow.record(
            "ticket.wrap_up",
            "ticket",
            ticket.id,
            {
                "disposition": disposition.value,
                "status": ticket.status.value,
                "reason": ticket.reason.value,
                "talk_seconds": answer.talk_seconds,
                "wrap_up_seconds": answer.wrap_up_seconds,
            },
        )
        return _view(ticket, _customer_name(session, ticket.customer_id))


def my_tickets(sessions: sessionmaker[Session], agent_id: int, limit: int = 50) -> list[TicketView]:
    """The agent's open and pending tickets, pending ones with the nearest follow-up first."""
    with sessions() as session:
        require_enabled(session, agent_id, doing=N_("list tickets"))
        rows = session.execute(
            select(Ticket, Customer.full_name)
            .outerjoin(Customer, Customer.id == Ticket.customer_id)
            .where(Ticket.agent_id == agent_id, Ticket.status != TicketStatus.CLOSED)
            .order_by(Ticket.status, Ticket.follow_up_due, Ticket.opened_at.desc())
            .limit(limit)
        ).all()
        return [_view(ticket, name) for ticket, name in rows]


@dataclass(frozen=True)
class OpenCall:
    """The call an agent left open (quit, logged out, or the console stopped): what comes back at login."""

    ticket: TicketView
    # The caller's number as a list shows it (last digits only), when the call came through the queue.
    caller_masked: str | None


def open_call(sessions: sessionmaker[Session], agent_id: int) -> OpenCall | None:
    """The agent's call in progress: their newest open ticket whose call has not been wrapped up.

    Its verified state is the ticket's, as the verification rules say (15 idle minutes still end it).
    """
    with sessions() as session:
        require_enabled(session, agent_id, doing="resume a call")
        row = session.execute(
            select(Ticket, Customer.full_name, IncomingCall.caller_number)
            .outerjoin(Customer, Customer.id == Ticket.customer_id)
            .outerjoin(IncomingCall, IncomingCall.id == Ticket.call_id)
            .where(
                Ticket.agent_id == agent_id,
                Ticket.status == TicketStatus.OPEN,
                Ticket.call_started_at.is_not(None),
            )
            .order_by(Ticket.call_started_at.desc(), Ticket.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        ticket, name, number = row
        # A withheld number ("withheld") does not parse as a phone: nothing to show.
        return OpenCall(_view(ticket, name), mask_phone(number) if number and number.startswith("+") else None)


def reopen_ticket(
    sessions: sessionmaker[Session],
    call: OnCall,
) -> TicketView:
    with unit_of_work(sessions, call, doing=N_("work tickets")) as uow:
        session = uow.session
        ticket = uow.own_ticket(call.ticket_id)
        if ticket.status != TicketStatus.OPEN:
            ticket.status = TicketStatus.OPEN
            ticket.closed_at = None
            ticket.disposition = None
            ticket.follow_up_due = None  # the follow-up is being worked now
            ticket.call_started_at = call.now  # a new call: its talk time starts now
            # A reopened ticket is a new call: whoever rings needs a new verification.
            _end_verification(ticket)
            ticket.last_activity_at = call.now
            session.flush()
            uow.record("ticket.reopen", "ticket", ticket.id)
        return _view(ticket, _customer_name(session, ticket.customer_id))
