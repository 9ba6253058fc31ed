"""Reference data both seeds share: the assets, the published hotlines and the public fee schedule, and their writer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.services.errors import InvalidInput
from console.services.fees import fee_for
from console.services.money import parse_amount
from models import Asset, Direction, FeeSchedule, Hotline, PaymentMethod


@dataclass(frozen=True)
class AssetSpec:
    code: str
    name: str
    scale: int


ASSETS: tuple[AssetSpec, ...] = (
    AssetSpec("CNY", "Chinese yuan", 2),
    AssetSpec("USD", "US dollar", 2),
    AssetSpec("USDT", "Tether USD", 6),
    AssetSpec("BTC", "Bitcoin", 8),
    AssetSpec("ETH", "Ether", 9),
)
SCALES = {asset.code: asset.scale for asset in ASSETS}


def units(asset_code: str, amount: str) -> int:
    """Minor units from a decimal written as text ("12.50" CNY -> 1250); never goes through float."""
    try:
        return parse_amount(amount, SCALES[asset_code], asset_code, allow_zero=True)
    except InvalidInput as error:  # a typo in the reference data is a programming error here
        raise ValueError(str(error)) from None


@dataclass(frozen=True)
class HotlineSpec:
    code: str
    region: str
    number: str
    hours: str
    languages: str


HOTLINES: tuple[HotlineSpec, ...] = (
    HotlineSpec("CN", "Mainland China", "+864008205588", "08:00-22:00 Asia/Shanghai, daily", "zh-CN,en"),
    HotlineSpec("HK", "Hong Kong", "+85230018888", "09:00-21:00 Asia/Hong_Kong, daily", "zh-HK,en,zh-CN"),
    HotlineSpec("SG", "Singapore", "+6562223333", "09:00-18:00 Asia/Singapore, Mon-Sat", "en,zh-SG,ms"),
    HotlineSpec("INTL", "International", "+85230018999", "24 hours, UTC", "en,zh-CN"),
)


@dataclass(frozen=True)
class FeeRule:
    """One row of the public fee schedule; amounts in the asset's minor units."""

    method: PaymentMethod
    asset_code: str
    direction: Direction
    fee_fixed: int
    fee_rate_bp: int
    minimum_amount: int
    maximum_amount: int | None
    expected_hours: int
    notes: str | None = None

    def fee_for(self, amount: int) -> int:
        # The service's arithmetic, so the seeded fees are the ones the console quotes.
        return fee_for(self.fee_fixed, self.fee_rate_bp, amount)


def _rule(
    method: PaymentMethod,
    asset: str,
    direction: Direction,
    fixed: str,
    rate_bp: int,
    minimum: str,
    maximum: str | None,
    hours: int,
    notes: str | None = None,
) -> FeeRule:
    return FeeRule(
        method,
        asset,
        direction,
        units(asset, fixed),
        rate_bp,
        units(asset, minimum),
        None if maximum is None else units(asset, maximum),
        hours,
        notes,
    )


_BANK, _CARD, _CHAIN = PaymentMethod.BANK_TRANSFER, PaymentMethod.CREDIT_CARD, PaymentMethod.ON_CHAIN
_IN, _OUT = Direction.DEPOSIT, Direction.WITHDRAWAL

FEE_SCHEDULE: tuple[FeeRule, ...] = (
    _rule(_BANK, "CNY", _IN, "0", 0, "100", "500000", 2, "Bank transfer from a card in your own name"),
    _rule(_BANK, "CNY", _OUT, "2", 10, "100", "50000", 24, "Business days; 0.1% plus 2 CNY"),
    _rule(_BANK, "USD", _IN, "0", 0, "50", "100000", 24, "SWIFT or local transfer"),
    _rule(_BANK, "USD", _OUT, "15", 0, "50", "20000", 72, "Business days; intermediary banks may charge"),
    _rule(_CARD, "CNY", _IN, "0", 250, "100", "20000", 0, "Instant; card issuer may add cash-advance fees"),
    _rule(_CARD, "USD", _IN, "0", 300, "20", "5000", 0, "Instant; Visa and Mastercard"),
    _rule(_CHAIN, "USDT", _IN, "0", 0, "10", None, 1, "TRC-20 or ERC-20; after network confirmations"),
    _rule(_CHAIN, "USDT", _OUT, "1", 0, "10", "100000", 2, "TRC-20; network fee included"),
    _rule(_CHAIN, "BTC", _IN, "0", 0, "0.0005", None, 1, "After 2 confirmations"),
    _rule(_CHAIN, "BTC", _OUT, "0.0002", 0, "0.001", "5", 2, "Network fee included"),
    _rule(_CHAIN, "ETH", _IN, "0", 0, "0.005", None, 1, "After 12 confirmations"),
    _rule(_CHAIN, "ETH", _OUT, "0.002", 0, "0.01", "100", 2, "Network fee included"),
)


def fee_rule(method: PaymentMethod, asset_code: str, direction: Direction) -> FeeRule:
    for rule in FEE_SCHEDULE:
        if (rule.method, rule.asset_code, rule.direction) == (method, asset_code, direction):
            return rule
    raise KeyError(f"no fee rule for {method} {asset_code} {direction}")


def write_reference_data(session: Session) -> None:
    """Add whichever assets, hotlines and fee rules of the catalogue the database does not have yet."""
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
