"""The synthetic seed on both engines: right counts, balanced books, plausible people, unique numbers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
import pytest
from pypinyin import lazy_pinyin
from sqlalchemy import func, select, text

from console.db import Database, open_database
from console.keys import KeyRing, write_keyring
from console.seed import synthetic as synthetic_module
from console.seed.bulk import SeedIntegrityError
from console.seed.catalog import fee_rule
from console.seed.names import is_chinese, name_keys
from console.seed.synthetic import SyntheticSeedReport, seed_synthetic
from console.services import audit
from console.services.crypto import decrypt_totp_secret
from models import (
    AuditEvent,
    Balance,
    Customer,
    CustomerStatus,
    Direction,
    LedgerEntry,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from tests.support.postgres import ThrowawayPostgres

CUSTOMERS = 2_000
PER_CUSTOMER = 5
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEYS = KeyRing.generate()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, SyntheticSeedReport]]:
    """One synthetic load per engine, shared by the read-only tests below."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("synthetic") / "synthetic.db"
        shutil.copy(template, path)
        url, drop = f"sqlite:///{path}", None
    else:
        server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
        name = f"s_{uuid.uuid4().hex[:12]}"
        url = server.create_database(name, template=request.getfixturevalue("postgres_template"))
        drop = (server, name)
    report = seed_synthetic(url, CUSTOMERS, PER_CUSTOMER, keyring=KEYS, seed=7, now=NOW)
    database = open_database(url, KEYS)
    yield database, report
    database.dispose()
    if drop:
        drop[0].drop_database(drop[1])


def _count(database: Database, model: type) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _customers(database: Database) -> list[Customer]:
    with database.sessions() as session:
        return list(session.scalars(select(Customer).order_by(Customer.id)))


def test_counts_match_what_was_asked_for(seeded: tuple[Database, SyntheticSeedReport]) -> None:
    database, report = seeded
    assert _count(database, Customer) == CUSTOMERS == report.rows_in("customers")
    assert _count(database, Balance) == CUSTOMERS == report.rows_in("balances")
    assert _count(database, LedgerEntry) == CUSTOMERS == report.rows_in("ledger_entries")
    assert _count(database, Transaction) == CUSTOMERS * PER_CUSTOMER == report.rows_in("transactions")
    assert report.rows == CUSTOMERS * (3 + PER_CUSTOMER)
    assert report.seconds > 0 and report.rows_per_second > 0
    assert all(load.seconds > 0 for load in report.tables)


def test_every_balance_equals_the_sum_of_its_ledger_entries(
    seeded: tuple[Database, SyntheticSeedReport],
) -> None:
    database, _ = seeded
    with database.sessions() as session:
        sums = {
            (row[0], row[1]): row[2]
            for row in session.execute(
                select(LedgerEntry.customer_id, LedgerEntry.asset_code, func.sum(LedgerEntry.amount)).group_by(
                    LedgerEntry.customer_id, LedgerEntry.asset_code
                )
            )
        }
        balances = {(b.customer_id, b.asset_code): b.amount for b in session.scalars(select(Balance))}
    assert balances == sums and all(amount > 0 for amount in balances.values())


def test_account_numbers_are_unique_and_follow_on(seeded: tuple[Database, SyntheticSeedReport]) -> None:
    database, report = seeded
    numbers = [c.account_number for c in _customers(database)]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"OK\d{8}", n) for n in numbers)
    assert (report.first_account_number, report.last_account_number) == ("OK30000000", "OK30001999")


def test_names_look_real_and_their_search_keys_match(
    seeded: tuple[Database, SyntheticSeedReport],
) -> None:
    database, _ = seeded
    customers = _customers(database)
    regions = {c.region for c in customers}
    assert {"CN", "HK", "SG"} <= regions
    chinese = [c for c in customers if is_chinese(c.full_name)]
    latin = [c for c in customers if not is_chinese(c.full_name)]
    assert len(chinese) > len(customers) / 2 and latin
    for c in chinese:
        assert 2 <= len(c.full_name) <= 3
        assert c.name_pinyin == "".join(lazy_pinyin(c.full_name)), c.full_name
        assert c.name_initials == "".join(s[0] for s in lazy_pinyin(c.full_name))
    for c in latin:
        assert re.fullmatch(r"[A-Z][a-z]+( [A-Za-z][a-z]+)+", c.full_name), c.full_name
        assert (c.name_pinyin, c.name_initials) == name_keys(c.full_name)
    # Common names repeat, as they do in life: pick lists get exercised.
    assert len({c.full_name for c in chinese}) < len(chinese)


