"""The demo world for service tests: demo data, agents, callers, a frozen clock, codes, and verified calls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from console.db import Database, open_database
from console.keys import KeyRing
from console.seed.demo import DEMO_ACCOUNTS, EMAIL_ONLY_ID_NUMBER, PHONE_NOT_BOUND_ID_NUMBER
from console.services import admin, otp, tickets
from console.services.context import Actor, OnCall
from console.services.crypto import decrypt_totp_secret
from console.services.outbox import recent_messages
from models import Agent, Customer, EntryKind, LedgerEntry, Ticket

DEMO_ID_NUMBERS = {"email_only": EMAIL_ONLY_ID_NUMBER, "phone_not_bound": PHONE_NOT_BOUND_ID_NUMBER}


@dataclass
class World:
    database: Database
    keyring: KeyRing
    now: datetime

    @property
    def sessions(self):
        return self.database.sessions

    def agent(self, username: str) -> int:
        with self.sessions() as session:
            return session.scalar(select(Agent.id).where(Agent.username == username))

    def acting(self, username: str, **delta: float) -> Actor:
        """`username` acting at later(**delta): a supervisor deciding, an admin managing."""
        return Actor(self.agent(username), self.later(**delta))

    def disable(self, username: str) -> None:
        """The demo admin disables a login, as from the admin's desk."""
        admin.disable_agent(self.sessions, self.acting("admin"), username)

    def customer(self, case: str) -> int:
        with self.sessions() as session:
            return session.scalar(
                select(Customer.id).where(Customer.account_number == DEMO_ACCOUNTS[case].account_number)
            )

    def open_ticket(self, case: str, username: str = "lina", reason: str = "locked_account") -> int:
        view = tickets.open_ticket(
            self.sessions, Actor(agent_id=self.agent(username), now=self.now), self.customer(case), reason
        )
        return view.ticket_id

    def ticket(self, ticket_id: int) -> Ticket:
        with self.sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            return ticket

    def customer_row(self, case: str) -> Customer:
        with self.sessions() as session:
            customer = session.get(Customer, self.customer(case))
            assert customer is not None
            return customer

    def adjustment_entries(self, case: str) -> list[int]:
        """The amounts of the adjustment entries posted to the customer's ledger, oldest first."""
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(LedgerEntry.amount)
                    .where(LedgerEntry.customer_id == self.customer(case), LedgerEntry.kind == EntryKind.ADJUSTMENT)
                    .order_by(LedgerEntry.id)
                )
            )

    def last_code(self, case: str) -> str:
        """What the caller's phone or mailbox received last: read back from the outbox."""
        account = DEMO_ACCOUNTS[case].account_number
        (message,) = recent_messages(self.sessions, self.keyring.fernet(), account, limit=1)
        match = re.search(r"\b(\d{6})\b", message.body)
        assert match, message.body
        return match.group(1)

    def totp_secret(self, case: str) -> str:
        customer = self.customer_row(case)
        assert customer.totp_secret_encrypted
        return decrypt_totp_secret(self.keyring.fernet(), customer.id, customer.totp_secret_encrypted)

    def totp_code(self, case: str, at: datetime, steps_back: int = 0) -> str:
        return otp.totp_code_for_step(self.totp_secret(case), otp.totp_step(at) - steps_back)

    def verified_call(self, case: str, username: str = "lina", reason: str = "locked_account", **delta: float) -> int:
        """A ticket for `case` whose caller has just passed an SMS code (or email code + ID) at later(**delta)."""
        from console.services import codes, verification

        at = self.later(**delta)
        ticket = tickets.open_ticket(
            self.sessions, Actor(agent_id=self.agent(username), now=at), self.customer(case), reason
        ).ticket_id
        start = verification.start_verification(
            self.sessions,
            OnCall(agent_id=self.agent(username), now=at, ticket_id=ticket, customer_id=self.customer(case)),
        )
        channel = "sms" if "sms" in start.factors else "email"
        sent = codes.send_code(
            self.sessions,
            self.keyring,
            OnCall(agent_id=self.agent(username), now=at, ticket_id=ticket, customer_id=self.customer(case)),
            channel,
            "verify",
        )
        id_number = None if channel == "sms" else DEMO_ID_NUMBERS[case]
        outcome = codes.check_code(
            self.sessions,
            self.keyring,
            sent.challenge_id,
            OnCall(agent_id=self.agent(username), now=at, ticket_id=ticket),
            self.last_code(case),
            id_number=id_number,
        )
        assert outcome.verified, outcome
        return ticket

    def typed_password(self, username: str, at: datetime | None = None, password: str | None = None) -> int:
        """`username` types their password again at `at` (a supervisor decides only within 5 minutes of
        it); demo agents' passwords are "<name>-demo". Returns their id."""
        from console.services.agents import confirm_password
        from console.services.context import Actor

        agent_id = self.agent(username)
        confirm_password(self.sessions, Actor(agent_id, at or self.now), password or f"{username}-demo")
        return agent_id

    def pending_unlock_requests(self, case: str) -> list:
        """The unlock requests waiting for a supervisor for this case's customer (the demo has others)."""
        from console.services.unlocks import pending_unlock_requests

        customer = self.customer(case)
        return [r for r in pending_unlock_requests(self.sessions, self.agent("admin")) if r.customer_id == customer]

    def later(self, **delta: float) -> datetime:
        return self.now + timedelta(**delta)

    def wrong(self, code: str) -> str:
        return f"{(int(code) + 1) % 1_000_000:06d}"


def _start(demo_now: datetime) -> datetime:
    # Ten seconds into a TOTP step, an hour after the demo data was made.
    start = demo_now.replace(microsecond=0) + timedelta(hours=1)
    return start - timedelta(seconds=start.second % 30) + timedelta(seconds=10)


@pytest.fixture
def world(demo_database: Database, demo_keyring: KeyRing, demo_now: datetime) -> World:
    return World(demo_database, demo_keyring, _start(demo_now))


@pytest.fixture
def world_on_postgres(demo_postgres_url: str, demo_keyring: KeyRing, demo_now: datetime) -> Iterator[World]:
    """The demo world on PostgreSQL only (for what only PostgreSQL does: LISTEN/NOTIFY)."""
    database = open_database(demo_postgres_url, demo_keyring, trust_console_clock=True)
    yield World(database, demo_keyring, _start(demo_now))
    database.dispose()


@pytest.fixture
def world_each_engine(demo_database_each_engine: Database, demo_keyring: KeyRing, demo_now: datetime) -> World:
    return World(demo_database_each_engine, demo_keyring, _start(demo_now))
