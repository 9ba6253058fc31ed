"""The demo's builder: customers, their logins, statements, tickets and disputes, drawn from one random seed.

The cases in `demo_cases` say who is there and what happened to them; this module knows how each of those
things is written, and what an ordinary customer's life looks like around them. Every draw comes from
one `random.Random`, so the order things are built in is part of the demo.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy.orm import Session, sessionmaker

from console.db import TRUSTED_CLOCK_INFO
from console.keys import KeyRing
from console.seed.catalog import fee_rule, units
from console.seed.identity import random_id_number
from console.seed.names import name_keys, name_pools
from console.seed.phones import random_mobile
from console.seed.statements import StatementWriter
from console.services import codes, disputes, tickets, verification
from console.services.context import Actor, OnCall
from console.services.crypto import encrypt_totp_secret, hash_id_number
from console.services.disputes import DisputeView
from console.services.money import format_amount
from console.services.outbox import recent_messages
from models import (
    Asset,
    Customer,
    CustomerStatus,
    Direction,
    Disposition,
    LockReason,
    LoginEvent,
    PaymentMethod,
    TicketReason,
    Transaction,
    TransactionStatus,
)

# Where a customer usually logs in from: city label and IP prefix, by region.
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
_FILLER_REASONS = (
    TicketReason.DEPOSIT_WITHDRAWAL,
    TicketReason.ACCOUNT_SECURITY,
    TicketReason.FEEDBACK,
    TicketReason.OTHER,
)


@dataclass(frozen=True)
class Profile:
    """What a customer's card shows, where it is not left to the random draws."""

    region: str
    home: int = 0  # which of the region's usual login places
    phone: str | None = None  # drawn for the region unless given (or `no_phone`)
    no_phone: bool = False
    phone_bound: bool = True
    email: str | None = None  # drawn from the name and the region's mail providers unless given
    id_number: str | None = None  # drawn for the region unless given
    two_factor: bool = False


