"""The demo seed: a small OK Wallet with agents, hotlines, fees and a customer for every case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from console.db import Database
from console.keys import KeyRing
from console.seed.catalog import write_reference_data
from console.seed.demo_cases import (
    DEMO_AGENTS,
    DEMO_CASES,
    EMAIL_ONLY_ID_NUMBER,
    FILLER_REGIONS,
    PHONE_NOT_BOUND_ID_NUMBER,
    SCENES,
    DemoAccount,
    DemoLogin,
)
from console.seed.demo_desk import DESK_CASES, DESK_SCENES
from console.seed.demo_world import DemoWorld
from console.services import agents as agents_service
from console.services import audit
from console.services.crypto import decrypt_totp_secret
from console.services.errors import Conflict, NotFound, Refused
from models import Agent, AuditEvent, Customer

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_AGENTS",
    "DEMO_SEED_ACTION",
    "EMAIL_ONLY_ID_NUMBER",
    "PHONE_NOT_BOUND_ID_NUMBER",
    "DemoAccount",
    "DemoCaller",
    "DemoLogin",
    "DemoSeedReport",
    "demo_authenticator_secret",
    "demo_callers",
    "is_demo_database",
    "rings_as_a_customer",
    "seed_demo",
]

# Every demo customer worth looking up, by case key: the cases, then what waits on the supervisor's desk.
DEMO_ACCOUNTS: dict[str, DemoAccount] = {case.key: case.account for case in (*DEMO_CASES, *DESK_CASES)}

# The audit action that marks a database as a demo database (demo-only commands check for it).
DEMO_SEED_ACTION = "seed.demo"
# Everything but secrets is drawn from this seed, so two demo databases made at the same `now` match.
DEMO_RANDOM_SEED = 20261125


@dataclass(frozen=True)
class DemoSeedReport:
    agents: tuple[DemoLogin, ...]
    customers: int
    notable_accounts: tuple[DemoAccount, ...]


def is_demo_database(sessions: sessionmaker[Session]) -> bool:
    """True when the demo seed filled this database (demo-only commands refuse anywhere else)."""
    with sessions() as session:
        marked = exists().where(AuditEvent.action == DEMO_SEED_ACTION)
        return bool(session.scalar(select(marked)))


@dataclass(frozen=True)
class DemoCaller:
    """A demo customer worth calling as: the number to ring from (`hotline ring`) and what their call is for.

    The demo's own invented people: their numbers are shown in full on this list only (the console masks
    them everywhere else, as it does real ones).
    """

    account_number: str
    name: str
    phone: str | None  # as a person writes it, "+86 191 2748 7583"; None: no phone on file
    case: str


def demo_callers(sessions: sessionmaker[Session]) -> tuple[DemoCaller, ...]:
    """Every demo case with its customer's phone number, in `DEMO_ACCOUNTS` order; refused on a database
    that the demo seed did not fill (its customers are real people)."""
    if not is_demo_database(sessions):
        raise Refused("This is not a demo database; the list of demo callers is for the demo only.")
    accounts = DEMO_ACCOUNTS.values()
    with sessions() as session:
        rows = session.execute(
            select(Customer.account_number, Customer.phone_e164).where(
                Customer.account_number.in_([account.account_number for account in accounts])
            )
        ).all()
        phones = {number: phone for number, phone in rows}
    return tuple(
        DemoCaller(account.account_number, account.name, _written(phones.get(account.account_number)), account.case)
        for account in accounts
    )


def rings_as_a_customer(sessions: sessionmaker[Session], phone: str, default_region: str) -> bool:
    """Whether a customer has this phone number (`hotline ring` on the demo says when none does)."""
    from console.services.lookup import normalize_phone

    e164 = normalize_phone(phone, default_region)
    if e164 is None:
        return False
    with sessions() as session:
        return bool(session.scalar(select(exists().where(Customer.phone_e164 == e164))))


def _written(e164: str | None) -> str | None:
    """An E.164 number as people write it, with its country code: "+86 191 2748 7583"."""
    if not e164:
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def demo_authenticator_secret(sessions: sessionmaker[Session], keyring: KeyRing, account_number: str) -> str:
    """The authenticator secret of a demo customer, for `hotline demo totp`; refused on any other database."""
    if not is_demo_database(sessions):
        raise Refused("This is not a demo database; authenticator codes are shown for demo customers only.")
    with sessions() as session:
        customer = session.scalar(select(Customer).where(Customer.account_number == account_number))
        if customer is None:
            raise NotFound(f"No customer with account number {account_number!r}.")
        if customer.totp_secret_encrypted is None:
            raise Refused(f"{account_number} has no authenticator app set up (2FA is off).")
        return decrypt_totp_secret(keyring.fernet(), customer.id, customer.totp_secret_encrypted)


def seed_demo(database: Database, keyring: KeyRing, now: datetime | None = None) -> DemoSeedReport:
    """Fill an empty database with the demo wallet, in one transaction; refuse if it has customers."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("seed_demo needs an aware datetime for `now`")
    with database.sessions.begin() as session:
        _refuse_unless_empty(session)
        write_reference_data(session)
        world = DemoWorld(session, keyring, now, DEMO_RANDOM_SEED)
        world.agent_ids = _add_agents(session, world)
        cases = {case.key: world.add_customer(case.account_number, case.name, case.profile) for case in DEMO_CASES}
        world.add_fillers(
            FILLER_REGIONS,
            taken_names={case.name for case in DEMO_CASES},
            taken_numbers={case.account_number for case in DEMO_CASES},
        )
        world.give_authenticators()
        for filler in world.fillers:
            world.ordinary_life(filler)
        for key, scene in SCENES:
            scene(world, cases[key])
        world.filler_transfers()
        world.filler_tickets()
        desk = {case.key: world.add_customer(case.account_number, case.name, case.profile) for case in DESK_CASES}
        session.flush()  # their ids, for their logins and statements
        for key, scene in DESK_SCENES:
            scene(world, desk[key])
        world.finish()
        audit.record(
            session,
            actor="system",
            action=DEMO_SEED_ACTION,
            subject_type="database",
            details={"customers": len(world.customers), "agents": len(DEMO_AGENTS)},
            now=now,
        )
        return DemoSeedReport(
            agents=tuple(login for login, _ in DEMO_AGENTS),
            customers=len(world.customers),
            notable_accounts=tuple(DEMO_ACCOUNTS.values()),
        )


def _refuse_unless_empty(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(Customer)):
        raise Conflict(
            "This database already has customers; the demo seed only fills an empty one."
            " Start from a new database file."
        )
    usernames = [login.username for login, _ in DEMO_AGENTS]
    taken = sorted(session.scalars(select(Agent.username).where(Agent.username.in_(usernames))))
    if taken:
        raise Conflict(f"An agent called {taken[0]!r} already exists; the demo seed needs a new database.")


def _add_agents(session: Session, world: DemoWorld) -> dict[str, int]:
    """The demo agents, added by the agents service (its rules, its audit event) inside the seed's transaction."""
    joined = world.services
    agent_ids = {}
    for login, display_name in DEMO_AGENTS:
        added = agents_service.add_agent(
            joined, login.username, login.password, login.role, display_name, "system", now=world.now
        )
        # They have worked the hotline for over a year, so nothing in the demo predates them.
        session.get_one(Agent, added.id).created_at = world.ago(days=400)
        agent_ids[added.username] = added.id
    return agent_ids
