"""Codes: sending a one-time code by SMS or email, checking it or an authenticator (TOTP) code, and the
failure throttle that locks a caller out of verification after repeated failures.

Codes and secrets never leave this module in clear except inside the (encrypted) outbox message that
delivers a code.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from console.db import rows_changed
from console.i18n import N_, _
from console.keys import KeyRing
from console.services import otp
from console.services.announce import ItemKind, announce
from console.services.caller_language import ticket_language, words_for
from console.services.context import OnCall
from console.services.crypto import decrypt_totp_secret, hash_id_number, keyed_hash
from console.services.errors import InvalidInput, NotFound, Refused
from console.services.masking import mask_email, mask_phone
from console.services.money import lock_customer
from console.services.outbox import add_message
from console.services.rows import ActingAgent
from console.services.scripts import Script, load_script
from console.services.unit_of_work import UnitOfWork, own_ticket, unit_of_work
from models import (
    Channel,
    Customer,
    Factor,
    OtpChallenge,
    OutboxChannel,
    Ticket,
    TicketStatus,
    VerificationAttempt,
)

CODE_TTL = timedelta(minutes=10)
SEND_WINDOW = timedelta(minutes=15)
MAX_SENDS_PER_WINDOW = 3
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
PURPOSES = ("verify", "step_up")

# Failure reasons stored on each attempt, in plain words for the dashboard.
WRONG_CODE = "wrong code"
EXPIRED = "expired"
ALREADY_USED = "already used"
WRONG_PURPOSE = "code for another purpose"
ID_MISMATCH = "ID number does not match"
LOCKED_OUT = "locked out"

# What the agent reads for each (translated when said).
_MESSAGES = {
    WRONG_CODE: N_("That code is not right."),
    EXPIRED: N_("That code has expired; send a new one."),
    ALREADY_USED: N_("That code was already used; ask for a new one."),
    WRONG_PURPOSE: N_("That code was sent for something else; send a new one."),
    ID_MISMATCH: N_("The ID number does not match our records."),
}


@dataclass(frozen=True)
class ChallengeView:
    challenge_id: int
    channel: str
    purpose: str
    # Masked: "+86 •••••••••88" or "k•••@netvigator.com".
    sent_to: str
    expires_at: datetime
    sends_left: int


@dataclass(frozen=True)
class VerificationOutcome:
    verified: bool
    factor: str
    # None on success; otherwise the plain reason stored on the attempt ("wrong code", ...).
    failure_reason: str | None
    # What to tell the agent, in plain words.
    message: str
    failures: int
    locked_until: datetime | None
    verified_at: datetime | None = None


# --- the call and the caller -----------------------------------------------------------------


def live_ticket(session: Session, ticket_id: int, agent: ActingAgent, customer_id: int) -> Ticket:
    """The agent's open ticket for this caller; a ticket with no caller yet is given this one."""
    ticket = own_ticket(session, ticket_id, agent)
    if ticket.status != TicketStatus.OPEN:
        raise Refused(_("This call has been wrapped up; reopen the ticket to verify the caller."))
    if ticket.customer_id is None:
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(customer_id=customer_id)
            .execution_options(synchronize_session="fetch")
        )
    elif ticket.customer_id != customer_id:
        raise Refused(_("This ticket is for another customer."))
    return ticket


def locked_customer(session: Session, customer_id: int, now: datetime) -> Customer:
    """The customer row, locked for this transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serializes writers), with an expired lockout cleared so the count starts again."""
    customer = lock_customer(session, customer_id)
    if customer.verify_locked_until is not None and customer.verify_locked_until <= now:
        set_throttle(session, customer, failures=0, locked_until=None)
    return customer


def set_throttle(session: Session, customer: Customer, *, failures: int, locked_until: datetime | None) -> None:
    # Core UPDATE: the throttle is not an agent edit, so it must not bump the customer's version.
    session.execute(
        update(Customer)
        .where(Customer.id == customer.id)
        .values(verify_failures=failures, verify_locked_until=locked_until)
        .execution_options(synchronize_session=False)
    )
    session.expire(customer, ["verify_failures", "verify_locked_until"])


def is_locked(customer: Customer, now: datetime) -> bool:
    return customer.verify_locked_until is not None and customer.verify_locked_until > now