class DemoWorld:
    """Builds the demo rows inside the caller's transaction."""

    def __init__(self, session: Session, keyring: KeyRing, now: datetime, seed: int) -> None:
        self.session = session
        self.keyring = keyring
        self.now = now
        self.rng = random.Random(seed)
        self.money = StatementWriter(session, self.rng)
        self.customers: list[Customer] = []
        self.fillers: list[Customer] = []
        # The demo agents' ids by username, for the tickets and disputes they worked on.
        self.agent_ids: dict[str, int] = {}
        # Per account number: the city, IP address and phone the customer usually logs in with.
        self._homes: dict[str, tuple[str, str, str]] = {}
        self._wants_two_factor: list[Customer] = []

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    # ---- customers -------------------------------------------------------------------------

    def add_customer(self, account_number: str, name: str, profile: Profile) -> Customer:
        rng = self.rng
        region, phone, email, id_number = profile.region, profile.phone, profile.email, profile.id_number
        pinyin, initials = name_keys(name)
        if not profile.no_phone and phone is None:
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
            phone_bound=phone is not None and profile.phone_bound,
            email=email,
            id_number_hash=hash_id_number(self.keyring.hmac_key, id_number),
            id_last4=id_number[-4:],
            region=region,
            status=CustomerStatus.ACTIVE,
            created_at=self.ago(days=rng.randint(200, 1500), minutes=rng.randint(0, 1439)),
        )
        self.session.add(customer)
        self.customers.append(customer)
        if profile.two_factor:
            self._wants_two_factor.append(customer)
        city, ip_prefix = _HOMES[region][profile.home % len(_HOMES[region])]
        ip_address = f"{ip_prefix}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        self._homes[account_number] = (city, ip_address, rng.choice(_DEVICES))
        return customer

    def add_fillers(self, regions: tuple[str, ...], taken_names: set[str], taken_numbers: set[str]) -> None:
        """Ordinary customers around the cases, one per region given; none looks like a case."""
        rng = self.rng
        pools = name_pools()
        taken_pinyin = {name_keys(name)[0] for name in taken_names}
        for region in regions:
            # Redraw clashes, so each case stays the only one of its kind.
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
            profile = Profile(region, home=rng.randrange(6), phone=phone, two_factor=two_factor)
            self.fillers.append(self.add_customer(number, name, profile))

    def give_authenticators(self) -> None:
        """Authenticator secrets for the customers with 2FA on; their ids exist only after a flush."""
        self.session.flush()
        fernet = self.keyring.fernet()
        for customer in self._wants_two_factor:
            # Not from the seed's random draws: a secret is never the same in two demo databases.
            secret = pyotp.random_base32()
            customer.totp_secret_encrypted = encrypt_totp_secret(fernet, customer.id, secret)

    def first_filler_from(self, region: str) -> Customer:
        return next(filler for filler in self.fillers if filler.region == region)

    @staticmethod
    def lock(customer: Customer, reason: LockReason, at: datetime) -> None:
        customer.status = CustomerStatus.LOCKED
        customer.lock_reason = reason
        customer.locked_at = at

    # ---- everyday activity -----------------------------------------------------------------

    def ordinary_life(self, customer: Customer) -> None:
        """A few months of ordinary deposits and withdrawals, and logins from the usual place."""
        self.everyday_statement(customer)
        self.usual_logins(customer)

    def amount(self, asset: str, low: str, high: str) -> int:
        step = units(asset, _AMOUNT_STEP[asset])
        return self.rng.randrange(units(asset, low) // step, units(asset, high) // step + 1) * step

    def everyday_statement(self, customer: Customer) -> None:
        """An opening balance per asset held and a few months of ordinary deposits and withdrawals."""
        rng, money = self.rng, self.money
        held = _HOLDINGS.get(customer.region, _OTHER_HOLDINGS)
        for asset in [held[0], *rng.sample(held[1:], rng.randint(0, 2))]:
            money.open_holding(customer, asset, self.amount(asset, *_OPENING_RANGE[asset]))
            moments = sorted((rng.uniform(1, 90) for _ in range(rng.randint(3, 7))), reverse=True)
            for days_ago in moments:
                at = self.ago(days=days_ago)
                amount = self.amount(asset, *_MOVE_RANGE[asset])
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

    def usual_logins(self, customer: Customer, count: int | None = None) -> None:
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

    def login(self, customer: Customer, at: datetime, success: bool, **where: str) -> None:
        """One login; a `region` other than the usual one makes it unusual."""
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

    def filler_transfers(self) -> None:
        rng = self.rng
        for _ in range(6):
            sender, receiver = rng.sample(self.fillers, 2)
            asset = _HOLDINGS.get(sender.region, _OTHER_HOLDINGS)[0]
            amount = self.amount(asset, *_MOVE_RANGE[asset])
            if self.money.balance(sender, asset) >= amount:
                self.money.transfer(sender, receiver, asset, amount, self.ago(days=rng.uniform(1, 60)))

    def filler_tickets(self) -> None:
        """A few ordinary closed calls for the dashboard; one each, so no filler is a repeat caller."""
        rng = self.rng
        for customer in rng.sample([filler for filler in self.fillers if filler.phone_bound], 6):
            self.past_call(
                customer,
                rng.choice(("lina", "marcus")),
                rng.choice(_FILLER_REASONS),
                self.ago(days=rng.uniform(1, 30)),
                "Answered the caller's question.",
                Disposition.RESOLVED,
            )

    # ---- calls and disputes, through the services ------------------------------------------

    def take_call(self, customer: Customer, agent: str, reason: TicketReason, opened: datetime) -> OnCall:
        """A call `agent` took at `opened`, the caller verified by an SMS code (`verified_call`): the call
        as the rest of it goes on."""
        ticket = self.verified_call(customer, agent, reason, opened)
        return OnCall(self.agent_ids[agent], opened, ticket, customer.id)

    def wrap_up(self, call: OnCall, note: str, disposition: Disposition) -> None:
        """The rest of the call: one note after a few minutes' talk, then the wrap-up. A follow-up stays
        pending, due in two days."""
        talk, wrap_up = self.rng.randint(120, 600), self.rng.randint(30, 180)
        talked = call.at(call.now + timedelta(seconds=talk))
        tickets.add_note(self.services, talked, note)
        due = (self.now + timedelta(days=2)).date() if disposition is Disposition.FOLLOW_UP else None
        answer = tickets.WrapUp(disposition.value, talk, wrap_up, follow_up_due=due)
        tickets.wrap_up(self.services, talked.at(talked.now + timedelta(seconds=wrap_up)), answer)

    def past_call(
        self,
        customer: Customer,
        agent: str,
        reason: TicketReason,
        opened: datetime,
        note: str,
        disposition: Disposition,
    ) -> None:
        """A call already over: taken, verified, one note, wrapped up."""
        self.wrap_up(self.take_call(customer, agent, reason, opened), note, disposition)

    def open_dispute(self, call: OnCall, row: Transaction, claimed: int, description: str) -> DisputeView:
        """A dispute over one statement row, opened on the call (the caller is told, as always)."""
        self.session.flush()  # the statement row needs its id
        asset = row.asset_code
        scale = self.session.get_one(Asset, asset).scale
        claim = format_amount(claimed, scale)
        return disputes.open_dispute(
            self.services, call.at(call.now + timedelta(seconds=90)), row.id, claim, description
        )

    def investigate(self, dispute: DisputeView, agent: str, at: datetime, note: str) -> None:
        """Someone away from the call starts looking into the dispute."""
        disputes.start_investigation(
            self.services, Actor(self.agent_ids[agent], at), dispute.dispute_id, dispute.version, note
        )

    # ---- calls acted out through the services ------------------------------------------------

    @property
    def services(self) -> sessionmaker[Session]:
        """Sessions for the services on the seed's own connection: their commits join the seed's
        transaction. The seed writes the past on purpose, so the services take its `now` on trust."""
        self.session.flush()
        info = {**self.session.info, TRUSTED_CLOCK_INFO: True}
        return sessionmaker(bind=self.session.connection(), info=info, expire_on_commit=False)

    def verified_call(self, customer: Customer, agent: str, reason: TicketReason, at: datetime) -> int:
        """`agent` takes a call from `customer` at `at` and verifies them with an SMS code, as on the
        console (the code read back from the outbox); the ticket's id."""
        sessions, agent_id = self.services, self.agent_ids[agent]
        ticket = tickets.open_ticket(sessions, Actor(agent_id=agent_id, now=at), customer.id, reason.value).ticket_id
        verification.start_verification(
            sessions, OnCall(agent_id=agent_id, now=at, ticket_id=ticket, customer_id=customer.id)
        )
        sent = codes.send_code(
            sessions,
            self.keyring,
            OnCall(agent_id=agent_id, now=at, ticket_id=ticket, customer_id=customer.id),
            "sms",
            "verify",
        )
        outcome = codes.check_code(
            sessions,
            self.keyring,
            sent.challenge_id,
            OnCall(agent_id=agent_id, now=at, ticket_id=ticket),
            self.code_sent(customer),
        )
        assert outcome.verified, outcome.message
        return ticket

    def code_sent(self, customer: Customer) -> str:
        """The code the customer's phone received last (what the caller reads out)."""
        (message,) = recent_messages(self.services, self.keyring.fernet(), customer.account_number, limit=1)
        found = re.search(r"\b(\d{6})\b", message.body)
        assert found is not None, "the last message to the customer carries no code"
        return found.group(1)

    def finish(self) -> None:
        self.session.flush()
