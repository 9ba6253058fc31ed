"""What was done on a call, read back from its rows and audit events for the wrap-up, and the call reason
that follows from it (unlock -> locked account, dispute -> statement dispute, fees -> deposit/withdrawal,
feedback -> feedback) when the agent has not chosen one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.services.actors import require_enabled
from console.services.context import Actor
from console.services.errors import NotFound, Refused
from console.services.labels import direction_label, factor_label, lock_reason_label, method_label, reason_label
from console.services.money import asset, format_money
from models import (
    Adjustment,
    AuditEvent,
    Dispute,
    Feedback,
    Ticket,
    TicketReason,
    UnlockRequest,
    VerificationAttempt,
)

# What each thing done says about why the caller rang, strongest first.
_REASON_OF = {
    "unlocked": TicketReason.LOCKED_ACCOUNT,
    "unlock_requested": TicketReason.LOCKED_ACCOUNT,
    "dispute_opened": TicketReason.STATEMENT_DISPUTE,
    "adjustment_proposed": TicketReason.STATEMENT_DISPUTE,
    "fees_told": TicketReason.DEPOSIT_WITHDRAWAL,
    "withdrawal_followed_up": TicketReason.DEPOSIT_WITHDRAWAL,
    "feedback_logged": TicketReason.FEEDBACK,
}
_AUDITED = ("account.unlock", "fees.told", "withdrawal.follow_up")


@dataclass(frozen=True)
class CallDone:
    """One thing done on the call: `kind` (a key of the wrap-up's list) and what it was about."""

    kind: str
    detail: str


@dataclass(frozen=True)
class CallSummary:
    ticket_id: int
    reason: str
    done: tuple[CallDone, ...]
    # The reason the things done point to, when the ticket still says "other"; None otherwise.
    suggested_reason: str | None

    @property
    def suggested_label(self) -> str | None:
        return reason_label(self.suggested_reason) if self.suggested_reason else None


def _details(event: AuditEvent) -> dict[str, object]:
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


def call_summary(sessions: sessionmaker[Session], actor: Actor, ticket_id: int) -> CallSummary:
    """What the acting agent did on their ticket, in the order it happened, and the reason it suggests."""
    with sessions() as session:
        require_enabled(session, actor.agent_id, doing="wrap up calls")
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("No such ticket.")
        if ticket.agent_id != actor.agent_id:
            raise Refused("This ticket belongs to another agent.")
        done: list[tuple[datetime, CallDone]] = []
        verified = session.scalars(
            select(VerificationAttempt)
            .where(VerificationAttempt.ticket_id == ticket_id, VerificationAttempt.success.is_(True))
            .order_by(VerificationAttempt.attempted_at, VerificationAttempt.id)
        ).first()
        if verified is not None:
            factor = factor_label(verified.factor.value)
            done.append((verified.attempted_at, CallDone("verified", factor)))
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action.in_(_AUDITED),
                AuditEvent.actor_agent_id == actor.agent_id,
                AuditEvent.occurred_at >= ticket.opened_at,
            )
            .order_by(AuditEvent.seq)
        ).all()
        told: set[tuple[object, ...]] = set()
        for event in events:
            details = _details(event)
            if event.action == "fees.told" and event.subject_id == str(ticket_id):
                key = (details.get("method"), details.get("asset"), details.get("direction"))
                if key not in told:  # the same line told twice is one thing done
                    told.add(key)
                    direction, method = str(details.get("direction")), str(details.get("method"))
                    what = f"{direction_label(direction)} · {method_label(method)} · {details.get('asset')}"
                    done.append((event.occurred_at, CallDone("fees_told", what)))
            elif details.get("ticket") == ticket_id and event.action == "account.unlock":
                lock = lock_reason_label(str(details.get("lock_reason"))) if details.get("lock_reason") else ""
                done.append((event.occurred_at, CallDone("unlocked", lock)))
            elif details.get("ticket") == ticket_id and event.action == "withdrawal.follow_up":
                done.append((event.occurred_at, CallDone("withdrawal_followed_up", f"T{event.subject_id}")))
        for request in session.scalars(select(UnlockRequest).where(UnlockRequest.ticket_id == ticket_id)):
            done.append((request.requested_at, CallDone("unlock_requested", f"U{request.id}")))
        for dispute in session.scalars(select(Dispute).where(Dispute.ticket_id == ticket_id)):
            done.append((dispute.opened_at, CallDone("dispute_opened", f"D{dispute.id}")))
        if ticket.customer_id is not None:
            for adjustment in session.scalars(
                select(Adjustment).where(
                    Adjustment.customer_id == ticket.customer_id,
                    Adjustment.requested_by_agent_id == actor.agent_id,
                    Adjustment.requested_at >= ticket.opened_at,
                )
            ):
                money = format_money(adjustment.amount, asset(session, adjustment.asset_code))
                done.append(
                    (adjustment.requested_at, CallDone("adjustment_proposed", f"{money} · D{adjustment.dispute_id}"))
                )
        for feedback in session.scalars(select(Feedback).where(Feedback.ticket_id == ticket_id)):
            done.append((feedback.created_at, CallDone("feedback_logged", f"F{feedback.id}")))
        done.sort(key=lambda pair: pair[0].replace(tzinfo=None))  # SQLite hands back naive times
        things = tuple(thing for _, thing in done)
        suggested = None
        if ticket.reason == TicketReason.OTHER:
            for kind, reason in _REASON_OF.items():
                if any(thing.kind == kind for thing in things):
                    suggested = reason.value
                    break
        return CallSummary(ticket_id, ticket.reason.value, things, suggested)