def lockout_message(until: datetime) -> str:
    return _(
        "Verification is locked until {until:%H:%M} UTC after {failures} failed attempts; before then only a"
        " supervisor can lift the lockout (escalate the call)."
    ).format(until=until, failures=MAX_FAILURES)


def touch_ticket(session: Session, ticket_id: int, now: datetime, **values: object) -> None:
    # Verification fields are not agent edits either: no version bump, so open forms stay valid.
    session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id)
        .values(last_activity_at=now, **values)
        .execution_options(synchronize_session="fetch")
    )


def ensure_script(session: Session, ticket: Ticket, now: datetime) -> Script:
    script = load_script(ticket.reason.value)
    if ticket.script_id is None:
        touch_ticket(session, ticket.id, now, script_id=script.script_id, script_version=script.version)
    return script


# --- sending a code --------------------------------------------------------------------------


def _code_hmac(keyring: KeyRing, challenge_id: int, purpose: str, code: str) -> str:
    return keyed_hash(keyring.hmac_key, f"otp:{challenge_id}:{purpose}", code)


def _code_message(code: str, purpose: str, language: str) -> str:
    """The text with the code, in the caller's language (console.services.caller_language)."""
    say = words_for(language)
    if purpose == "verify":
        text = N_(
            "[OK Wallet] Your identity check code is {code}, valid for {minutes} minutes. Never share it; we never"
            " ask for your password."
        )
    else:
        text = N_(
            "[OK Wallet] Your code to confirm a sensitive change is {code}, valid for {minutes} minutes. Never"
            " share it; we never ask for your password."
        )
    return say(text).format(code=code, minutes=int(CODE_TTL.total_seconds() // 60))


def send_code(
    sessions: sessionmaker[Session],
    keyring: KeyRing,
    call: OnCall,
    channel: str,
    purpose: str,
) -> ChallengeView:
    """Send a 6-digit code to the bound phone (or, with no bound phone, the email) through the outbox."""
    if purpose not in PURPOSES:
        raise InvalidInput(_("Unknown code purpose {purpose!r}.").format(purpose=purpose))
    try:
        chosen = Channel(channel)
    except ValueError:
        raise InvalidInput(_("Codes go by SMS or email.")) from None
    with unit_of_work(sessions, call, doing=N_("verify callers")) as uow:
        session, agent = uow.session, uow.agent
        ticket = live_ticket(session, call.ticket_id, agent, call.caller_id)
        customer = locked_customer(session, call.caller_id, call.now)
        if is_locked(customer, call.now):
            assert customer.verify_locked_until is not None
            raise Refused(lockout_message(customer.verify_locked_until))
        if chosen == Channel.SMS:
            if not (customer.phone_bound and customer.phone_e164):
                raise Refused(_("This customer has no bound phone; send an email code and check the ID number."))
            recipient, shown = customer.phone_e164, mask_phone(customer.phone_e164)
        else:
            if customer.phone_bound:
                raise Refused(_("This customer has a bound phone; codes go to it by SMS."))
            if not customer.email:
                raise Refused(_("This customer has no bound phone and no email; a supervisor must verify them."))
            recipient, shown = customer.email, mask_email(customer.email)
        recent = list(
            session.scalars(
                select(OtpChallenge.created_at)
                .where(OtpChallenge.customer_id == call.caller_id, OtpChallenge.created_at > call.now - SEND_WINDOW)
                .order_by(OtpChallenge.created_at)
            )
        )
        if len(recent) >= MAX_SENDS_PER_WINDOW:
            retry_at = recent[-MAX_SENDS_PER_WINDOW] + SEND_WINDOW
            raise Refused(
                _("At most {MAX_SENDS_PER_WINDOW} codes per 15 minutes; try again after {retry_at:%H:%M} UTC.").format(
                    MAX_SENDS_PER_WINDOW=MAX_SENDS_PER_WINDOW, retry_at=retry_at
                )
            )
        ensure_script(session, ticket, call.now)
        language = ticket_language(session, ticket, customer)
        code = otp.new_code()
        challenge = OtpChallenge(
            customer_id=call.caller_id,
            ticket_id=call.ticket_id,
            agent_id=agent.id,
            channel=chosen,
            purpose=purpose,
            code_hmac="pending",
            created_at=call.now,
            expires_at=call.now + CODE_TTL,
        )
        session.add(challenge)
        session.flush()
        challenge.code_hmac = _code_hmac(keyring, challenge.id, purpose, code)
        add_message(
            session,
            keyring.fernet(),
            channel=OutboxChannel(chosen.value),
            recipient=recipient,
            customer_id=call.caller_id,
            kind="otp",
            body=_code_message(code, purpose, language),
            now=call.now,
            subject=words_for(language)(N_("OK Wallet verification code")) if chosen == Channel.EMAIL else None,
        )
        touch_ticket(session, call.ticket_id, call.now)
        uow.record(
            "verification.code_sent",
            "customer",
            call.caller_id,
            {
                "ticket": call.ticket_id,
                "challenge": challenge.id,
                "channel": chosen.value,
                "purpose": purpose,
                "to": shown,
            },
        )
        return ChallengeView(
            challenge.id,
            chosen.value,
            purpose,
            shown or "",
            challenge.expires_at,
            MAX_SENDS_PER_WINDOW - len(recent) - 1,
        )


# --- checking what the caller reads out ------------------------------------------------------


def _seconds_since_start(session: Session, ticket_id: int, now: datetime) -> int:
    first_challenge = session.scalar(
        select(func.min(OtpChallenge.created_at)).where(OtpChallenge.ticket_id == ticket_id)
    )
    first_attempt = session.scalar(
        select(func.min(VerificationAttempt.attempted_at)).where(VerificationAttempt.ticket_id == ticket_id)
    )
    starts = [moment for moment in (first_challenge, first_attempt) if moment is not None]
    return max(0, int((now - min(starts)).total_seconds())) if starts else 0


def _record_attempt(
    uow: UnitOfWork,
    customer: Customer,
    ticket_id: int,
    factor: Factor,
    *,
    failure_reason: str | None,
    challenge_id: int | None = None,
) -> VerificationOutcome:
    """Store the attempt, move the throttle, mark the ticket verified on success, audit it all."""
    session, agent, now = uow.session, uow.agent, uow.now
    success = failure_reason is None
    seconds = _seconds_since_start(session, ticket_id, now) if success else None
    session.add(
        VerificationAttempt(
            customer_id=customer.id,
            ticket_id=ticket_id,
            agent_id=agent.id,
            challenge_id=challenge_id,
            factor=factor,
            success=success,
            failure_reason=failure_reason,
            attempted_at=now,
            seconds_to_verify=seconds,
        )
    )
    details: dict[str, object] = {
        "ticket": ticket_id,
        "factor": factor.value,
        "success": success,
        "reason": failure_reason,
        "challenge": challenge_id,
    }
    if failure_reason is None:  # success
        set_throttle(session, customer, failures=0, locked_until=None)
        # Verified state names whom the factor was passed for: the gate holds it to this customer.
        touch_ticket(
            session, ticket_id, now, verified_at=now, verified_factor=factor.value, verified_customer_id=customer.id
        )
        failures, locked_until, message = 0, None, _("The caller is verified.")
    elif failure_reason == LOCKED_OUT:
        # Refused outright: it does not extend the lockout, but the dashboard sees it.
        failures, locked_until = customer.verify_failures, customer.verify_locked_until
        assert locked_until is not None
        message = lockout_message(locked_until)
    else:
        failures = customer.verify_failures + 1
        locked_until = now + LOCKOUT if failures >= MAX_FAILURES else None
        session.execute(
            update(Customer)
            .where(Customer.id == customer.id)
            .values(
                verify_failures=Customer.verify_failures + 1,
                verify_locked_until=case(
                    (Customer.verify_failures + 1 >= MAX_FAILURES, now + LOCKOUT), else_=Customer.verify_locked_until
                ),
            )
            .execution_options(synchronize_session=False)
        )
        touch_ticket(session, ticket_id, now)
        if locked_until is not None:
            message = lockout_message(locked_until)
            details["locked_until"] = locked_until.isoformat()
            # A new item in the supervisors' queue: the caller locked out on this call.
            announce(session, ItemKind.LOCKOUT, ticket_id)
        else:
            left = MAX_FAILURES - failures
            message = " ".join(
                (
                    _(_MESSAGES[failure_reason]),
                    _("1 attempt left before a 15-minute lockout.")
                    if left == 1
                    else _("{left} attempts left before a 15-minute lockout.").format(left=left),
                )
            )
    session.flush()
    uow.record("verification.attempt", "customer", customer.id, details)
    return VerificationOutcome(
        success, factor.value, failure_reason, message, failures, locked_until, now if success else None
    )


def _require_code_shape(entered: str) -> None:
    if not otp.is_six_ascii_digits(entered):
        raise InvalidInput(
            _(
                "A code is exactly 6 digits (0-9); that entry was not checked and does not count as an "
                "attempt. Ask the caller to read the code again."
            )
        )


def check_code(
    sessions: sessionmaker[Session],
    keyring: KeyRing,
    challenge_id: int,
    call: OnCall,
    entered: str,
    *,
    purpose: str = "verify",
    id_number: str | None = None,
) -> VerificationOutcome:
    """Check the code the caller read out. Email codes also need the caller's full ID number.

    A wrong, expired or reused code is a failed attempt (returned, not raised, so it is stored); the
    code is consumed by one conditional UPDATE, so it works exactly once. An entry that is not 6 ASCII
    digits is not a guess: it is refused in words and counts for nothing.
    """
    _require_code_shape(entered)
    with unit_of_work(sessions, call, doing=N_("verify callers")) as uow:
        session, agent = uow.session, uow.agent
        challenge = session.get(OtpChallenge, challenge_id)
        if challenge is None or challenge.ticket_id != call.ticket_id:
            raise NotFound(_("No such code was sent on this call."))
        live_ticket(session, call.ticket_id, agent, challenge.customer_id)
        customer = locked_customer(session, challenge.customer_id, call.now)
        factor = Factor(challenge.channel.value)

        def attempt(reason: str | None) -> VerificationOutcome:
            return _record_attempt(
                uow, customer, call.ticket_id, factor, failure_reason=reason, challenge_id=challenge_id
            )

        if is_locked(customer, call.now):
            return attempt(LOCKED_OUT)
        if challenge.consumed_at is not None:
            return attempt(ALREADY_USED)
        if call.now >= challenge.expires_at:
            return attempt(EXPIRED)
        if challenge.purpose != purpose:
            return attempt(WRONG_PURPOSE)
        if not hmac.compare_digest(_code_hmac(keyring, challenge_id, purpose, entered), challenge.code_hmac):
            return attempt(WRONG_CODE)
        if factor == Factor.EMAIL:
            # Without a bound phone an email code alone is not enough: the ID number must match too.
            given = hash_id_number(keyring.hmac_key, id_number or "")
            if not (id_number and customer.id_number_hash and hmac.compare_digest(given, customer.id_number_hash)):
                return attempt(ID_MISMATCH)
        consumed = session.execute(
            update(OtpChallenge)
            .where(OtpChallenge.id == challenge_id, OtpChallenge.consumed_at.is_(None))
            .values(consumed_at=call.now)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(consumed) != 1:
            return attempt(ALREADY_USED)
        return attempt(None)


def check_totp(
    sessions: sessionmaker[Session],
    keyring: KeyRing,
    call: OnCall,
    entered: str,
) -> VerificationOutcome:
    """Check a code from the caller's authenticator: this 30-second step or the one before, once each.

    The step is claimed with one conditional UPDATE, so when two agents submit the same code at the
    same instant exactly one of them verifies.
    """
    _require_code_shape(entered)
    with unit_of_work(sessions, call, doing=N_("verify callers")) as uow:
        session, agent = uow.session, uow.agent
        live_ticket(session, call.ticket_id, agent, call.caller_id)
        customer = locked_customer(session, call.caller_id, call.now)
        if customer.totp_secret_encrypted is None:
            raise Refused(_("This customer has no authenticator app set up; send a code instead."))

        def attempt(reason: str | None) -> VerificationOutcome:
            return _record_attempt(uow, customer, call.ticket_id, Factor.TOTP, failure_reason=reason)

        if is_locked(customer, call.now):
            return attempt(LOCKED_OUT)
        secret = decrypt_totp_secret(keyring.fernet(), customer.id, customer.totp_secret_encrypted)
        step = otp.matching_totp_step(secret, entered, call.now)
        del secret
        if step is None:
            return attempt(WRONG_CODE)
        claimed = session.execute(
            update(Customer)
            .where(
                Customer.id == call.caller_id, (Customer.totp_last_step.is_(None)) | (Customer.totp_last_step < step)
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(claimed) != 1:
            return attempt(ALREADY_USED)
        return attempt(None)
