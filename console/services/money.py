"""Exact money: amounts typed by an agent parsed to integer minor units, shown with the asset's scale,
and the one way money moves: an appended ledger entry with its balance kept in step.

No float anywhere: parsing works on the digits of the text, formatting on integer division.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from console.i18n import _
from console.services.driver import run
from console.services.errors import InvalidInput, NotFound
from models import Asset, Balance, Customer, EntryKind, LedgerEntry

# The largest magnitude a BIGINT column holds.
MAX_MINOR_UNITS = 2**63 - 1

# "1234", "1,234.56", "-0.5", ".5" (commas only as thousands separators, in groups of three).
_AMOUNT = re.compile(r"^(?P<sign>[+-]?)(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]*))?$")


@dataclass(frozen=True)
class AssetView:
    code: str
    name: str
    scale: int


def parse_amount(
    text: str,
    scale: int,
    asset_code: str = "",
    *,
    allow_negative: bool = False,
    allow_zero: bool = False,
) -> int:
    """The minor units of an amount typed in major units: "12.34" at scale 2 is 1234.

    Refuses, in plain words: anything that is not a plain decimal number, more decimals than the
    asset has, a negative or zero amount where it makes no sense, and amounts too large to store.
    """
    what = _("{code} amount").format(code=asset_code) if asset_code else _("amount")
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("_", "")
    if not cleaned:
        raise InvalidInput(_("Enter an {what}.").format(what=what))
    match = _AMOUNT.match(cleaned)
    if match is None or not (match["whole"] or match["fraction"]):
        raise InvalidInput(
            _("{cleaned!r} is not an amount; type digits with at most one decimal point, like 12.50.").format(
                cleaned=cleaned[:24]
            )
        )
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > scale:
        if scale == 0:
            places = _("no decimal places")
        elif scale == 1:
            places = _("at most 1 decimal place")
        else:
            places = _("at most {scale} decimal places").format(scale=scale)
        raise InvalidInput(
            _("{value} takes {places}; {cleaned!r} has more.").format(
                value=asset_code or _("This asset"), places=places, cleaned=cleaned
            )
        )
    whole = int(match["whole"].replace(",", "") or "0")
    minor: int = whole * 10**scale + int(fraction.ljust(scale, "0") or "0")
    if match["sign"] == "-":
        minor = -minor
    if minor > MAX_MINOR_UNITS or minor < -MAX_MINOR_UNITS:
        raise InvalidInput(_("That {what} is too large.").format(what=what))
    if minor < 0 and not allow_negative:
        raise InvalidInput(_("The {what} cannot be negative.").format(what=what))
    if minor == 0 and not allow_zero:
        raise InvalidInput(_("The {what} must be more than zero.").format(what=what))
    return minor


def format_amount(minor: int, scale: int) -> str:
    """Minor units in major units with the asset's scale and thousands separators: 123456 -> "1,234.56"."""
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**scale)
    text = f"{sign}{whole:,}"
    return f"{text}.{fraction:0{scale}d}" if scale else text


def format_money(minor: int, asset: AssetView) -> str:
    return f"{format_amount(minor, asset.scale)} {asset.code}"


def asset(session: Session, code: str) -> AssetView:
    """The asset with its scale, read once per database by each console: an asset is only ever added
    (by the catalog seed), never changed, and every money command asks for its scale."""
    known = _KNOWN_ASSETS.setdefault(session.get_bind(), {})
    view = known.get(code)
    if view is None:
        row = session.get(Asset, code)
        if row is None:
            raise NotFound(_("No asset {code!r}.").format(code=code))  # not remembered: the seed may add it later
        view = known[code] = AssetView(row.code, row.name, row.scale)
    return view


# The assets read so far, per engine (a console talks to one database; tests open many).
_KNOWN_ASSETS: WeakKeyDictionary[object, dict[str, AssetView]] = WeakKeyDictionary()


def all_assets(session: Session) -> dict[str, AssetView]:
    return {row.code: AssetView(row.code, row.name, row.scale) for row in session.scalars(select(Asset))}


