"""Verifying a caller: the script for the call, what the verify panel shows, reveals, and key rotation of
the secrets; the codes themselves (sending, checking, the failure throttle) are in `codes`.

Every rule in DESIGN.md "Verification" is enforced in these two modules, not in the screens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.keys import KeyRing
from console.services import audit
from console.services.actors import require_enabled
from console.services.caller_language import ticket_language
from console.services.codes import CODE_TTL, is_locked, live_ticket, locked_customer, touch_ticket
from console.services.context import OnCall
from console.services.crypto import rotate_token
from console.services.errors import InvalidInput, NotFound
from console.services.gate import (
    IDLE_LIMIT,
    STEP_UP_WINDOW,
    VERIFIED_AT_MOST,
    NotVerified,
    check_verified,
    require_verified_caller,
)
from console.services.masking import mask_email
from console.services.outbox import ENCRYPTED_PREFIX
from console.services.scripts import LANGUAGES, Script, load_script, render_script
from console.services.unit_of_work import unit_of_work
from models import (
    Customer,
    Factor,
    OutboxMessage,
    Ticket,
)

__all__ = ["NotVerified", "require_verified_caller"]  # the gate, re-exported for callers of this module

REVEALABLE = ("phone", "email", "id_last4")


@dataclass(frozen=True)
class VerificationStart:
    ticket_id: int
    customer_id: int
    # The script to read, masked values filled in; its id and version are now on the ticket.
    script: Script
    # What this caller can verify with, in the order to offer them ("sms", "totp", "email").
    factors: tuple[str, ...]
    locked_until: datetime | None
    # The same script in every language it is written in, so the panel can switch without a round trip.
    translations: Mapping[str, Script] = field(default_factory=dict)


@dataclass(frozen=True)
class RevealedField:
    field: str
    value: str | None


def available_factors(customer: Customer) -> tuple[str, ...]:
    """SMS to a bound phone, the authenticator when 2FA is on, email only without a bound phone."""
    factors: list[str] = []
    if customer.phone_bound and customer.phone_e164:
        factors.append(Factor.SMS.value)
    if customer.totp_secret_encrypted is not None:
        factors.append(Factor.TOTP.value)
    if not customer.phone_bound and customer.email:
        factors.append(Factor.EMAIL.value)
    return tuple(factors)


def start_verification(
    sessions: sessionmaker[Session],
    call: OnCall,
    language: str | None = None,
) -> VerificationStart:
    """Pick the script for the call reason, record its id and version on the ticket, fill in masked values.

    The script is in `language` when given, else in the caller's (console.services.caller_language)."""
    with unit_of_work(sessions, call, doing=N_("verify callers")) as uow:
        session, agent = uow.session, uow.agent
        ticket = live_ticket(session, call.ticket_id, agent, call.caller_id)
        customer = locked_customer(session, call.caller_id, call.now)
        if language is None:
            language = ticket_language(session, ticket, customer)
        script = load_script(ticket.reason.value, language)
        touch_ticket(session, ticket.id, call.now, script_id=script.script_id, script_version=script.version)
        uow.record(
            "verification.start",
            "ticket",
            ticket.id,
            {"customer": call.caller_id, "script": script.script_id, "version": script.version},
        )
        values = {
            "agent_name": agent.display_name,
            "phone_last2": customer.phone_e164[-2:] if customer.phone_e164 else None,
            "email_masked": mask_email(customer.email),
            "id_last4": customer.id_last4,
            "code_minutes": str(int(CODE_TTL.total_seconds() // 60)),
        }
        locked = customer.verify_locked_until if is_locked(customer, call.now) else None
        translations = {lang: render_script(load_script(ticket.reason.value, lang), values) for lang in LANGUAGES}
        return VerificationStart(
            ticket.id, call.caller_id, translations[language], available_factors(customer), locked, translations
        )


# --- after verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationStatus:
    """What the verify panel shows: is the caller verified now, and for how long."""

    verified: bool
    factor: str | None
    verified_at: datetime | None
    # High-risk actions pass until this moment; after it, ask for a fresh code (step-up).
    fresh_until: datetime | None
    failures: int
    locked_until: datetime | None
    # When verified state ends unless something happens on the call first: 60 minutes after the factor,
    # or 15 idle minutes after the last activity, whichever comes first.
    ends_at: datetime | None = None


def verification_status(
    sessions: sessionmaker[Session],
    call: OnCall,
) -> VerificationStatus:
    with sessions() as session:
        require_enabled(session, call.agent_id, doing=N_("see a caller's verification"))
        ticket = session.get(Ticket, call.ticket_id)
        if ticket is None or ticket.agent_id != call.agent_id:
            raise NotFound(_("No such ticket of yours."))
        customer = session.get(Customer, ticket.customer_id) if ticket.customer_id else None
        failures, locked = 0, None
        if customer is not None and not (customer.verify_locked_until and customer.verify_locked_until <= call.now):
            # An expired lockout means the count starts again at the next attempt.
            failures, locked = customer.verify_failures, customer.verify_locked_until
        try:
            check_verified(ticket, call.now)
        except NotVerified:
            return VerificationStatus(False, None, None, None, failures, locked)
        assert ticket.verified_at is not None
        fresh_until = ticket.verified_at + STEP_UP_WINDOW
        last_activity = ticket.last_activity_at or ticket.verified_at
        return VerificationStatus(
            True,
            ticket.verified_factor,
            ticket.verified_at,
            fresh_until if fresh_until >= call.now else None,
            failures,
            locked,
            min(ticket.verified_at + VERIFIED_AT_MOST, last_activity + IDLE_LIMIT),
        )


def reveal_field(
    sessions: sessionmaker[Session],
    call: OnCall,
    field: str,
) -> RevealedField:
    """Show one unmasked field; needs a factor passed in the last 5 minutes, and is audited."""
    if field not in REVEALABLE:
        raise InvalidInput(_("Only {REVEALABLE} can be revealed.").format(REVEALABLE=", ".join(REVEALABLE)))
    with unit_of_work(sessions, call, doing=N_("verify callers")) as uow:
        session = uow.session
        uow.verified_caller(fresh=True)
        customer = session.get(Customer, call.caller_id)
        if customer is None:
            raise NotFound(_("No such customer."))
        value = {"phone": customer.phone_e164, "email": customer.email, "id_last4": customer.id_last4}[field]
        uow.record("customer.reveal", "customer", call.caller_id, {"ticket": call.ticket_id, "field": field})
        return RevealedField(field, value)


def reencrypt_totp_secrets(
    sessions: sessionmaker[Session], keyring: KeyRing, *, now: datetime, batch_size: int = 1_000
) -> int:
    """Re-encrypt every authenticator secret under the ring's newest key; returns how many."""
    fernet = keyring.fernet()
    table = cast(Table, Customer.__table__)  # typed FromClause; a declarative class's table is a Table
    statement = (
        update(table).where(table.c.id == bindparam("customer_id")).values(totp_secret_encrypted=bindparam("token"))
    )
    done = 0
    with sessions.begin() as session:
        last_id = 0
        while True:
            rows = session.execute(
                select(Customer.id, Customer.totp_secret_encrypted)
                .where(Customer.totp_secret_encrypted.is_not(None), Customer.id > last_id)
                .order_by(Customer.id)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            session.execute(
                statement,
                [{"customer_id": row.id, "token": rotate_token(fernet, row.totp_secret_encrypted)} for row in rows],
            )
            done += len(rows)
            last_id = rows[-1].id
        # Code messages waiting in the outbox are encrypted with the same keys: rotate them too.
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.body.startswith(ENCRYPTED_PREFIX))):
            token = message.body[len(ENCRYPTED_PREFIX) :]
            message.body = ENCRYPTED_PREFIX + rotate_token(fernet, token)
        audit.record(session, actor="system", action="keys.rotate", details={"secrets": done}, now=now)
    return done
