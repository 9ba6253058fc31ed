"""The synthetic seed: millions of realistic customers and statement rows, bulk-loaded in one transaction."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.orm import Session

from console.db import KEYRING_INFO, make_engine
from console.keys import KeyRing
from console.seed.bulk import BulkLoader, Row, loader_for
from console.seed.catalog import ASSETS, SCALES, FeeRule, fee_rule
from console.seed.identity import IdNumbers
from console.seed.names import name_pools
from console.seed.numbering import Scrambler
from console.seed.phones import PhoneBook
from console.seed.statements import BANKS, BASE58, BECH32, CARDS
from console.services import audit
from console.services.crypto import encrypt_totp_secret
from console.services.errors import InvalidInput
from models import Customer, Direction, PaymentMethod

SYNTHETIC_SEED_ACTION = "seed.synthetic"
# Synthetic account numbers start here, clear of the demo's OK1xxxxxxx range.
FIRST_SYNTHETIC_ACCOUNT = 30_000_000
LAST_ACCOUNT = 99_999_999
CUSTOMERS_PER_BATCH = 50_000
LOADED_TABLES = ("customers", "balances", "ledger_entries", "transactions")

ProgressCallback = Callable[[str, int, int], None]

CUSTOMER_COLUMNS = (
    "id",
    "account_number",
    "full_name",
    "name_pinyin",
    "name_initials",
    "phone_e164",
    "phone_last4",
    "phone_bound",
    "email",
    "id_number_hash",
    "id_last4",
    "region",
    "status",
    "lock_reason",
    "locked_at",
    "failed_password_count",
    "totp_secret_encrypted",
    "created_at",
)
BALANCE_COLUMNS = ("id", "customer_id", "asset_code", "amount")
LEDGER_COLUMNS = (
    "id",
    "journal_id",
    "customer_id",
    "asset_code",
    "amount",
    "kind",
    "description",
    "created_at",
)
TRANSACTION_COLUMNS = (
    "id",
    "customer_id",
    "asset_code",
    "kind",
    "method",
    "status",
    "amount",
    "fee",
    "reference",
    "counterparty",
    "journal_id",
    "created_at",
    "completed_at",
    "expected_by",
)

# Where customers live (weights in per cent) and which asset their wallet mostly holds.
REGION_WEIGHTS = (("CN", 70), ("HK", 12), ("SG", 12), ("MY", 2), ("US", 2), ("GB", 1), ("AU", 1))
MAIN_ASSET_WEIGHTS = {
    "CN": (("CNY", 80), ("USDT", 15), ("BTC", 5)),
    "HK": (("USD", 70), ("USDT", 20), ("ETH", 10)),
    "SG": (("USD", 70), ("USDT", 20), ("ETH", 10)),
}
OTHER_MAIN_ASSET_WEIGHTS = (("USD", 80), ("BTC", 20))
EMAIL_DOMAINS = {
    "CN": ("qq.com", "163.com", "126.com", "sina.com", "outlook.com"),
    "HK": ("gmail.com", "yahoo.com.hk", "netvigator.com", "outlook.com"),
    "SG": ("gmail.com", "singnet.com.sg", "hotmail.com", "outlook.com"),
}
OTHER_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "icloud.com", "yahoo.com")
# Amounts moved, and opening balances, in whole units of the asset (drawn log-uniformly).
MOVE_RANGE = {"CNY": (50, 20_000), "USD": (10, 5_000), "USDT": (10, 5_000), "BTC": (0.001, 0.5), "ETH": (0.01, 5)}
OPENING_RANGE = {"CNY": (100, 200_000), "USD": (20, 50_000), "USDT": (20, 50_000), "BTC": (0.001, 3), "ETH": (0.01, 40)}
STATEMENT_DAYS = 90
TWO_FACTOR_SHARE = 0.10
NO_PHONE_SHARE = 0.03


@dataclass(frozen=True)
class TableLoad:
    table: str
    rows: int
    # Generating the rows plus inserting them; index rebuilds and the commit are counted apart.
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class SyntheticSeedReport:
    engine: str
    tables: tuple[TableLoad, ...]
    # Rebuilding indexes, checking constraints and committing, after the last row went in.
    finishing_seconds: float
    seconds: float
    first_account_number: str
    last_account_number: str

    @property
    def rows(self) -> int:
        return sum(load.rows for load in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def rows_in(self, table: str) -> int:
        return next((load.rows for load in self.tables if load.table == table), 0)


def seed_synthetic(
    database_url: str,
    customers: int,
    transactions_per_customer: int = 5,
    *,
    keyring: KeyRing,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> SyntheticSeedReport:
    """Add `customers` customers, each with a balance, its opening entry and statement rows.

    Runs as one transaction on a migrated database of either engine, empty or not (a demo
    database too: the account numbers continue above everything already there). On SQLite that
    transaction holds the write lock for the whole load, so run it while no console is writing.
    """
    if customers < 1 or transactions_per_customer < 0:
        raise InvalidInput("Give at least one customer and zero or more transactions each.")
    now = now or datetime.now(UTC)
    started = time.perf_counter()
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_bulk_settings)
    try:
        with engine.connect() as connection:
            with connection.begin():
                loader = loader_for(connection)
                _ensure_assets(connection)
                first_account = _first_free_account(connection, customers)
                first_ids = {table: loader.next_id(table) for table in LOADED_TABLES}
                rows = _RowMaker(keyring, seed, now, first_account, first_ids)
                timer = _TableTimer()
                with loader.loading(LOADED_TABLES, first_ids):
                    _load(loader, rows, customers, transactions_per_customer, timer, progress)
                    finish_started = time.perf_counter()
                last_account = first_account + customers - 1
                details = {
                    "customers": customers,
                    "transactions_per_customer": transactions_per_customer,
                    "seed": seed,
                    "accounts": f"OK{first_account}-OK{last_account}",
                }
                _record(connection, keyring, details, now)
            if engine.dialect.name == "sqlite":
                # Fold the large write-ahead log back into the file so it does not linger on disk
                # (on the DBAPI connection: a checkpoint cannot run inside a transaction).
                # SQLAlchemy types the driver's connection Any | None; here it is sqlite3's, connected.
                driver: Any = connection.connection.driver_connection
                driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    finished = time.perf_counter()
    return SyntheticSeedReport(
        engine=engine.dialect.name,
        tables=timer.loads(),
        finishing_seconds=finished - finish_started,
        seconds=finished - started,
        first_account_number=f"OK{first_account}",
        last_account_number=f"OK{last_account}",
    )


def _sqlite_bulk_settings(dbapi_connection: object, _record: object) -> None:
    # A seed can simply be run again, so it does not wait for the disk on each commit; WAL stays.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.execute("PRAGMA cache_size = -1048576")  # 1 GiB of page cache, in KiB
    cursor.execute("PRAGMA temp_store = MEMORY")  # index rebuilds sort in memory
    cursor.close()


def _ensure_assets(connection: Connection) -> None:
    known = set(connection.scalars(text("SELECT code FROM assets")))
    for asset in ASSETS:
        if asset.code not in known:
            connection.execute(
                text("INSERT INTO assets (code, name, scale) VALUES (:code, :name, :scale)"),
                {"code": asset.code, "name": asset.name, "scale": asset.scale},
            )


def _first_free_account(connection: Connection, customers: int) -> int:
    highest = connection.scalar(
        select(func.max(Customer.account_number)).where(Customer.account_number.like("OK________"))
    )
    first = FIRST_SYNTHETIC_ACCOUNT
    if highest and highest[2:].isdigit():
        first = max(first, int(highest[2:]) + 1)
    if first + customers - 1 > LAST_ACCOUNT:
        raise InvalidInput(
            f"Only {LAST_ACCOUNT - first + 1:,} account numbers are left above OK{first - 1};"
            f" {customers:,} customers do not fit."
        )
    return first


def _record(connection: Connection, keyring: KeyRing, details: dict[str, object], now: datetime) -> None:
    # The session joins the load's transaction, so the audit event commits (or not) with the rows.
    with Session(bind=connection, info={KEYRING_INFO: keyring}) as session:
        audit.record(
            session,
            actor="system",
            action=SYNTHETIC_SEED_ACTION,
            subject_type="database",
            details=details,
            now=now,
        )
        session.flush()


class _TableTimer:
    def __init__(self) -> None:
        self.rows: dict[str, int] = dict.fromkeys(LOADED_TABLES, 0)
        self.seconds: dict[str, float] = dict.fromkeys(LOADED_TABLES, 0.0)

    def add(self, table: str, rows: int, seconds: float) -> None:
        self.rows[table] += rows
        self.seconds[table] += seconds

    def loads(self) -> tuple[TableLoad, ...]:
        return tuple(TableLoad(t, self.rows[t], self.seconds[t]) for t in LOADED_TABLES)


def _load(
    loader: BulkLoader,
    rows: _RowMaker,
    customers: int,
    per_customer: int,
    timer: _TableTimer,
    progress: ProgressCallback | None,
) -> None:
    done = 0
    while done < customers:
        batch = min(CUSTOMERS_PER_BATCH, customers - done)
        clock = time.perf_counter()
        people = rows.customers(done, batch)
        loader.insert("customers", CUSTOMER_COLUMNS, people)
        timer.add("customers", batch, time.perf_counter() - clock)

        clock = time.perf_counter()
        balances, openings = rows.balances_and_openings(done, people)
        loader.insert("balances", BALANCE_COLUMNS, balances)
        timer.add("balances", batch, time.perf_counter() - clock)
        clock = time.perf_counter()
        loader.insert("ledger_entries", LEDGER_COLUMNS, openings)
        timer.add("ledger_entries", batch, time.perf_counter() - clock)

        clock = time.perf_counter()
        statement = rows.transactions(done, balances, per_customer)
        loader.insert("transactions", TRANSACTION_COLUMNS, statement)
        timer.add("transactions", batch * per_customer, time.perf_counter() - clock)
        done += batch
        if progress is not None:
            progress("customers", done, customers)


class _RowMaker:
    """Turns customer indexes into row tuples: every pool and lookup is prepared once, up front."""

    def __init__(
        self,
        keyring: KeyRing,
        seed: int,
        now: datetime,
        first_account: int,
        first_ids: dict[str, int],
    ) -> None:
        self.rng = random.Random(f"synthetic:{seed}:{first_account}")
        self.fernet: MultiFernet = keyring.fernet()
        self.id_hasher = hmac.new(keyring.hmac_key, b"id-number\x00", hashlib.sha256)
        self.first_account = first_account
        self.first_ids = first_ids
        self.pools = name_pools()
        self.phones = PhoneBook(seed)
        self.id_numbers = IdNumbers(seed)
        self.email_numbers = Scrambler.seeded(10**7, seed, "email")
        self.qq_numbers = Scrambler.seeded(9 * 10**8, seed, "qq")
        self.regions = [r for r, _ in REGION_WEIGHTS]
        self.region_weights = list(itertools.accumulate(w for _, w in REGION_WEIGHTS))
        # UUID-shaped journal ids: random per run, then the entry id, so they never repeat.
        bits = self.rng.getrandbits
        self.journal_prefix = f"{bits(32):08x}-{bits(16):04x}-4{bits(12):03x}-8{bits(12):03x}-"
        self.clock = _MinuteClock(now, STATEMENT_DAYS + 1, 5)
        # Accounts opened over the last six years, at half-hour steps.
        self.account_days = _MinuteClock(now, 6 * 365, 0, step_minutes=30)
        # ... and all before the statement window starts, so no row predates its account.
        self.opened_slots = self.account_days.past_slots - (STATEMENT_DAYS + 1) * 48
        self.patterns = {asset.code: _StatementPatterns(asset.code, self.rng) for asset in ASSETS}
        self.openings = {code: _amount_pool(self.rng, code, *OPENING_RANGE[code]) for code in SCALES}

    # ---- customers ---------------------------------------------------------------------------

    def customers(self, start: int, count: int) -> list[Row]:
        rng = self.rng
        regions = rng.choices(self.regions, cum_weights=self.region_weights, k=count)
        names = {
            region: iter(self.pools.names_for_region(rng, region, regions.count(region)))
            for region in dict.fromkeys(regions)
        }
        first_id = self.first_ids["customers"] + start
        id_hasher, phones, ids, fernet = self.id_hasher, self.phones, self.id_numbers, self.fernet
        random_ = rng.random
        rows: list[Row] = []
        for offset, region in enumerate(regions):
            index = start + offset
            customer_id = first_id + offset
            full_name, pinyin, initials = next(names[region])
            if random_() < NO_PHONE_SHARE:
                phone = last4 = None
            else:
                phone = phones.number(region, self.first_account - FIRST_SYNTHETIC_ACCOUNT + index)
                last4 = phone[-4:]
            id_number = ids.number(region, self.first_account + index)
            hasher = id_hasher.copy()
            hasher.update(id_number.encode())
            status, lock_reason, locked_at, failures = _standing(random_(), self.clock, rng)
            secret = None
            if random_() < TWO_FACTOR_SHARE:
                # The same alphabet and length as pyotp.random_base32(), without its per-character loop.
                plain = base64.b32encode(os.urandom(20)).decode()
                secret = encrypt_totp_secret(fernet, customer_id, plain)
            rows.append(
                (
                    customer_id,
                    f"OK{self.first_account + index}",
                    full_name,
                    pinyin,
                    initials,
                    phone,
                    last4,
                    phone is not None,
                    self._email(region, pinyin, index),
                    hasher.hexdigest(),
                    id_number[-4:],
                    region,
                    status,
                    lock_reason,
                    locked_at,
                    failures,
                    secret,
                    self.account_days.at(rng.randrange(self.opened_slots)),
                )
            )
        return rows

    def _email(self, region: str, pinyin: str, index: int) -> str:
        domains = EMAIL_DOMAINS.get(region, OTHER_EMAIL_DOMAINS)
        domain = domains[index % len(domains)]
        if domain == "qq.com":  # QQ mail addresses are the QQ number itself
            return f"{10**8 + self.qq_numbers(self.first_account + index)}@qq.com"
        # The number after the name is unique per customer, so no two addresses are the same.
        return f"{pinyin}{self.email_numbers(self.first_account + index)}@{domain}"

    # ---- money -------------------------------------------------------------------------------

    def balances_and_openings(self, start: int, people: list[Row]) -> tuple[list[Row], list[Row]]:
        rng = self.rng
        balance_id = self.first_ids["balances"] + start
        entry_id = self.first_ids["ledger_entries"] + start
        prefix = self.journal_prefix
        balances: list[Row] = []
        openings: list[Row] = []
        for offset, person in enumerate(people):
            customer_id, region, created_at = person[0], person[11], person[17]
            asset = _main_asset(rng, region)
            amount = self.openings[asset][rng.getrandbits(12)]
            balances.append((balance_id + offset, customer_id, asset, amount))
            openings.append(
                (
                    entry_id + offset,
                    f"{prefix}{entry_id + offset:012x}",
                    customer_id,
                    asset,
                    amount,
                    "opening",
                    "Opening balance",
                    created_at,
                )
            )
        return balances, openings

    def transactions(self, start: int, balances: list[Row], per_customer: int) -> Iterator[Row]:
        rng = self.rng
        getrandbits = rng.getrandbits
        random_ = rng.random
        clock = self.clock
        at = clock.at
        last = clock.past_slots - 1  # the last whole minute before now
        tx_id = self.first_ids["transactions"] + start * per_customer
        for _balance_id, customer_id, asset, _amount in balances:
            patterns = self.patterns[asset]
            for _ in range(per_customer):
                kind, method, rule, prefix, counterparties, amounts, delay = patterns.draw(getrandbits)
                amount = amounts[getrandbits(12)]
                fee = rule.fee_for(amount) if rule else 0
                roll = random_()
                expected = rule.expected_hours * 60 if rule else 0
                if roll < 0.95 or kind in ("transfer_in", "transfer_out", "fee"):
                    slot = getrandbits(17) % clock.past_slots
                    created_at = at(slot)
                    status = "completed"
                    # Done some minutes later; same moment for wallet-internal rows (and just now).
                    done = slot + delay
                    completed_at = at(done) if delay and done <= last else created_at
                elif roll < 0.975:
                    # Failed rows can be from any day; nothing moved.
                    slot = getrandbits(17) % clock.past_slots
                    created_at, status, completed_at = at(slot), "failed", None
                elif kind == "withdrawal" and roll < 0.985:
                    # Past its expected time and still not paid out.
                    slot = last - expected - 60 - getrandbits(12)
                    created_at, status, completed_at = at(slot), "delayed", None
                else:
                    # Asked for recently and still on its way.
                    slot = last - getrandbits(10) % max(expected, 30)
                    status = "processing" if kind == "withdrawal" else "pending"
                    created_at, completed_at = at(slot), None
                yield (
                    tx_id,
                    customer_id,
                    asset,
                    kind,
                    method,
                    status,
                    amount,
                    fee,
                    f"{prefix}{tx_id:012d}",
                    counterparties[getrandbits(9)],
                    None,
                    created_at,
                    completed_at,
                    at(slot + expected) if kind == "withdrawal" else None,
                )
                tx_id += 1


class _MinuteClock:
    """Timestamps as the text SQLite stores (and PostgreSQL reads), one per slot, formatted once."""

    def __init__(self, now: datetime, days_back: int, days_ahead: int, step_minutes: int = 1) -> None:
        now = now.astimezone(UTC).replace(second=0, microsecond=0)
        step = timedelta(minutes=step_minutes)
        start = now - timedelta(days=days_back)
        # Slots below past_slots are whole minutes (or steps) before now, seconds included.
        self.past_slots = days_back * 24 * 60 // step_minutes
        total = self.past_slots + days_ahead * 24 * 60 // step_minutes + 1
        self._text = [(start + step * i).strftime("%Y-%m-%d %H:%M") for i in range(total)]
        self._seconds = [f":{s:02d}.000000" for s in range(60)]
        self._tick = 0

    def at(self, slot: int) -> str:
        self._tick = (self._tick + 7) % 60  # varied seconds without another random draw
        return self._text[max(0, slot)] + self._seconds[self._tick]


def _standing(roll: float, clock: _MinuteClock, rng: random.Random) -> tuple[str, str | None, str | None, int]:
    """Most accounts are active; about 1.5 % are locked (for each reason) and 1 % closed."""
    if roll < 0.975:
        return "active", None, None, 0
    if roll < 0.99:
        reason = ("password_failures", "abnormal_login", "risk")[int(roll * 10_000) % 3]
        locked_at = clock.at(clock.past_slots - 1 - rng.randrange(30 * 24 * 60))
        return "locked", reason, locked_at, 5 if reason == "password_failures" else 0
    return "closed", None, None, 0


def _main_asset(rng: random.Random, region: str) -> str:
    weights = MAIN_ASSET_WEIGHTS.get(region, OTHER_MAIN_ASSET_WEIGHTS)
    roll = rng.randrange(100)
    for asset, weight in weights:
        if roll < weight:
            return asset
        roll -= weight
    return weights[0][0]


def _amount_pool(rng: random.Random, asset: str, low: float, high: float) -> list[int]:
    """4,096 amounts spread log-uniformly over the range, rounded to a sensible step for the asset."""
    scale = SCALES[asset]
    step = {"CNY": 100, "USD": 100, "USDT": 10**6, "BTC": 10**4, "ETH": 10**6}[asset]
    pool = []
    for _ in range(4096):
        # Floats only pick the magnitude; every stored amount is an integer of minor units.
        value = int(low * 10**scale * (high / low) ** rng.random())
        pool.append(max(step, value // step * step))
    return pool


class _StatementPatterns:
    """The kinds of statement line an asset has, by share, each with its method, fee rule and pools."""

    def __init__(self, asset: str, rng: random.Random) -> None:
        crypto = asset in ("USDT", "BTC", "ETH")
        deposit_methods = (
            [(PaymentMethod.ON_CHAIN, 40)]
            if crypto
            else [(PaymentMethod.BANK_TRANSFER, 30), (PaymentMethod.CREDIT_CARD, 10)]
        )
        withdrawal = PaymentMethod.ON_CHAIN if crypto else PaymentMethod.BANK_TRANSFER
        amounts = _amount_pool(rng, asset, *MOVE_RANGE[asset])
        small = [max(1, a // 100) for a in amounts]
        # (kind, method, fee rule, reference prefix, counterparties, amounts, hours to settle), share
        entries: list[tuple[tuple[str, str, FeeRule | None, str, list[str], list[int], int], int]] = []
        for method, share in deposit_methods:
            rule = fee_rule(method, asset, Direction.DEPOSIT)
            entries.append(
                (
                    (
                        "deposit",
                        method.value,
                        rule,
                        "DP",
                        _counterparties(rng, asset, method),
                        amounts,
                        rule.expected_hours * 30 + 1,
                    ),
                    share,
                )
            )
        rule = fee_rule(withdrawal, asset, Direction.WITHDRAWAL)
        entries.append(
            (
                (
                    "withdrawal",
                    withdrawal.value,
                    rule,
                    "WD",
                    _counterparties(rng, asset, withdrawal),
                    amounts,
                    rule.expected_hours * 30 + 1,
                ),
                33,
            )
        )
        accounts = _counterparties(rng, asset, PaymentMethod.INTERNAL)
        entries.append((("transfer_in", "internal", None, "TF", accounts, amounts, 0), 11))
        entries.append((("transfer_out", "internal", None, "TF", accounts, amounts, 0), 11))
        fees = [f"OK Wallet: {what}" for what in ("Paper statement fee", "Currency conversion fee")]
        entries.append((("fee", "internal", None, "FE", fees * 256, small, 0), 5))
        # A table of 4,096 draws in proportion to the shares: one getrandbits() picks a pattern.
        total = sum(share for _, share in entries)
        self._table = []
        for pattern, share in entries:
            self._table += [pattern] * (4096 * share // total)
        self._table += [entries[0][0]] * (4096 - len(self._table))

    def draw(self, getrandbits: Callable[[int], int]) -> tuple:  # type: ignore[type-arg]
        return self._table[getrandbits(12)]


def _counterparties(rng: random.Random, asset: str, method: PaymentMethod) -> list[str]:
    """512 masked banks, cards, addresses or wallet accounts, as a statement shows the other side."""
    out = []
    for _ in range(512):
        if method is PaymentMethod.BANK_TRANSFER:
            out.append(f"{rng.choice(BANKS[asset])} ****{rng.randrange(10_000):04d}")
        elif method is PaymentMethod.CREDIT_CARD:
            out.append(f"{rng.choice(CARDS)} ****{rng.randrange(10_000):04d}")
        elif method is PaymentMethod.INTERNAL:
            name = name_pools().names_for_region(rng, "CN", 1)[0][0]
            out.append(f"{name} (OK{rng.randrange(FIRST_SYNTHETIC_ACCOUNT, LAST_ACCOUNT)})")
        elif asset == "BTC":
            out.append("bc1q" + "".join(rng.choices(BECH32, k=38)))
        elif asset == "ETH":
            out.append("0x" + "".join(rng.choices("0123456789abcdef", k=40)))
        else:  # USDT on TRON
            out.append("T" + "".join(rng.choices(BASE58, k=33)))
    return out
