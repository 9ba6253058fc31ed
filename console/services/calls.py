"""Incoming calls: recording a ring, the queue every console shows, and claiming a call for exactly one agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from console.db import rows_changed
from console.i18n import N_, _
from console.services import audit
from console.services.actors import require_enabled
from console.services.context import Actor
from console.services.errors import Conflict, InvalidInput, NotFound
from console.services.free_text import one_line
from console.services.lookup import LookupResult, find_customers, normalize_phone
from console.services.masking import mask_phone
from console.services.tickets import TicketView, open_ticket_in
from console.services.unit_of_work import unit_of_work
from models import Hotline, IncomingCall, TicketReason

# PostgreSQL channel a new ring is announced on; consoles LISTEN on it and fall back to polling.
CALLS_CHANNEL = "hotline_calls"
WITHHELD = "withheld"


@dataclass(frozen=True)
class HotlineView:
    code: str
    region: str
    number: str
    hours: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class WaitingCall:
    call_id: int
    caller_masked: str
    line: str | None
    received_at: datetime

    def waited_seconds(self, now: datetime) -> int:
        return max(0, int((now - self.received_at).total_seconds()))


@dataclass(frozen=True)
class ClaimedCall:
    call_id: int
    ticket: TicketView
    # The lookup on the caller's number, run by the service so the full number never reaches a screen.
    lookup: LookupResult
    # The caller's number as the queue showed it (last digits only).
    caller_masked: str = ""


def list_hotlines(sessions: sessionmaker[Session]) -> list[HotlineView]:
    with sessions() as session:
        rows = session.scalars(select(Hotline).order_by(Hotline.id))
        return [
            HotlineView(
                code=line.code,
                region=line.region,
                number=line.number,
                hours=line.hours,
                languages=tuple(lang.strip() for lang in line.languages.split(",") if lang.strip()),
            )
            for line in rows
        ]


def record_incoming_call(
    sessions: sessionmaker[Session],
    caller_number: str,
    line_code: str | None = None,
    default_region: str = "CN",
    *,
    now: datetime,
) -> WaitingCall:
    """What the telephony system (or `hotline ring`) calls when a caller rings, at its clock's `now`."""
    raw = one_line(caller_number).strip()
    if raw.lower() in {"", "anonymous", "withheld", "private", "unknown"}:
        number = WITHHELD
    else:
        e164 = normalize_phone(raw, default_region)
        if e164 is None:
            raise InvalidInput(_("That caller number is not a valid phone number; add the country code (+86 …)."))
        number = e164
    with sessions.begin() as session:
        hotline_id = None
        line_label = None
        if line_code:
            line = session.scalar(select(Hotline).where(Hotline.code == line_code.upper()))
            if line is None:
                known = ", ".join(session.scalars(select(Hotline.code).order_by(Hotline.code)))
                raise InvalidInput(
                    _("No hotline called {line_code!r}. Known lines: {value}.").format(
                        line_code=line_code, value=known or "none"
                    )
                )
            hotline_id, line_label = line.id, line.code
        call = IncomingCall(caller_number=number, hotline_id=hotline_id, received_at=now)
        session.add(call)
        session.flush()
        audit.record(
            session,
            actor="telephony",
            action="call.ring",
            subject_type="call",
            subject_id=call.id,
            details={"caller": _masked_caller(number), "line": line_label},
            now=now,
        )
        if session.get_bind().dialect.name == "postgresql":
            # Delivered on commit; consoles that LISTEN see the call at once.
            session.execute(
                text("SELECT pg_notify(:channel, :payload)"), {"channel": CALLS_CHANNEL, "payload": str(call.id)}
            )
        return WaitingCall(call.id, _masked_caller(number), line_label, now)


def _masked_caller(number: str) -> str:
    return "withheld number" if number == WITHHELD else (mask_phone(number) or "unknown")


def waiting_calls(sessions: sessionmaker[Session], agent_id: int, limit: int = 50) -> list[WaitingCall]:
    """Calls nobody has claimed yet, longest-waiting first."""
    with sessions() as session:
        require_enabled(session, agent_id, doing=N_("see the call queue"))
        rows = session.execute(
            select(IncomingCall, Hotline.code)
            .outerjoin(Hotline, Hotline.id == IncomingCall.hotline_id)
            .where(IncomingCall.claimed_by_agent_id.is_(None), IncomingCall.ended_at.is_(None))
            .order_by(IncomingCall.received_at, IncomingCall.id)
            .limit(limit)
        ).all()
        return [WaitingCall(call.id, _masked_caller(call.caller_number), code, call.received_at) for call, code in rows]


def claim_call(
    sessions: sessionmaker[Session],
    call_id: int,
    actor: Actor,
    default_region: str = "CN",
) -> ClaimedCall:
    """Give the call to this agent, open its ticket, and look the caller up.

    The claim is one conditional UPDATE, so when two agents claim at once exactly one row changes
    and the other agent is told someone else has it.
    """
    with unit_of_work(sessions, actor, doing=N_("take calls")) as uow:
        session = uow.session
        claimed = session.execute(
            update(IncomingCall)
            .where(IncomingCall.id == call_id, IncomingCall.claimed_by_agent_id.is_(None))
            .values(claimed_by_agent_id=actor.agent_id, claimed_at=actor.now)
        )
        if rows_changed(claimed) != 1:
            if session.get(IncomingCall, call_id) is None:
                raise NotFound(_("That call is no longer in the queue."))
            raise Conflict(_("Another agent has already taken this call."))
        call = session.get(IncomingCall, call_id)
        assert call is not None
        ticket = open_ticket_in(uow, call_id=call_id, reason=TicketReason.OTHER)
        uow.record("call.claim", "call", call_id, {"ticket": ticket.ticket_id})
        caller = call.caller_number
    if caller == WITHHELD:
        lookup = LookupResult(
            query="",
            understood_as=(),
            matches=(),
            problem=_("The caller's number is withheld; ask for their phone or account number."),
        )
    else:
        lookup = find_customers(sessions, caller, default_region=default_region, agent_id=actor.agent_id)
        # The query was the full number: keep it out of what the screen receives.
        lookup = LookupResult("", lookup.understood_as, lookup.matches, lookup.more, lookup.problem)
    return ClaimedCall(call_id=call_id, ticket=ticket, lookup=lookup, caller_masked=_masked_caller(caller))
