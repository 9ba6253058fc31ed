"""Caller lookup on both engines: every kind of query finds the right customer; exact ranks first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from console.db import Database
from console.services.agents import add_agent
from console.services.lookup import LookupResult, MatchKind, find_customers, normalize_phone
from models import Agent, Customer

PEOPLE = [
    # account, name, pinyin, initials, phone, email, id_last4, region
    ("OK10000001", "王伟", "wangwei", "ww", "+8613812345678", "wangwei@example.cn", "002X", "CN"),
    ("OK10000002", "王伟", "wangwei", "ww", "+8613987655678", "w.wei@example.com", "1234", "CN"),
    ("OK10000003", "王伟明", "wangweiming", "wwm", "+8615011112222", "wwm@example.cn", "7777", "CN"),
    ("OK10000004", "陈美玲", "chenmeiling", "cml", "+85291234567", "mei@example.hk", "5678", "HK"),
    ("OK10000005", "Sarah Tan", "sarahtan", "st", "+6591234567", "sarah.tan@example.sg", "567D", "SG"),
    ("OK10000006", "李娜", "lina", "ln", None, "lina@example.cn", "9999", "CN"),
]


def add_desk_agent(database: Database) -> None:
    """The agent the lookups run as: every service checks that the acting agent is enabled."""
    add_agent(database.sessions, "desk", "desk-password-123", "agent", now=datetime.now(UTC))


def find(database: Database, query: str, **options: Any) -> LookupResult:
    with database.sessions() as session:
        desk = session.scalar(select(Agent.id).where(Agent.username == "desk"))
    assert desk is not None
    return find_customers(database.read_sessions, query, agent_id=desk, **options)


@pytest.fixture
def people(database: Database) -> Database:
    return add_people(database)


def add_people(database: Database) -> Database:
    """PEOPLE as customers, and the desk agent who looks them up."""
    add_desk_agent(database)
    with database.sessions.begin() as session:
        for account, name, pinyin, initials, phone, email, id4, region in PEOPLE:
            session.add(
                Customer(
                    account_number=account,
                    full_name=name,
                    name_pinyin=pinyin,
                    name_initials=initials,
                    phone_e164=phone,
                    phone_last4=phone[-4:] if phone else None,
                    phone_bound=phone is not None,
                    email=email,
                    id_last4=id4,
                    region=region,
                )
            )
    return database


def _accounts(result) -> list[str]:
    return [m.account_masked for m in result.matches]


@pytest.mark.parametrize(
    ("query", "kind", "account_tail"),
    [
        ("13812345678", MatchKind.PHONE, "0001"),
        ("+86 138 1234 5678", MatchKind.PHONE, "0001"),
        ("138-1234-5678", MatchKind.PHONE, "0001"),
        ("0086 13812345678", MatchKind.PHONE, "0001"),
        ("+852 9123 4567", MatchKind.PHONE, "0004"),
        ("ok10000005", MatchKind.ACCOUNT, "0005"),
        ("OK 1000 0005", MatchKind.ACCOUNT, "0005"),
        ("SARAH.TAN@example.sg", MatchKind.EMAIL, "0005"),
        ("陈美玲", MatchKind.NAME, "0004"),
        ("chenmeiling", MatchKind.PINYIN, "0004"),
        ("cml", MatchKind.INITIALS, "0004"),
        ("Sarah Tan", MatchKind.PINYIN, "0005"),
        ("4567", MatchKind.PHONE_LAST4, "0004"),
        ("002x", MatchKind.ID_LAST4, "0001"),
        ("567d", MatchKind.ID_LAST4, "0005"),  # Singapore NRIC ends in a letter
        ("９９９９", MatchKind.ID_LAST4, "0006"),  # full-width digits from a Chinese IME
    ],
)
def test_each_kind_of_query_finds_the_right_customer(
    people: Database, query: str, kind: MatchKind, account_tail: str
) -> None:
    result = find(people, query, default_region="CN")
    assert result.matches, result.problem
    first = result.matches[0]
    assert first.account_masked.endswith(account_tail)
    assert first.matched_by == kind and first.exact


def test_same_name_gives_a_pick_list_not_an_automatic_choice(people: Database) -> None:
    result = find(people, "王伟")
    assert len([m for m in result.matches if m.exact]) == 2
    assert result.single is None
    # Distinguishing data is masked.
    assert sorted(m.phone_masked for m in result.matches if m.exact) == [
        "+86 •••••••••78",
        "+86 •••••••••78",
    ]
    assert all("1381234" not in (m.phone_masked or "") for m in result.matches)


def test_exact_matches_rank_above_prefix_matches(people: Database) -> None:
    result = find(people, "王伟")
    kinds = [(m.full_name, m.exact) for m in result.matches]
    assert kinds == [("王伟", True), ("王伟", True), ("王伟明", False)]
    pinyin = find(people, "wangwei")
    assert [m.exact for m in pinyin.matches] == [True, True, False]


def test_a_single_exact_match_is_offered_as_the_one(people: Database) -> None:
    result = find(people, "+8615011112222")
    assert result.single is not None and result.single.full_name == "王伟明"


def test_no_match_says_so(people: Database) -> None:
    result = find(people, "+6598765432")
    assert result.matches == () and result.problem is None


def test_malformed_phone_gets_a_plain_hint(people: Database) -> None:
    result = find(people, "138123")
    assert result.matches == ()
    assert "not a valid phone number" in result.problem


def test_a_stored_number_its_region_no_longer_counts_as_valid_is_still_found_by_phone(people: Database) -> None:
    # Numbering plans change under stored numbers: a possible number is looked up before it is judged.
    with people.sessions.begin() as session:
        customer = session.scalar(select(Customer).where(Customer.account_number == "OK10000003"))
        assert customer is not None
        customer.phone_e164 = "+8611012345678"  # possible in CN, but no range in service starts 110
    result = find(people, "+86 110 1234 5678")
    assert result.single is not None and result.single.full_name == "王伟明" and result.problem is None
    nobody = find(people, "+86 110 1234 5679")
    assert nobody.matches == ()
    # The country code was typed: the agent is told to check the digits, not to add one.
    assert nobody.problem == (
        "+86 110 1234 5679 is not a valid phone number. Check the digits with the caller, or type the last 4 digits."
    )


def test_limit_reports_more(people: Database) -> None:
    result = find(people, "w", limit=2)
    assert len(result.matches) == 2 and result.more


def test_phone_normalization_uses_the_default_region() -> None:
    assert normalize_phone("91234567", "HK") == "+85291234567"
    assert normalize_phone("91234567", "CN") is None