def test_phones_are_valid_for_the_region_and_unique(
    seeded: tuple[Database, SyntheticSeedReport],
) -> None:
    database, _ = seeded
    customers = _customers(database)
    phones = [c.phone_e164 for c in customers if c.phone_e164]
    assert len(set(phones)) == len(phones)
    assert 0 < len(customers) - len(phones) < len(customers) * 0.1
    for c in customers:
        if c.phone_e164 is None:
            assert not c.phone_bound and c.phone_last4 is None
            continue
        number = phonenumbers.parse(c.phone_e164)
        assert phonenumbers.is_valid_number(number), c.phone_e164
        assert phonenumbers.region_code_for_number(number) == c.region
        assert c.phone_bound and c.phone_last4 == c.phone_e164[-4:]


def test_emails_and_id_numbers_are_plausible_and_distinct(
    seeded: tuple[Database, SyntheticSeedReport],
) -> None:
    database, _ = seeded
    customers = _customers(database)
    emails = [c.email for c in customers]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9]+@[a-z0-9.]+\.[a-z]+", e or "") for e in emails)
    hashes = [c.id_number_hash for c in customers]
    assert len(set(hashes)) == len(hashes) and all(re.fullmatch(r"[0-9a-f]{64}", h or "") for h in hashes)
    cn_last4 = [c.id_last4 for c in customers if c.region == "CN"]
    assert all(re.fullmatch(r"\d{3}[\dX]", x or "") for x in cn_last4)
    assert any(x.endswith("X") for x in cn_last4 if x)


