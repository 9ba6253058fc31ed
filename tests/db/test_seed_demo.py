"""The demo seed gives every case the console handles a customer, with books that balance, on both engines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import phonenumbers
import pyotp
import pytest
from sqlalchemy import func, select

from console.db import Database, open_database
from console.keys import KeyRing
from console.seed import DEMO_ACCOUNTS, DemoSeedReport, is_demo_database, seed_demo
from console.seed.catalog import FEE_SCHEDULE, fee_rule
from console.seed.demo_cases import DEMO_CASES, SCENES
from console.seed.demo_desk import DESK_CASES, DESK_SCENES
from console.seed.names import name_keys
from console.services import agents, audit
from console.services.crypto import decrypt_totp_secret, hash_id_number
from console.services.errors import Conflict
from models import (
    Asset,
    AuditEvent,
    Balance,
    Customer,
    CustomerStatus,
    Direction,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    FeeSchedule,
    Hotline,
    LedgerEntry,
    LockReason,
    LoginEvent,
    PaymentMethod,
    Ticket,
    TicketStatus,
    Transaction,
    TransactionKind,
    TransactionStatus,
)


def _customer(database: Database, case: str) -> Customer:
    with database.sessions() as session:
        number = DEMO_ACCOUNTS[case].account_number
        return session.scalars(select(Customer).where(Customer.account_number == number)).one()


def _rows(database: Database, model: type, *conditions: object) -> list:
    with database.sessions() as session:
        return list(session.scalars(select(model).where(*conditions)))


# ---- reference data ----------------------------------------------------------------------------


def test_assets_have_their_scales(demo_database_each_engine: Database) -> None:
    assets = {a.code: a.scale for a in _rows(demo_database_each_engine, Asset)}
    assert assets == {"CNY": 2, "USD": 2, "USDT": 6, "BTC": 8, "ETH": 9}


def test_each_demo_agent_logs_in_with_the_printed_password(
    demo_database: Database, demo_seed_report: DemoSeedReport
) -> None:
    roles = sorted(login.role.value for login in demo_seed_report.agents)
    assert roles == ["admin", "agent", "agent", "supervisor"]
    for login in demo_seed_report.agents:
        assert len(login.password) >= agents.MIN_PASSWORD_LENGTH
        view = agents.authenticate(demo_database.sessions, login.username, login.password, now=datetime.now(UTC))
        assert view.role == login.role


def test_hotlines_for_mainland_hong_kong_singapore_and_international(
    demo_database_each_engine: Database,
) -> None:
    lines = {line.code: line for line in _rows(demo_database_each_engine, Hotline)}
    assert set(lines) == {"CN", "HK", "SG", "INTL"}
    for line in lines.values():
        assert phonenumbers.is_valid_number(phonenumbers.parse(line.number)), line.number
        assert re.search(r"\d\d:\d\d-\d\d:\d\d [A-Za-z]+/[A-Za-z_]+|24 hours, UTC", line.hours)
        assert line.languages and all(tag for tag in line.languages.split(","))
    assert lines["CN"].number.startswith("+86") and "zh-CN" in lines["CN"].languages


def test_fee_schedule_methods_fit_the_assets(demo_database_each_engine: Database) -> None:
    rows = _rows(demo_database_each_engine, FeeSchedule)
    assert len(rows) == len(FEE_SCHEDULE)
    for row in rows:
        crypto = row.asset_code in ("USDT", "BTC", "ETH")
        assert (row.method is PaymentMethod.ON_CHAIN) == crypto
        if row.method is PaymentMethod.CREDIT_CARD:
            assert row.direction is Direction.DEPOSIT
        assert row.minimum_amount > 0 and row.fee_fixed >= 0 and row.fee_rate_bp >= 0
    withdrawals = {(r.method, r.asset_code) for r in rows if r.direction is Direction.WITHDRAWAL}
    assert (PaymentMethod.CREDIT_CARD, "CNY") not in withdrawals
    assert {(PaymentMethod.ON_CHAIN, a) for a in ("USDT", "BTC", "ETH")} <= withdrawals


# ---- customers ---------------------------------------------------------------------------------


def test_about_fifty_customers_from_mainland_hong_kong_singapore_and_abroad(
    demo_database_each_engine: Database, demo_seed_report: DemoSeedReport
) -> None:
    customers = _rows(demo_database_each_engine, Customer)
    assert 45 <= len(customers) <= 60 and len(customers) == demo_seed_report.customers
    regions = {c.region for c in customers}
    assert {"CN", "HK", "SG"} <= regions and len(regions - {"CN", "HK", "SG"}) >= 2
    assert any(re.search(r"[\u4e00-\u9fff]", c.full_name) for c in customers)
    assert any(re.fullmatch(r"[A-Za-z ]+", c.full_name) for c in customers)


def test_every_customer_has_account_number_search_keys_and_valid_contacts(
    demo_database: Database,
) -> None:
    customers = _rows(demo_database, Customer)
    assert len({c.account_number for c in customers}) == len(customers)
    for c in customers:
        assert re.fullmatch(r"OK\d{8}", c.account_number)
        assert (c.name_pinyin, c.name_initials) == name_keys(c.full_name)
        assert re.fullmatch(r"[a-z]+", c.name_pinyin) and c.name_initials[0] == c.name_pinyin[0]
        assert c.email and re.fullmatch(r"[a-z0-9._]+@[a-z0-9.]+\.[a-z]+", c.email)
        assert re.fullmatch(r"[0-9a-f]{64}", c.id_number_hash or "")
        assert c.id_last4 and len(c.id_last4) == 4
        if c.phone_e164 is not None:
            number = phonenumbers.parse(c.phone_e164)
            assert phonenumbers.is_valid_number(number), c.phone_e164
            assert phonenumbers.region_code_for_number(number) == c.region
            assert phonenumbers.number_type(number) in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
            assert c.phone_e164 == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            assert c.phone_last4 == c.phone_e164[-4:]


def test_chinese_names_are_keyed_by_pinyin() -> None:
    assert name_keys("王伟") == ("wangwei", "ww")
    assert name_keys("陳嘉欣") == ("chenjiaxin", "cjx")
    assert name_keys("John Smith") == ("johnsmith", "js")
    assert name_keys("Nur Aisyah binte Ahmad") == ("nuraisyahbinteahmad", "naba")


def test_mainland_id_numbers_have_check_characters_and_some_end_in_x(
    demo_database: Database, demo_keyring: KeyRing
) -> None:
    who = _customer(demo_database, "phone_not_bound")
    assert who.id_last4 == "103X"
    assert who.id_number_hash == hash_id_number(demo_keyring.hmac_key, "310115 19910422 103x")


def test_locked_for_password_failures_after_failed_logins(demo_database_each_engine: Database) -> None:
    who = _customer(demo_database_each_engine, "locked_password_failures")
    assert who.status is CustomerStatus.LOCKED and who.lock_reason is LockReason.PASSWORD_FAILURES
    assert who.failed_password_count == 5
    logins = _rows(demo_database_each_engine, LoginEvent, LoginEvent.customer_id == who.id)
    failures = [e for e in logins if not e.success]
    assert len(failures) == 5 and not any(e.unusual for e in logins)
    assert max(e.occurred_at for e in failures) <= who.locked_at


def test_locked_for_abnormal_login_after_an_unusual_successful_login(
    demo_database_each_engine: Database,
) -> None:
    who = _customer(demo_database_each_engine, "locked_abnormal_login")
    assert who.status is CustomerStatus.LOCKED and who.lock_reason is LockReason.ABNORMAL_LOGIN
    logins = _rows(demo_database_each_engine, LoginEvent, LoginEvent.customer_id == who.id)
    unusual = [e for e in logins if e.unusual and e.success]
    assert len(unusual) == 1 and unusual[0].occurred_at <= who.locked_at
    usual_regions = {e.region for e in logins if not e.unusual}
    assert unusual[0].region not in usual_regions
    assert unusual[0].device not in {e.device for e in logins if not e.unusual}


def test_locked_by_risk(demo_database_each_engine: Database) -> None:
    who = _customer(demo_database_each_engine, "locked_risk")
    assert who.status is CustomerStatus.LOCKED and who.lock_reason is LockReason.RISK
    assert who.locked_at is not None


def test_two_factor_on_secret_decrypts_only_for_its_customer(demo_database: Database, demo_keyring: KeyRing) -> None:
    who = _customer(demo_database, "two_factor_on")
    assert who.two_factor_enabled and who.totp_secret_encrypted
    secret = decrypt_totp_secret(demo_keyring.fernet(), who.id, who.totp_secret_encrypted)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert pyotp.TOTP(secret).verify(pyotp.TOTP(secret).now())
    with pytest.raises(Exception, match="another customer"):
        decrypt_totp_secret(demo_keyring.fernet(), who.id + 1, who.totp_secret_encrypted)


def test_two_factor_off(demo_database_each_engine: Database) -> None:
    who = _customer(demo_database_each_engine, "two_factor_off")
    assert not who.two_factor_enabled and who.phone_bound
    customers = _rows(demo_database_each_engine, Customer)
    assert 0 < sum(c.two_factor_enabled for c in customers) < len(customers)


def test_no_bound_phone_email_only_and_phone_not_bound(demo_database_each_engine: Database) -> None:
    email_only = _customer(demo_database_each_engine, "email_only")
    assert email_only.phone_e164 is None and email_only.phone_last4 is None
    assert not email_only.phone_bound and email_only.email
    unbound = _customer(demo_database_each_engine, "phone_not_bound")
    assert unbound.phone_e164 is not None and not unbound.phone_bound and unbound.email


def test_delayed_withdrawal_is_past_its_expected_time(demo_database_each_engine: Database, demo_now: datetime) -> None:
    who = _customer(demo_database_each_engine, "delayed_withdrawal")
    rows = _rows(
        demo_database_each_engine,
        Transaction,
        Transaction.customer_id == who.id,
        Transaction.status == TransactionStatus.DELAYED,
    )
    assert len(rows) == 1
    delayed = rows[0]
    assert delayed.kind is TransactionKind.WITHDRAWAL and delayed.completed_at is None
    assert delayed.expected_by is not None and delayed.expected_by < demo_now - timedelta(hours=12)
    everyone = _rows(demo_database_each_engine, Transaction, Transaction.status == TransactionStatus.DELAYED)
    assert [t.customer_id for t in everyone] == [who.id]


def test_wrong_fee_on_a_statement_is_the_only_fee_off_the_schedule(
    demo_database_each_engine: Database,
) -> None:
    who = _customer(demo_database_each_engine, "wrong_fee")
    wrong = []
    for tx in _rows(demo_database_each_engine, Transaction):
        if tx.kind not in (TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL):
            assert tx.fee == 0
            continue
        direction = Direction(tx.kind.value)
        rule = fee_rule(tx.method, tx.asset_code, direction)
        if tx.fee != rule.fee_for(tx.amount):
            wrong.append(tx)
        # Amounts make every percentage fee exact, so no rounding rule can disagree with the seed.
        assert tx.amount * rule.fee_rate_bp % 10_000 == 0
    assert [(t.customer_id, t.kind, t.asset_code) for t in wrong] == [(who.id, TransactionKind.WITHDRAWAL, "USDT")]
    assert wrong[0].fee == 5 * fee_rule(PaymentMethod.ON_CHAIN, "USDT", Direction.WITHDRAWAL).fee_for(wrong[0].amount)


def test_open_disputes_have_a_timeline_a_ticket_and_a_statement_row(
    demo_database_each_engine: Database,
) -> None:
    disputes = _rows(demo_database_each_engine, Dispute)
    by_customer = {d.customer_id: d for d in disputes}
    investigating = _customer(demo_database_each_engine, "dispute_investigating")
    opened = _customer(demo_database_each_engine, "dispute_open")
    assert by_customer[investigating.id].status is DisputeStatus.INVESTIGATING
    assert by_customer[opened.id].status is DisputeStatus.OPEN
    for dispute in disputes:
        events = _rows(demo_database_each_engine, DisputeEvent, DisputeEvent.dispute_id == dispute.id)
        assert events[0].status is DisputeStatus.OPEN and events[-1].status is dispute.status
        assert all(e.agent_id and e.note for e in events)
        tx = _rows(demo_database_each_engine, Transaction, Transaction.id == dispute.transaction_id)[0]
        assert tx.customer_id == dispute.customer_id and tx.asset_code == dispute.asset_code
        assert 0 < dispute.claimed_amount <= tx.amount and dispute.ticket_id is not None


def test_repeat_caller_has_two_closed_tickets_in_the_last_seven_days(
    demo_database_each_engine: Database, demo_now: datetime
) -> None:
    week = demo_now - timedelta(days=7)
    tickets = _rows(demo_database_each_engine, Ticket, Ticket.status == TicketStatus.CLOSED, Ticket.opened_at >= week)
    per_customer: dict[int, int] = {}
    for ticket in tickets:
        assert ticket.agent_id and ticket.closed_at and ticket.disposition
        per_customer[ticket.customer_id] = per_customer.get(ticket.customer_id, 0) + 1
    repeaters = [customer_id for customer_id, count in per_customer.items() if count >= 2]
    assert repeaters == [_customer(demo_database_each_engine, "repeat_caller").id]


def test_two_customers_share_a_name_and_a_third_shares_its_pinyin(
    demo_database_each_engine: Database,
) -> None:
    namesakes = _rows(demo_database_each_engine, Customer, Customer.full_name == "王伟")
    assert len(namesakes) == 2
    assert len({(c.phone_last4, c.id_last4, c.account_number) for c in namesakes}) == 2
    homophones = _rows(demo_database_each_engine, Customer, Customer.name_pinyin == "wangwei")
    assert sorted(c.full_name for c in homophones) == ["汪薇", "王伟", "王伟"]


def test_two_customers_share_phone_last4(demo_database_each_engine: Database) -> None:
    a = _customer(demo_database_each_engine, "shared_last4_cn")
    b = _customer(demo_database_each_engine, "shared_last4_hk")
    assert a.phone_last4 == b.phone_last4 == "5678" and a.phone_e164 != b.phone_e164
    sharing = _rows(demo_database_each_engine, Customer, Customer.phone_last4 == "5678")
    assert {c.id for c in sharing} == {a.id, b.id}


def test_closed_account_has_zero_balance(demo_database_each_engine: Database) -> None:
    who = _customer(demo_database_each_engine, "closed_account")
    assert who.status is CustomerStatus.CLOSED and who.lock_reason is None
    balances = _rows(demo_database_each_engine, Balance, Balance.customer_id == who.id)
    assert balances and all(b.amount == 0 for b in balances)


# ---- money -------------------------------------------------------------------------------------


def test_every_balance_equals_the_sum_of_its_ledger_entries(demo_database_each_engine: Database) -> None:
    with demo_database_each_engine.sessions() as session:
        sums = dict(
            ((row.customer_id, row.asset_code), row.total)
            for row in session.execute(
                select(
                    LedgerEntry.customer_id, LedgerEntry.asset_code, func.sum(LedgerEntry.amount).label("total")
                ).group_by(LedgerEntry.customer_id, LedgerEntry.asset_code)
            )
        )
        balances = {(b.customer_id, b.asset_code): b.amount for b in session.scalars(select(Balance))}
        customers = session.scalar(select(func.count()).select_from(Customer))
    assert balances == sums
    assert all(amount >= 0 for amount in balances.values())
    assert len({customer_id for customer_id, _ in balances}) == customers


def test_statements_cover_every_kind_method_and_status_over_ninety_days(
    demo_database_each_engine: Database, demo_now: datetime
) -> None:
    rows = _rows(demo_database_each_engine, Transaction)
    assert {t.kind for t in rows} >= {
        TransactionKind.DEPOSIT,
        TransactionKind.WITHDRAWAL,
        TransactionKind.TRANSFER_IN,
        TransactionKind.TRANSFER_OUT,
        TransactionKind.FEE,
    }
    assert {t.method for t in rows} == set(PaymentMethod)
    assert {t.status for t in rows} >= {
        TransactionStatus.COMPLETED,
        TransactionStatus.DELAYED,
        TransactionStatus.FAILED,
    }
    assert all(demo_now - timedelta(days=91) <= t.created_at <= demo_now for t in rows)
    assert {t.asset_code for t in rows} == {"CNY", "USD", "USDT", "BTC", "ETH"}
    assert any(tx.journal_id is not None for tx in rows), "no statement row is linked to the ledger"
    for tx in rows:
        if tx.status is TransactionStatus.COMPLETED:
            assert tx.completed_at is not None and tx.created_at <= tx.completed_at <= demo_now
        # A row that moved money says which journal; the journal's entries are that customer's.
        if tx.journal_id is not None:
            entries = _rows(demo_database_each_engine, LedgerEntry, LedgerEntry.journal_id == tx.journal_id)
            assert tx.customer_id in {e.customer_id for e in entries}


# ---- the seed itself ---------------------------------------------------------------------------


def test_every_case_has_one_customer_and_is_acted_out() -> None:
    cases = (*DEMO_CASES, *DESK_CASES)
    keys = [case.key for case in cases]
    assert len(set(keys)) == len(keys) == len(DEMO_ACCOUNTS)
    assert len({case.account_number for case in cases}) == len(cases)
    assert {key for key, _ in SCENES} == {case.key for case in DEMO_CASES}
    assert [key for key, _ in DESK_SCENES] == [case.key for case in DESK_CASES]


def test_the_seed_is_audited_and_marks_the_database_as_demo(
    demo_database_each_engine: Database,
) -> None:
    assert is_demo_database(demo_database_each_engine.read_sessions)
    actions = [e.action for e in _rows(demo_database_each_engine, AuditEvent)]
    assert actions.count("seed.demo") == 1 and actions.count("agent.add") == 4
    assert audit.verify_chain(demo_database_each_engine.sessions).ok


def test_a_database_without_the_demo_seed_is_not_a_demo_database(database: Database) -> None:
    assert not is_demo_database(database.read_sessions)


def test_seeding_again_is_refused_and_changes_nothing(
    demo_database_each_engine: Database, demo_keyring: KeyRing
) -> None:
    before = len(_rows(demo_database_each_engine, Customer))
    with pytest.raises(Conflict, match="already has customers"):
        seed_demo(demo_database_each_engine, demo_keyring)
    assert len(_rows(demo_database_each_engine, Customer)) == before
    assert [e.action for e in _rows(demo_database_each_engine, AuditEvent)].count("seed.demo") == 1


def test_the_same_now_gives_the_same_demo(
    sqlite_url: str, demo_keyring: KeyRing, demo_now: datetime, demo_database: Database
) -> None:
    fresh = open_database(sqlite_url, demo_keyring)
    try:
        seed_demo(fresh, demo_keyring, now=demo_now)
        columns = (
            Customer.account_number,
            Customer.full_name,
            Customer.phone_e164,
            Customer.email,
            Customer.id_number_hash,
            Customer.created_at,
            Customer.status,
        )

        def snapshot(database: Database) -> list[tuple]:
            with database.sessions() as session:
                people = session.execute(select(*columns).order_by(Customer.account_number)).all()
                money = session.execute(
                    select(Transaction.reference, Transaction.amount, Transaction.fee, Transaction.created_at).order_by(
                        Transaction.id
                    )
                ).all()
            return [*map(tuple, people), *map(tuple, money)]

        assert snapshot(fresh) == snapshot(demo_database)
    finally:
        fresh.dispose()


def test_the_demo_needs_an_aware_now(sqlite_database: Database, demo_keyring: KeyRing) -> None:
    with pytest.raises(ValueError, match="aware"):
        seed_demo(sqlite_database, demo_keyring, now=datetime(2026, 1, 1))
