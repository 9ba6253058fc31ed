"""A small, fixed call floor for the workspace tests: hotlines, customers with past tickets, a balance.

Every value the tests look for on screen (or make sure is absent) is a constant here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from console.db import Database
from models import (
    Agent,
    Asset,
    Balance,
    Customer,
    CustomerStatus,
    Disposition,
    Hotline,
    LockReason,
    Ticket,
    TicketReason,
    TicketStatus,
)

# Snapshot tests freeze the wall clock here; the floor's history is relative to it.
FLOOR_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    account: str
    name: str
    pinyin: str
    initials: str
    phone: str | None
    email: str | None
    id_number: str  # the full number exists only here: the database keeps its last 4
    region: str


WANG = Person("OK10000001", "王伟", "wangwei", "ww", "+8613812345601", "wangwei@example.cn", "11010119900307123X", "CN")
WANG_WEI_2 = Person(
    "OK10000002", "王薇", "wangwei", "ww", "+8613912345602", "weiw@example.cn", "310101199208154411", "CN"
)
ZHANG = Person(
    "OK10000003", "张三丰", "zhangsanfeng", "zsf", "+8615012345603", "zsf@example.cn", "440301198801010567", "CN"
)
TAN = Person("OK10000004", "Sarah Tan", "sarahtan", "st", "+6591234604", "sarah.tan@example.sg", "S8812345D", "SG")
# Two members of one family share a landline: the caller's number alone cannot choose.
LEE_FATHER = Person("OK10000005", "李强", "liqiang", "lq", "+85223456789", "lq@example.hk", "A1234563", "HK")
LEE_DAUGHTER = Person("OK10000006", "李娜", "lina", "ln", "+85223456789", None, "A7654328", "HK")

PEOPLE = (WANG, WANG_WEI_2, ZHANG, TAN, LEE_FATHER, LEE_DAUGHTER)
# Wang Wei's wallet balance in CNY minor units; it must never appear before verification.
WANG_BALANCE_MINOR = 8_765_432_1
WANG_BALANCE_SHOWN = ("87,654,321", "876,543.21", "876543.21")

HOTLINES = (
    ("CN", "Mainland China", "+864008201234", "09:00-21:00 CST, every day", "zh-CN,en"),
    ("HK", "Hong Kong", "+85230012345", "09:00-18:00 HKT, Mon-Sat", "zh-HK,en"),
    ("INTL", "International", "+6531651234", "24 hours", "en,zh-CN"),
)


def id_last4(person: Person) -> str:
    return person.id_number[-4:]


def build_call_floor(database: Database, now: datetime | None = None) -> dict[str, int]:
    """Add hotlines, the customers above and Wang Wei's history; account number -> customer id.

    Wang Wei is locked (too many wrong passwords), has 2FA, and has called twice in the last week
    (a repeat caller). Agents must already exist when past tickets are written (the first agent
    owns them).
    """
    now = now or datetime.now(UTC)
    ids: dict[str, int] = {}
    with database.sessions.begin() as session:
        for code, region, number, hours, languages in HOTLINES:
            session.add(Hotline(code=code, region=region, number=number, hours=hours, languages=languages))
        for person in PEOPLE:
            customer = Customer(
                account_number=person.account,
                full_name=person.name,
                name_pinyin=person.pinyin,
                name_initials=person.initials,
                phone_e164=person.phone,
                phone_last4=person.phone[-4:] if person.phone else None,
                phone_bound=person.phone is not None,
                email=person.email,
                id_last4=id_last4(person),
                region=person.region,
                created_at=now - timedelta(days=400),
            )
            if person is WANG:
                customer.status = CustomerStatus.LOCKED
                customer.lock_reason = LockReason.PASSWORD_FAILURES
                customer.locked_at = now - timedelta(hours=2)
                customer.totp_secret_encrypted = "not-read-by-the-card"
            session.add(customer)
            session.flush()
            ids[person.account] = customer.id
        if session.get(Asset, "CNY") is None:
            session.add(Asset(code="CNY", name="Chinese yuan", scale=2))
            session.flush()
        session.add(Balance(customer_id=ids[WANG.account], asset_code="CNY", amount=WANG_BALANCE_MINOR))
        agent_id = session.scalar(select(Agent.id).order_by(Agent.id).limit(1))
        if agent_id is not None:
            history = [
                (now - timedelta(days=2), TicketReason.LOCKED_ACCOUNT, Disposition.FOLLOW_UP),
                (now - timedelta(days=5), TicketReason.DEPOSIT_WITHDRAWAL, Disposition.RESOLVED),
                (now - timedelta(days=40), TicketReason.STATEMENT_DISPUTE, Disposition.ESCALATED),
            ]
            for opened_at, reason, disposition in history:
                session.add(
                    Ticket(
                        customer_id=ids[WANG.account],
                        agent_id=agent_id,
                        reason=reason,
                        status=TicketStatus.CLOSED,
                        disposition=disposition,
                        opened_at=opened_at,
                        closed_at=opened_at + timedelta(minutes=7),
                        last_activity_at=opened_at,
                    )
                )
    return ids