def test_some_have_two_factor_some_are_locked_or_closed(
    seeded: tuple[Database, SyntheticSeedReport],
) -> None:
    database, _ = seeded
    customers = _customers(database)
    with_2fa = [c for c in customers if c.two_factor_enabled]
    assert 0.05 < len(with_2fa) / len(customers) < 0.2
    secret = decrypt_totp_secret(KEYS.fernet(), with_2fa[0].id, with_2fa[0].totp_secret_encrypted or "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    statuses = {c.status for c in customers}
    assert statuses == set(CustomerStatus)
    for c in customers:
        assert (c.status is CustomerStatus.LOCKED) == (c.lock_reason is not None)


def test_statement_rows_are_consistent(seeded: tuple[Database, SyntheticSeedReport]) -> None:
    database, _ = seeded
    with database.sessions() as session:
        rows = list(session.scalars(select(Transaction)))
    assert {t.status for t in rows} >= {
        TransactionStatus.COMPLETED,
        TransactionStatus.DELAYED,
        TransactionStatus.FAILED,
    }
    assert {t.kind for t in rows} >= {
        TransactionKind.DEPOSIT,
        TransactionKind.WITHDRAWAL,
        TransactionKind.TRANSFER_IN,
        TransactionKind.TRANSFER_OUT,
    }
    for tx in rows:
        assert NOW - timedelta(days=91) <= tx.created_at <= NOW and tx.amount > 0
        if tx.status is TransactionStatus.COMPLETED:
            assert tx.completed_at is not None and tx.created_at <= tx.completed_at <= NOW
        if tx.status is TransactionStatus.DELAYED:
            assert tx.kind is TransactionKind.WITHDRAWAL and tx.expected_by < NOW
        if tx.kind in (TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL):
            rule = fee_rule(tx.method, tx.asset_code, Direction(tx.kind.value))
            assert tx.fee == rule.fee_for(tx.amount)


def test_the_load_is_audited(seeded: tuple[Database, SyntheticSeedReport]) -> None:
    database, _ = seeded
    with database.sessions() as session:
        events = list(session.scalars(select(AuditEvent)))
    assert [e.action for e in events] == ["seed.synthetic"]
    assert '"customers":2000' in events[0].details
    assert audit.verify_chain(database.sessions).ok


def test_new_rows_after_the_load_get_fresh_ids(seeded: tuple[Database, SyntheticSeedReport]) -> None:
    database, _ = seeded
    with database.sessions() as session:
        customer = Customer(
            account_number="OK99999999", full_name="测试", name_pinyin="ceshi", name_initials="cs", region="CN"
        )
        session.add(customer)
        session.flush()
        assert customer.id == CUSTOMERS + 1
        session.rollback()


def test_sqlite_indexes_are_all_back_after_the_load(sqlite_url: str, sqlite_template: Path) -> None:
    def indexes(url: str) -> list[tuple[str, str]]:
        database = open_database(url, KEYS)
        try:
            with database.sessions() as session:
                query = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
                return [tuple(row) for row in session.execute(query)]
        finally:
            database.dispose()

    before = indexes(sqlite_url)
    seed_synthetic(sqlite_url, 50, 2, keyring=KEYS)
    assert indexes(sqlite_url) == before


def test_a_row_that_breaks_a_check_constraint_rolls_the_whole_load_back(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic_module, "_standing", lambda *_: ("frozen", None, None, 0))
    with pytest.raises(SeedIntegrityError, match="customers"):
        seed_synthetic(sqlite_url, 30, 1, keyring=KEYS)
    database = open_database(sqlite_url, KEYS)
    try:
        assert _count(database, Customer) == 0 and _count(database, Transaction) == 0
    finally:
        database.dispose()


def test_synthetic_customers_join_a_demo_database_without_clashes(
    demo_database_each_engine: Database, demo_keyring: KeyRing
) -> None:
    database = demo_database_each_engine
    demo_customers = _count(database, Customer)
    url = database.engine.url.render_as_string(hide_password=False)
    first = seed_synthetic(url, 300, 2, keyring=demo_keyring, seed=1)
    second = seed_synthetic(url, 200, 2, keyring=demo_keyring, seed=1)
    assert (first.first_account_number, first.last_account_number) == ("OK30000000", "OK30000299")
    assert (second.first_account_number, second.last_account_number) == ("OK30000300", "OK30000499")
    customers = _customers(database)
    assert len(customers) == demo_customers + 500
    for column in ("account_number", "phone_e164", "email"):
        values = [getattr(c, column) for c in customers if getattr(c, column)]
        assert len(set(values)) == len(values), column
    with database.sessions() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions.count("seed.demo") == 1 and actions[-2:] == ["seed.synthetic", "seed.synthetic"]
    assert audit.verify_chain(database.sessions).ok


def test_the_same_seed_and_now_give_the_same_people_in_any_process(tmp_path: Path, sqlite_template: Path) -> None:
    """Two loads with the same seed hold the same people, even when Python hashes strings differently
    (another process, another PYTHONHASHSEED): nothing the seed draws depends on set or dict order."""
    keys_file = tmp_path / "keys.json"
    write_keyring(keys_file, KEYS)

    def load(name: str, hash_seed: str) -> list[tuple[object, ...]]:
        path = tmp_path / name
        shutil.copy(sqlite_template, path)
        script = (
            "import json, sys; from datetime import datetime; from console.keys import KeyRing;"
            " from console.seed.synthetic import seed_synthetic;"
            f" seed_synthetic('sqlite:///{path}', 200, 1, seed=3, now=datetime.fromisoformat('{NOW.isoformat()}'),"
            f" keyring=KeyRing.from_mapping(json.loads(open('{keys_file}').read())))"
        )
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script], check=True, env=env, capture_output=True, timeout=120)
        database = open_database(f"sqlite:///{path}", KEYS)
        try:
            with database.sessions() as session:
                people = select(
                    Customer.account_number,
                    Customer.full_name,
                    Customer.phone_e164,
                    Customer.email,
                    Customer.id_number_hash,
                    Customer.created_at,
                ).order_by(Customer.id)
                return [tuple(row) for row in session.execute(people)]
        finally:
            database.dispose()

    assert load("a.db", "1") == load("b.db", "2")


def test_too_many_customers_for_the_account_range_is_refused(sqlite_url: str) -> None:
    with pytest.raises(Exception, match="account numbers are left"):
        seed_synthetic(sqlite_url, 70_000_001, 0, keyring=KEYS)


def test_demo_accounts_sit_below_the_synthetic_range(demo_database: Database) -> None:
    assert all(c.account_number < "OK30000000" for c in _customers(demo_database))