def lock_customer(session: Session, customer_id: int) -> Customer:
    """Take the customer's row lock for the rest of the transaction: every money command for one
    customer runs one at a time, so cumulative limits and balances are read and written without a
    race. On PostgreSQL this is SELECT ... FOR NO KEY UPDATE: it queues every other money command for
    the customer as FOR UPDATE would, but not the rows merely filed under the customer meanwhile (a
    dispute, a message, a ledger entry: their foreign key takes a KEY SHARE lock on the customer's row,
    which FOR UPDATE blocks too). SQLite's BEGIN IMMEDIATE already serializes every writer."""
    customer = session.execute(
        _LOCK_CUSTOMER, {"customer_id": customer_id}, execution_options={"populate_existing": True}
    ).scalar_one_or_none()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


_LOCK_CUSTOMER = select(Customer).where(Customer.id == bindparam("customer_id")).with_for_update(key_share=True)


def post_entry(
    session: Session,
    *,
    customer_id: int,
    asset_code: str,
    amount: int,
    kind: EntryKind,
    description: str,
    journal_id: str,
    now: datetime,
    idempotency_key: str | None = None,
    agent_id: int | None = None,
) -> int:
    """Append one signed ledger entry and move the balance by the same amount; returns the entry id.

    The caller holds `lock_customer` for this customer. The balance moves by an in-place increment
    (never read-modify-write), so even without the lock no update could be lost.
    """
    if amount == 0:
        raise InvalidInput(_("A ledger entry cannot be for zero."))
    # Core statements straight on the connection: no ORM object is made or changed here. What the
    # session holds unwritten goes first, as `Session.execute` would do (unless told not to).
    if session.autoflush:
        session.flush()
    entry_id = run(
        session,
        _NEW_ENTRY,
        {
            "journal_id": journal_id,
            "customer_id": customer_id,
            "asset_code": asset_code,
            "amount": amount,
            "kind": kind,
            "description": description[:255],
            "idempotency_key": idempotency_key,
            "created_by_agent_id": agent_id,
            "created_at": now,
        },
    ).scalar()
    moved = run(session, _MOVE_BALANCE, {"of_customer": customer_id, "in_asset": asset_code, "by": amount})
    if moved.rowcount == 0:
        session.connection().execute(
            insert(Balance).values(customer_id=customer_id, asset_code=asset_code, amount=amount)
        )
    return int(entry_id)


# Built once: every posted entry sends these two.
_NEW_ENTRY = insert(LedgerEntry).returning(LedgerEntry.id)
_MOVE_BALANCE = (
    update(Balance)
    .where(Balance.customer_id == bindparam("of_customer"), Balance.asset_code == bindparam("in_asset"))
    .values(amount=Balance.amount + bindparam("by", type_=BigInteger), version=Balance.version + 1)
)


def balance_of(session: Session, customer_id: int, asset_code: str) -> int:
    return (
        session.scalar(
            select(Balance.amount).where(Balance.customer_id == customer_id, Balance.asset_code == asset_code)
        )
        or 0
    )


@dataclass(frozen=True)
class LedgerMismatch:
    customer_id: int
    asset_code: str
    balance: int
    entries_sum: int


def ledger_mismatches(session: Session, customer_ids: list[int] | None = None) -> list[LedgerMismatch]:
    """Every balance that differs from the sum of its ledger entries (empty when the books balance)."""
    sums = select(
        LedgerEntry.customer_id, LedgerEntry.asset_code, func.sum(LedgerEntry.amount).label("total")
    ).group_by(LedgerEntry.customer_id, LedgerEntry.asset_code)
    balances = select(Balance.customer_id, Balance.asset_code, Balance.amount)
    if customer_ids is not None:
        sums = sums.where(LedgerEntry.customer_id.in_(customer_ids))
        balances = balances.where(Balance.customer_id.in_(customer_ids))
    totals = {(row.customer_id, row.asset_code): int(row.total) for row in session.execute(sums)}
    held = {(row.customer_id, row.asset_code): row.amount for row in session.execute(balances)}
    return [
        LedgerMismatch(customer_id, asset_code, held.get(key, 0), totals.get(key, 0))
        for key in sorted(totals.keys() | held.keys())
        for customer_id, asset_code in [key]
        if held.get(key, 0) != totals.get(key, 0)
    ]
