"""The outbox: messages to customers written in the action's transaction, and what they received.

Bodies that carry a code are stored encrypted (Fernet, the key ring's keys), so the database never
holds a usable code in clear; the delivery side and `hotline outbox` decrypt them with the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import _
from console.services.caller_language import ticket_language, words_for
from console.services.driver import known, run
from console.services.errors import NotFound
from console.services.rows import Recipient
from models import Customer, OutboxChannel, OutboxMessage, Ticket

if TYPE_CHECKING:  # cryptography loads with the first message that carries a code (see crypto)
    from cryptography.fernet import MultiFernet

ENCRYPTED_PREFIX = "fernet:"


@dataclass(frozen=True)
class OutboxView:
    message_id: int
    channel: str
    recipient: str
    account_number: str | None
    kind: str
    subject: str | None
    body: str
    created_at: datetime
    sent_at: datetime | None


def add_message(
    session: Session,
    fernet: MultiFernet | None,
    *,
    channel: OutboxChannel,
    recipient: str,
    customer_id: int | None,
    kind: str,
    body: str,
    now: datetime,
    subject: str | None = None,
) -> None:
    """Queue a message inside the caller's transaction; with `fernet`, the body is stored encrypted.
    Written now, straight on the driver: nothing reads a message back as an object."""
    stored = body if fernet is None else ENCRYPTED_PREFIX + fernet.encrypt(body.encode()).decode()
    values = {
        "channel": channel,
        "recipient": recipient,
        "customer_id": customer_id,
        "kind": kind,
        "subject": subject,
        "body": stored,
        "created_at": now,
        "attempts": 0,
    }
    run(session, _NEW_MESSAGE, values)


_NEW_MESSAGE = insert(OutboxMessage)


def notify_customer(
    session: Session,
    customer: Recipient,
    *,
    kind: str,
    body: str,
    now: datetime,
    subject: str | None = None,
    values: Mapping[str, object] | None = None,
    ticket_id: int | None = None,
) -> bool:
    """Tell the customer something (an unlock, a new estimate, dispute progress) on their bound
    phone, else their email; returns False for a customer with neither.

    `body` and `subject` are English sentences marked with `N_()`: the customer reads them in their
    own language (the caller's on `ticket_id`, else their profile's), with `values` filled in after."""
    if customer.phone_bound and customer.phone_e164:
        channel, recipient = OutboxChannel.SMS, customer.phone_e164
    elif customer.email:
        channel, recipient = OutboxChannel.EMAIL, customer.email
    else:
        return False
    # The call's ticket as the command read it with its agent, if it did (see actors.agent_on_call).
    ticket = (known(session, Ticket.__tablename__, ticket_id) or session.get(Ticket, ticket_id)) if ticket_id else None
    say = words_for(ticket_language(session, ticket, customer))
    body = say(body).format(**(values or {}))
    subject = say(subject) if subject else None
    add_message(
        session,
        None,
        channel=channel,
        recipient=recipient,
        customer_id=customer.id,
        kind=kind,
        body=body,
        now=now,
        subject=subject if channel == OutboxChannel.EMAIL else None,
    )
    return True


def readable_body(fernet: MultiFernet, stored: str) -> str:
    from cryptography.fernet import InvalidToken

    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored
    try:
        return fernet.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
    except InvalidToken:
        return "(this message cannot be read with the current keys)"


def recent_messages(
    sessions: sessionmaker[Session],
    fernet: MultiFernet,
    account_number: str | None = None,
    limit: int = 20,
) -> list[OutboxView]:
    """The newest messages first: what the callers' phones and mailboxes received."""
    with sessions() as session:
        query = (
            select(OutboxMessage, Customer.account_number)
            .outerjoin(Customer, Customer.id == OutboxMessage.customer_id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
        if account_number is not None:
            customer_id = session.scalar(
                select(Customer.id).where(Customer.account_number == account_number.strip().upper())
            )
            if customer_id is None:
                raise NotFound(_("No customer with account number {strip!r}.").format(strip=account_number.strip()))
            query = query.where(OutboxMessage.customer_id == customer_id)
        return [
            OutboxView(
                m.id,
                m.channel.value,
                m.recipient,
                account,
                m.kind,
                m.subject,
                readable_body(fernet, m.body),
                m.created_at,
                m.sent_at,
            )
            for m, account in session.execute(query).all()
        ]
