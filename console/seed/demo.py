"""The demo seed: a small OK Wallet with agents, hotlines, fees and a customer for every case."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pyotp
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from console.db import Database
from console.keys import KeyRing
from console.seed.catalog import ASSETS, FEE_SCHEDULE, HOTLINES, fee_rule, units
from console.seed.identity import random_id_number
from console.seed.names import name_keys, name_pools
from console.seed.phones import random_mobile
from console.seed.statements import StatementWriter
from console.services import agents as agents_service
from console.services import audit
from console.services.crypto import decrypt_totp_secret, encrypt_totp_secret, hash_id_number
from console.services.errors import Conflict, NotFound, Refused
from models import (
    Agent,
    Asset,
    AuditEvent,
    Customer,
    CustomerStatus,
    Direction,
    Disposition,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    FeeSchedule,
    Hotline,
    LockReason,
    LoginEvent,
    PaymentMethod,
    Role,
    Ticket,
    TicketNote,
    TicketReason,
    TicketStatus,
    Transaction,
    TransactionStatus,
)

# The audit action that marks a database as a demo database (demo-only commands check for it).
DEMO_SEED_ACTION = "seed.demo"
# Everything but secrets is drawn from this seed, so two demo databases made at the same `now` match.
DEMO_RANDOM_SEED = 20261125


class DemoLogin(NamedTuple):
    username: str
    role: Role
    password: str


class DemoAccount(NamedTuple):
    account_number: str
    name: str
    case: str


@dataclass(frozen=True)
class DemoSeedReport:
    agents: tuple[DemoLogin, ...]
    customers: int
    notable_accounts: tuple[DemoAccount, ...]


# Demo passwords are printed by `hotline demo`; they only ever exist in a demo database.
DEMO_AGENTS: tuple[tuple[DemoLogin, str], ...] = (
    (DemoLogin("lina", Role.AGENT, "lina-demo"), "Li Na 李娜"),
    (DemoLogin("marcus", Role.AGENT, "marcus-demo"), "Marcus Tan"),
    (DemoLogin("chenjing", Role.SUPERVISOR, "chenjing-demo"), "Chen Jing 陈静"),
    (DemoLogin("admin", Role.ADMIN, "admin-demo"), "Hotline Admin"),
)

# ID numbers of the callers who verify with an email code plus their ID number (demo data only).
EMAIL_ONLY_ID_NUMBER = "K4829131"  # shown on the card as K482913(1)
PHONE_NOT_BOUND_ID_NUMBER = "31011519910422103X"

# The customers each case is demonstrated on, by case key. Account numbers are fixed so tests and
# the README can name them.
DEMO_ACCOUNTS: dict[str, DemoAccount] = {
    "locked_password_failures": DemoAccount(
        "OK10382417", "张伟", "Locked after 5 wrong passwords: agent may unlock once verified"
    ),
    "locked_abnormal_login": DemoAccount(
        "OK10519034", "刘洋", "Locked after an unusual login from Lagos, NG: unlock needs a supervisor"
    ),
    "locked_risk": DemoAccount("OK10674452", "陳嘉欣", "Locked by risk rules: unlock needs a supervisor"),
    "two_factor_on": DemoAccount("OK10728163", "周杰", "2FA on: verify with the authenticator (hotline demo totp)"),
    "two_factor_off": DemoAccount("OK10836620", "Tan Wei Ming", "2FA off, logins normal: the security-advice call"),
    "email_only": DemoAccount(
        "OK10947781",
        "Kelvin Chan",
        f"No phone on file: email code plus ID number {EMAIL_ONLY_ID_NUMBER}",
    ),
    "phone_not_bound": DemoAccount(
        "OK11053927",
        "吴芳",
        f"Phone on file but not bound: email code plus ID number {PHONE_NOT_BOUND_ID_NUMBER}",
    ),
    "delayed_withdrawal": DemoAccount("OK11162840", "赵敏", "Bank withdrawal of 8,000.00 CNY delayed past its ETA"),
    "wrong_fee": DemoAccount("OK11274506", "马超", "USDT withdrawal charged a 5 USDT fee; the schedule says 1 USDT"),
    "dispute_investigating": DemoAccount(
        "OK11385219", "Priya Raman", "Open dispute, investigating: card charged for a failed deposit"
    ),
    "dispute_open": DemoAccount("OK11496372", "孙丽", "Open dispute: a transfer she does not recognise"),
    "repeat_caller": DemoAccount("OK11507718", "林涛", "Repeat caller: two closed tickets this week"),
    "same_name_beijing": DemoAccount("OK11618045", "王伟", "Same name as OK11729460 (pick list): lives in Beijing"),
    "same_name_guangzhou": DemoAccount("OK11729460", "王伟", "Same name as OK11618045 (pick list): lives in Guangzhou"),
    "pinyin_homophone": DemoAccount("OK11830582", "汪薇", "Also spelled 'wangwei' in pinyin (pick list by pinyin)"),
    "shared_last4_cn": DemoAccount("OK11941236", "何静", "Phone ends 5678, like OK12052691 (pick list by last 4)"),
    "shared_last4_hk": DemoAccount("OK12052691", "Emily Ho", "Phone ends 5678, like OK11941236 (pick list by last 4)"),
    "closed_account": DemoAccount("OK12163804", "徐明", "Closed account, zero balance"),
    "international": DemoAccount("OK12274159", "John Smith", "US customer who rings the international line"),
}

# Where a customer usually logs in from: city label, IP prefix, and the phone they use.
_HOMES: dict[str, tuple[tuple[str, str], ...]] = {
    "CN": (
        ("Shanghai, CN", "116.228"),
        ("Beijing, CN", "123.125"),
        ("Guangzhou, CN", "113.108"),
        ("Shenzhen, CN", "119.123"),
        ("Hangzhou, CN", "115.236"),
        ("Chengdu, CN", "171.217"),
    ),
    "HK": (("Hong Kong, HK", "203.198"), ("Kowloon, HK", "112.118")),
    "SG": (("Singapore, SG", "118.200"), ("Singapore, SG", "116.14")),
    "US": (("New York, US", "72.229"), ("San Francisco, US", "104.28")),
    "GB": (("London, GB", "81.2"),),
    "AU": (("Sydney, AU", "101.184"),),
    "MY": (("Kuala Lumpur, MY", "175.136"),),
}
_DEVICES = (
    "iPhone 15 · OK Wallet 6.2",
    "iPhone 13 · OK Wallet 6.1",
    "Huawei Mate 60 · OK Wallet 6.2",
    "Xiaomi 14 · OK Wallet 6.2",
    "Samsung Galaxy S23 · OK Wallet 6.0",
    "OPPO Find X7 · OK Wallet 6.2",
)
_EMAIL_DOMAINS = {
    "CN": ("163.com", "126.com", "qq.com", "sina.com", "outlook.com"),
    "HK": ("gmail.com", "yahoo.com.hk", "netvigator.com", "outlook.com"),
    "SG": ("gmail.com", "singnet.com.sg", "hotmail.com", "outlook.com"),
}
_OTHER_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "icloud.com", "yahoo.com")
# Which assets a region's customers usually hold, first one always.
_HOLDINGS = {
    "CN": ("CNY", "USDT", "BTC"),
    "HK": ("USD", "USDT", "ETH"),
    "SG": ("USD", "USDT", "ETH"),
}
_OTHER_HOLDINGS = ("USD", "BTC", "USDT")
_OPENING_RANGE = {
    "CNY": ("2000", "60000"),
    "USD": ("300", "9000"),
    "USDT": ("200", "8000"),
    "BTC": ("0.01", "0.5"),
    "ETH": ("0.1", "6"),
}
_MOVE_RANGE = {
    "CNY": ("200", "6000"),
    "USD": ("50", "1500"),
    "USDT": ("20", "1500"),
    "BTC": ("0.002", "0.05"),
    "ETH": ("0.02", "1"),
}
# Deposit methods by asset, the usual one first; withdrawals use the first one.
_METHODS = {
    "CNY": (PaymentMethod.BANK_TRANSFER, PaymentMethod.CREDIT_CARD),
    "USD": (PaymentMethod.BANK_TRANSFER, PaymentMethod.CREDIT_CARD),
    "USDT": (PaymentMethod.ON_CHAIN,),
    "BTC": (PaymentMethod.ON_CHAIN,),
    "ETH": (PaymentMethod.ON_CHAIN,),
}
# Fiat in whole tens, so percentage fees come out exact whichever way a later rule rounds.
_AMOUNT_STEP = {"CNY": "10", "USD": "10", "USDT": "1", "BTC": "0.001", "ETH": "0.001"}
# Filler customers by region, next to the cases above: about 50 customers in all.
_FILLER_REGIONS = ("CN",) * 18 + ("HK",) * 5 + ("SG",) * 5 + ("GB", "AU", "MY", "US")


def is_demo_database(sessions: sessionmaker[Session]) -> bool:
    """True when the demo seed filled this database (demo-only commands refuse anywhere else)."""
    with sessions() as session:
        marked = exists().where(AuditEvent.action == DEMO_SEED_ACTION)
        return bool(session.scalar(select(marked)))


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
    usernames = [login.username for login, _ in DEMO_AGENTS]
    # Argon2 is slow on purpose: hash once per password, before taking the write lock.
    password_hashes = {login.username: agents_service.hash_password(login.password) for login, _ in DEMO_AGENTS}
    with database.sessions.begin() as session:
        if session.scalar(select(func.count()).select_from(Customer)):
            raise Conflict(
                "This database already has customers; the demo seed only fills an empty one."
                " Start from a new database file."
            )
        taken = sorted(session.scalars(select(Agent.username).where(Agent.username.in_(usernames))))
        if taken:
            raise Conflict(f"An agent called {taken[0]!r} already exists; the demo seed needs a new database.")
        world = _DemoWorld(session, keyring, now)
        world.add_reference_data()
        world.add_agents(password_hashes)
        world.add_customers()
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


class _DemoWorld:
    """Builds the demo rows inside the caller's transaction."""

    def __init__(self, session: Session, keyring: KeyRing, now: datetime) -> None:
        self.session = session
        self.keyring = keyring
        self.now = now
        self.rng = random.Random(DEMO_RANDOM_SEED)
        self.money = StatementWriter(session, self.rng)
        self.customers: list[Customer] = []
        self.agents: dict[str, Agent] = {}
        # Per account number: the city, IP address and phone the customer usually logs in with.
        self._homes: dict[str, tuple[str, str, str]] = {}
        self._wants_two_factor: list[Customer] = []

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    # ---- reference data and agents ---------------------------------------------------------

    def add_reference_data(self) -> None:
        session = self.session
        for spec in ASSETS:
            if session.get(Asset, spec.code) is None:
                session.add(Asset(code=spec.code, name=spec.name, scale=spec.scale))
        known_lines = set(session.scalars(select(Hotline.code)))
        for line in HOTLINES:
            if line.code not in known_lines:
                session.add(
                    Hotline(
                        code=line.code,
                        region=line.region,
                        number=line.number,
                        hours=line.hours,
                        languages=line.languages,
                    )
                )
        session.flush()
        schedule = select(FeeSchedule.method, FeeSchedule.asset_code, FeeSchedule.direction)
        known_fees = {tuple(row) for row in session.execute(schedule)}
        for rule in FEE_SCHEDULE:
            if (rule.method, rule.asset_code, rule.direction) in known_fees:
                continue
            session.add(
                FeeSchedule(
                    method=rule.method,
                    asset_code=rule.asset_code,
                    direction=rule.direction,
                    fee_fixed=rule.fee_fixed,
                    fee_rate_bp=rule.fee_rate_bp,
                    minimum_amount=rule.minimum_amount,
                    maximum_amount=rule.maximum_amount,
                    expected_hours=rule.expected_hours,
                    notes=rule.notes,
                )
            )
        session.flush()

    def add_agents(self, password_hashes: dict[str, str]) -> None:
        for login, display_name in DEMO_AGENTS:
            agent = Agent(
                username=login.username,
                display_name=display_name,
                role=login.role,
                password_hash=password_hashes[login.username],
                created_at=self.ago(days=400),
            )
            self.session.add(agent)
            self.session.flush()
            audit.record(
                self.session,
                actor="system",
                action="agent.add",
                subject_type="agent",
                subject_id=agent.id,
                details={"username": login.username, "role": login.role.value},
                now=self.now,
            )
            self.agents[login.username] = agent

    # ---- customers -------------------------------------------------------------------------

    def add_customers(self) -> None:
        cases = self._add_case_customers()
        fillers = self._add_filler_customers()
        self.session.flush()
        # The secret's ciphertext carries the customer id, so it can only be made after the flush.
        fernet = self.keyring.fernet()
        for customer in self._wants_two_factor:
            secret = pyotp.random_base32()
            customer.totp_secret_encrypted = encrypt_totp_secret(fernet, customer.id, secret)
        for customer in fillers:
            self._everyday_statement(customer)
            self._usual_logins(customer)
        self._act_out_cases(cases, fillers)
        self._filler_transfers(fillers)
        self._filler_tickets(fillers)
        self.session.flush()
        self.money.write_balances()
        self.session.flush()

    def _customer(
        self,
        account_number: str,
        name: str,
        region: str,
        *,
        home: int = 0,
        phone: str | None = None,
        no_phone: bool = False,
        phone_bound: bool = True,
        email: str | None = None,
        id_number: str | None = None,
        two_factor: bool = False,
    ) -> Customer:
        rng = self.rng
        pinyin, initials = name_keys(name)
        if not no_phone and phone is None:
            phone = random_mobile(rng, region)
        if email is None:
            domain = rng.choice(_EMAIL_DOMAINS.get(region, _OTHER_EMAIL_DOMAINS))
            # QQ mail addresses are the QQ number itself.
            local = str(rng.randrange(10**7, 10**10)) if domain == "qq.com" else f"{pinyin}{rng.randrange(10, 100)}"
            email = f"{local}@{domain}"
        id_number = id_number or random_id_number(rng, region)
        customer = Customer(
            account_number=account_number,
            full_name=name,
            name_pinyin=pinyin,
            name_initials=initials,
            phone_e164=phone,
            phone_last4=phone[-4:] if phone else None,
            phone_bound=phone is not None and phone_bound,
            email=email,
            id_number_hash=hash_id_number(self.keyring.hmac_key, id_number),
            id_last4=id_number[-4:],
            region=region,
            status=CustomerStatus.ACTIVE,
            created_at=self.ago(days=rng.randint(200, 1500), minutes=rng.randint(0, 1439)),
        )
        self.session.add(customer)
        self.customers.append(customer)
        if two_factor:
            self._wants_two_factor.append(customer)
        city, ip_prefix = _HOMES[region][home % len(_HOMES[region])]
        ip_address = f"{ip_prefix}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        self._homes[account_number] = (city, ip_address, rng.choice(_DEVICES))
        return customer

    def _add_case_customers(self) -> dict[str, Customer]:
        def make(key: str, region: str, **details: object) -> Customer:
            case = DEMO_ACCOUNTS[key]
            return self._customer(case.account_number, case.name, region, **details)  # type: ignore[arg-type]

        return {
            "locked_password_failures": make("locked_password_failures", "CN"),
            "locked_abnormal_login": make("locked_abnormal_login", "CN", home=4),
            "locked_risk": make("locked_risk", "HK"),
            "two_factor_on": make("two_factor_on", "CN", home=3, two_factor=True),
            "two_factor_off": make("two_factor_off", "SG", email="weiming.tan@gmail.com"),
            "email_only": make(
                "email_only",
                "HK",
                no_phone=True,
                email="kelvin.chan@netvigator.com",
                id_number=EMAIL_ONLY_ID_NUMBER,
            ),
            "phone_not_bound": make(
                "phone_not_bound",
                "CN",
                phone_bound=False,
                email="wufang1991@163.com",
                id_number=PHONE_NOT_BOUND_ID_NUMBER,
            ),
            "delayed_withdrawal": make("delayed_withdrawal", "CN", home=2),
            "wrong_fee": make("wrong_fee", "CN", home=5, two_factor=True),
            "dispute_investigating": make("dispute_investigating", "SG", email="priya.raman@singnet.com.sg"),
            "dispute_open": make("dispute_open", "CN", home=1),
            "repeat_caller": make("repeat_caller", "CN", home=3),
            "same_name_beijing": make("same_name_beijing", "CN", home=1, email="wangwei1985@163.com"),
            "same_name_guangzhou": make(
                "same_name_guangzhou", "CN", home=2, email="wangwei.gz@outlook.com", two_factor=True
            ),
            "pinyin_homophone": make("pinyin_homophone", "CN"),
            "shared_last4_cn": make("shared_last4_cn", "CN", home=3, phone="+8613971825678"),
            "shared_last4_hk": make("shared_last4_hk", "HK", home=1, phone="+85294125678", email="emily.ho@gmail.com"),
            "closed_account": make("closed_account", "CN"),
            "international": make("international", "US", email="john.smith@icloud.com", two_factor=True),
        }

    def _add_filler_customers(self) -> list[Customer]:
        rng = self.rng
        pools = name_pools()
        taken_names = {case.name for case in DEMO_ACCOUNTS.values()}
        taken_pinyin = {name_keys(name)[0] for name in taken_names}
        taken_numbers = {case.account_number for case in DEMO_ACCOUNTS.values()}
        fillers = []
        for region in _FILLER_REGIONS:
            # Redraw clashes, so each case above stays the only one of its kind.
            while True:
                name, pinyin, _ = pools.names_for_region(rng, region, 1)[0]
                phone = random_mobile(rng, region)
                clash = name in taken_names or pinyin in taken_pinyin or phone.endswith("5678")
                if not clash:
                    break
            taken_names.add(name)
            taken_pinyin.add(pinyin)
            while (number := f"OK{rng.randrange(13_000_000, 20_000_000)}") in taken_numbers:
                pass
            taken_numbers.add(number)
            two_factor = rng.random() < 0.4
            customer = self._customer(number, name, region, home=rng.randrange(6), phone=phone, two_factor=two_factor)
            fillers.append(customer)
        return fillers

    # ---- everyday activity -----------------------------------------------------------------

    def _amount(self, asset: str, low: str, high: str) -> int:
        step = units(asset, _AMOUNT_STEP[asset])
        return self.rng.randrange(units(asset, low) // step, units(asset, high) // step + 1) * step

    def _everyday_statement(self, customer: Customer) -> None:
        """An opening balance per asset held and a few months of ordinary deposits and withdrawals."""
        rng, money = self.rng, self.money
        held = _HOLDINGS.get(customer.region, _OTHER_HOLDINGS)
        for asset in [held[0], *rng.sample(held[1:], rng.randint(0, 2))]:
            money.open_holding(customer, asset, self._amount(asset, *_OPENING_RANGE[asset]))
            moments = sorted((rng.uniform(1, 90) for _ in range(rng.randint(3, 7))), reverse=True)
            for days_ago in moments:
                at = self.ago(days=days_ago)
                amount = self._amount(asset, *_MOVE_RANGE[asset])
                methods = _METHODS[asset]
                if rng.random() < 0.5:
                    method = methods[-1] if rng.random() < 0.25 else methods[0]
                    failed = rng.random() < 0.05
                    status = TransactionStatus.FAILED if failed else TransactionStatus.COMPLETED
                    money.deposit(customer, asset, method, amount, at, status)
                    continue
                rule = fee_rule(methods[0], asset, Direction.WITHDRAWAL)
                if amount + rule.fee_for(amount) > money.balance(customer, asset):
                    money.deposit(customer, asset, methods[0], amount, at)
                    continue
                # Still on its way if it was asked for within the published time.
                on_its_way = days_ago * 24 < rule.expected_hours
                status = TransactionStatus.PROCESSING if on_its_way else TransactionStatus.COMPLETED
                money.withdraw(customer, asset, methods[0], amount, at, status)

    def _usual_logins(self, customer: Customer, count: int | None = None) -> None:
        city, ip_address, device = self._homes[customer.account_number]
        for _ in range(count or self.rng.randint(3, 8)):
            self.session.add(
                LoginEvent(
                    customer_id=customer.id,
                    occurred_at=self.ago(days=self.rng.uniform(0.5, 30)),
                    region=city,
                    device=device,
                    ip_address=ip_address,
                    success=True,
                    unusual=False,
                )
            )

    def _login(self, customer: Customer, at: datetime, success: bool, **where: str) -> None:
        city, ip_address, device = self._homes[customer.account_number]
        self.session.add(
            LoginEvent(
                customer_id=customer.id,
                occurred_at=at,
                region=where.get("region", city),
                device=where.get("device", device),
                ip_address=where.get("ip_address", ip_address),
                success=success,
                unusual="region" in where,
            )
        )

    def _filler_transfers(self, fillers: list[Customer]) -> None:
        rng = self.rng
        for _ in range(6):
            sender, receiver = rng.sample(fillers, 2)
            asset = _HOLDINGS.get(sender.region, _OTHER_HOLDINGS)[0]
            amount = self._amount(asset, *_MOVE_RANGE[asset])
            if self.money.balance(sender, asset) >= amount:
                self.money.transfer(sender, receiver, asset, amount, self.ago(days=rng.uniform(1, 60)))

    def _filler_tickets(self, fillers: list[Customer]) -> None:
        """A few ordinary closed calls for the dashboard; one each, so no filler is a repeat caller."""
        rng = self.rng
        reasons = (
            TicketReason.DEPOSIT_WITHDRAWAL,
            TicketReason.ACCOUNT_SECURITY,
            TicketReason.FEEDBACK,
            TicketReason.OTHER,
        )
        for customer in rng.sample(fillers, 6):
            self._ticket(
                customer,
                rng.choice(("lina", "marcus")),
                rng.choice(reasons),
                self.ago(days=rng.uniform(1, 30)),
                "Answered the caller's question.",
                Disposition.RESOLVED,
            )

    def _ticket(
        self,
        customer: Customer,
        agent: str,
        reason: TicketReason,
        opened: datetime,
        note: str,
        disposition: Disposition,
        closed: bool = True,
    ) -> Ticket:
        talk, wrap_up = self.rng.randint(120, 600), self.rng.randint(30, 180)
        ended = opened + timedelta(seconds=talk + wrap_up)
        ticket = Ticket(
            customer_id=customer.id,
            agent_id=self.agents[agent].id,
            reason=reason,
            status=TicketStatus.CLOSED if closed else TicketStatus.PENDING,
            disposition=disposition,
            opened_at=opened,
            closed_at=ended if closed else None,
            follow_up_due=None if closed else (self.now + timedelta(days=2)).date(),
            talk_seconds=talk,
            wrap_up_seconds=wrap_up,
            verified_at=opened + timedelta(seconds=60),
            verified_factor="sms" if customer.phone_bound else "email",
            last_activity_at=ended,
        )
        self.session.add(ticket)
        self.session.flush()
        self.session.add(
            TicketNote(
                ticket_id=ticket.id,
                agent_id=ticket.agent_id,
                body=note,
                created_at=opened + timedelta(seconds=talk),
            )
        )
        return ticket

    def _dispute(
        self,
        customer: Customer,
        tx: Transaction,
        ticket: Ticket,
        claimed: int,
        description: str,
        timeline: list[tuple[DisputeStatus, str, datetime, str]],
    ) -> None:
        self.session.flush()  # the statement row needs its id
        first, last = timeline[0], timeline[-1]
        dispute = Dispute(
            customer_id=customer.id,
            transaction_id=tx.id,
            ticket_id=ticket.id,
            opened_by_agent_id=self.agents[first[1]].id,
            asset_code=tx.asset_code,
            claimed_amount=claimed,
            description=description,
            status=last[0],
            opened_at=first[2],
            updated_at=last[2],
        )
        self.session.add(dispute)
        self.session.flush()
        for status, agent, at, note in timeline:
            self.session.add(
                DisputeEvent(
                    dispute_id=dispute.id,
                    status=status,
                    agent_id=self.agents[agent].id,
                    note=note,
                    occurred_at=at,
                )
            )

    # ---- the cases -------------------------------------------------------------------------

    def _act_out_cases(self, case: dict[str, Customer], fillers: list[Customer]) -> None:
        for key in (
            "two_factor_on",
            "two_factor_off",
            "international",
            "email_only",
            "phone_not_bound",
            "same_name_beijing",
            "same_name_guangzhou",
            "pinyin_homophone",
            "shared_last4_cn",
            "shared_last4_hk",
        ):
            self._everyday_statement(case[key])
            self._usual_logins(case[key])
        self.money.charge(case["international"], "USD", units("USD", "2"), self.ago(days=15), "Paper statement fee")
        self._locked_after_wrong_passwords(case["locked_password_failures"])
        self._locked_after_abnormal_login(case["locked_abnormal_login"])
        self._locked_by_risk(case["locked_risk"])
        self._delayed_withdrawal(case["delayed_withdrawal"])
        self._wrong_fee(case["wrong_fee"])
        self._card_charged_for_failed_deposit(case["dispute_investigating"])
        stranger = next(f for f in fillers if f.region == "CN")
        self._unrecognised_transfer(case["dispute_open"], stranger)
        self._repeat_caller(case["repeat_caller"])
        self._closed_account(case["closed_account"])

    def _locked_after_wrong_passwords(self, who: Customer) -> None:
        """Five wrong passwords in a row from the customer's own phone, then the lock."""
        self._usual_logins(who, 5)
        self.money.open_holding(who, "CNY", units("CNY", "12680"))
        self.money.deposit(who, "CNY", PaymentMethod.BANK_TRANSFER, units("CNY", "3000"), self.ago(days=20))
        for minutes in (52, 50, 49, 47, 45):
            self._login(who, self.ago(minutes=minutes), success=False)
        _lock(who, LockReason.PASSWORD_FAILURES, self.ago(minutes=45))
        who.failed_password_count = 5

    def _locked_after_abnormal_login(self, who: Customer) -> None:
        """A login from a country and device never seen before, a withdrawal try, and the lock."""
        self._usual_logins(who, 6)
        self.money.open_holding(who, "CNY", units("CNY", "5400"))
        self.money.open_holding(who, "USDT", units("USDT", "2300"))
        stranger = {
            "region": "Lagos, NG",
            "device": "Windows 10 · Chrome 131",
            "ip_address": "102.89.34.17",
        }
        self._login(who, self.ago(hours=3, minutes=4), success=False, **stranger)
        self._login(who, self.ago(hours=3), success=True, **stranger)
        self.money.withdraw(
            who,
            "USDT",
            PaymentMethod.ON_CHAIN,
            units("USDT", "2000"),
            self.ago(hours=2, minutes=58),
            TransactionStatus.FAILED,
        )
        _lock(who, LockReason.ABNORMAL_LOGIN, self.ago(hours=2, minutes=57))

    def _locked_by_risk(self, who: Customer) -> None:
        """Rapid deposits from new addresses and a withdrawal straight out again."""
        self._usual_logins(who)
        self.money.open_holding(who, "USD", units("USD", "1500"))
        for hours in (30, 29, 28):
            amount = units("USDT", "4000")
            self.money.deposit(who, "USDT", PaymentMethod.ON_CHAIN, amount, self.ago(hours=hours))
        self.money.withdraw(
            who,
            "USDT",
            PaymentMethod.ON_CHAIN,
            units("USDT", "11900"),
            self.ago(hours=27, minutes=30),
            TransactionStatus.FAILED,
        )
        _lock(who, LockReason.RISK, self.ago(hours=27, minutes=29))

    def _delayed_withdrawal(self, who: Customer) -> None:
        """A bank withdrawal that should have arrived two days ago."""
        self._usual_logins(who)
        self.money.open_holding(who, "CNY", units("CNY", "26500"))
        self.money.deposit(who, "CNY", PaymentMethod.BANK_TRANSFER, units("CNY", "5000"), self.ago(days=40))
        placed = self.ago(days=3, hours=2)
        self.money.withdraw(
            who,
            "CNY",
            PaymentMethod.BANK_TRANSFER,
            units("CNY", "8000"),
            placed,
            TransactionStatus.DELAYED,
            expected_by=placed + timedelta(hours=24),
        )

    def _wrong_fee(self, who: Customer) -> None:
        """The fee on one USDT withdrawal is five times the published one; an earlier one is right."""
        self._usual_logins(who)
        self.money.open_holding(who, "USDT", units("USDT", "3200"))
        self.money.open_holding(who, "CNY", units("CNY", "1800"))
        chain = PaymentMethod.ON_CHAIN
        self.money.withdraw(who, "USDT", chain, units("USDT", "300"), self.ago(days=50))
        self.money.deposit(who, "USDT", chain, units("USDT", "800"), self.ago(days=30))
        self.money.withdraw(who, "USDT", chain, units("USDT", "500"), self.ago(days=12), fee=units("USDT", "5"))

    def _card_charged_for_failed_deposit(self, who: Customer) -> None:
        """Two card charges of 200.00 USD, one deposit credited: a dispute under investigation."""
        self._usual_logins(who)
        card = PaymentMethod.CREDIT_CARD
        self.money.open_holding(who, "USD", units("USD", "640"))
        self.money.deposit(
            who, "USD", card, units("USD", "200"), self.ago(days=6, minutes=3), counterparty="Visa ****4417"
        )
        failed = self.money.deposit(
            who,
            "USD",
            card,
            units("USD", "200"),
            self.ago(days=6),
            TransactionStatus.FAILED,
            counterparty="Visa ****4417",
        )
        ticket = self._ticket(
            who,
            "lina",
            TicketReason.STATEMENT_DISPUTE,
            self.ago(days=4),
            "Card statement shows two charges of 200.00 USD; the wallet credited one.",
            Disposition.FOLLOW_UP,
            closed=False,
        )
        self._dispute(
            who,
            failed,
            ticket,
            units("USD", "200"),
            "Card charged 200.00 USD for a deposit the wallet shows as failed.",
            [
                (DisputeStatus.OPEN, "lina", self.ago(days=4), "Opened on the call."),
                (
                    DisputeStatus.INVESTIGATING,
                    "chenjing",
                    self.ago(days=3),
                    "Asked the card processor for the settlement report.",
                ),
            ],
        )

    def _unrecognised_transfer(self, who: Customer, stranger: Customer) -> None:
        """A transfer to someone she does not know; the dispute was opened yesterday."""
        self._usual_logins(who)
        self.money.open_holding(who, "CNY", units("CNY", "9800"))
        outgoing = self.money.transfer(who, stranger, "CNY", units("CNY", "1500"), self.ago(days=2, hours=5))
        ticket = self._ticket(
            who,
            "marcus",
            TicketReason.STATEMENT_DISPUTE,
            self.ago(days=1),
            "Caller does not recognise a transfer of 1,500.00 CNY.",
            Disposition.FOLLOW_UP,
            closed=False,
        )
        self._dispute(
            who,
            outgoing,
            ticket,
            units("CNY", "1500"),
            "Caller says she did not make this transfer and does not know the recipient.",
            [(DisputeStatus.OPEN, "marcus", self.ago(days=1), "Opened on the call.")],
        )

    def _repeat_caller(self, who: Customer) -> None:
        """He rang twice this week about the same withdrawal."""
        self._usual_logins(who)
        self.money.open_holding(who, "CNY", units("CNY", "15000"))
        self.money.withdraw(who, "CNY", PaymentMethod.BANK_TRANSFER, units("CNY", "6000"), self.ago(days=7))
        self._ticket(
            who,
            "lina",
            TicketReason.DEPOSIT_WITHDRAWAL,
            self.ago(days=6),
            "Asked where his withdrawal is; still within the ETA.",
            Disposition.FOLLOW_UP,
        )
        self._ticket(
            who,
            "marcus",
            TicketReason.DEPOSIT_WITHDRAWAL,
            self.ago(days=2),
            "Withdrawal arrived; caller confirmed.",
            Disposition.RESOLVED,
        )

    def _closed_account(self, who: Customer) -> None:
        """Emptied and closed two months ago: the balance is exactly zero."""
        self._usual_logins(who, 2)
        bank = PaymentMethod.BANK_TRANSFER
        payout = units("CNY", "10000")
        fee = fee_rule(bank, "CNY", Direction.WITHDRAWAL).fee_for(payout)
        self.money.open_holding(who, "CNY", payout + fee)
        self.money.withdraw(who, "CNY", bank, payout, self.ago(days=60))
        who.status = CustomerStatus.CLOSED


def _lock(customer: Customer, reason: LockReason, at: datetime) -> None:
    customer.status = CustomerStatus.LOCKED
    customer.lock_reason = reason
    customer.locked_at = at
