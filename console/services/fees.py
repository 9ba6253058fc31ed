"""The public fee schedule and quotes: what a deposit or withdrawal costs, its limits, and how long it takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import _
from console.services.context import Actor
from console.services.errors import InvalidInput, NotFound, Refused
from console.services.labels import method_label
from console.services.money import AssetView, all_assets, asset, format_money, parse_amount
from console.services.unit_of_work import unit_of_work
from models import Direction, FeeSchedule, PaymentMethod, TicketStatus, TransactionKind, TransactionStatus

# Short words for refusals: "The minimum bank withdrawal is 100.00 CNY."
_METHOD_WORDS = {
    PaymentMethod.BANK_TRANSFER: "bank",
    PaymentMethod.CREDIT_CARD: "card",
    PaymentMethod.ON_CHAIN: "on-chain",
    PaymentMethod.INTERNAL: "internal",
}


def fee_for(rule_fixed: int, rule_rate_bp: int, amount: int) -> int:
    """The fee in minor units: the fixed part plus the rate in basis points, rounded down. Integers only."""
    return rule_fixed + amount * rule_rate_bp // 10_000


def rate_text(rate_bp: int) -> str:
    """Basis points as a percentage an agent can read out: 10 -> "0.10 %"."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole}.{part:02d} %"


def fee_text(fixed: int, rate_bp: int, view: AssetView) -> str:
    if fixed == 0 and rate_bp == 0:
        return _("Free")
    parts = ([format_money(fixed, view)] if fixed else []) + ([rate_text(rate_bp)] if rate_bp else [])
    return " + ".join(parts)


def expected_text(hours: int) -> str:
    if hours == 0:
        return _("instant")
    if hours % 24 == 0:
        days = hours // 24
        if days == 1:
            return _("1 business day ({hours} h)").format(hours=hours)
        return _("{days} business days ({hours} h)").format(days=days, hours=hours)
    return _("within 1 hour") if hours == 1 else _("within {hours} hours").format(hours=hours)


_E = TypeVar("_E", PaymentMethod, Direction, TransactionKind, TransactionStatus)


def choice(enum_type: type[_E], value: str, what: str) -> _E:
    """The member of `enum_type` named by `value`, or a refusal that lists the choices."""
    try:
        return enum_type(value)
    except ValueError:
        known = ", ".join(member.value for member in enum_type)
        raise InvalidInput(
            _("{value!r} is not a {what}; use one of: {known}.").format(value=str(value)[:24], what=what, known=known)
        ) from None


def asset_or_invalid(session: Session, code: str) -> AssetView:
    """The asset with this code (any case), or a refusal in the caller's words."""
    try:
        return asset(session, code.upper())
    except NotFound:
        raise InvalidInput(_("{code!r} is not an asset we hold.").format(code=code[:12])) from None


@dataclass(frozen=True)
class FeeRow:
    method: str
    method_label: str
    asset_code: str
    direction: str
    fee_text: str
    fee_fixed: int
    fee_rate_bp: int
    minimum: int
    minimum_text: str
    maximum: int | None
    maximum_text: str | None
    expected_hours: int
    expected_text: str
    notes: str | None

    @property
    def free(self) -> bool:
        return self.fee_fixed == 0 and self.fee_rate_bp == 0


def _fee_row(rule: FeeSchedule, view: AssetView) -> FeeRow:
    return FeeRow(
        method=rule.method.value,
        method_label=method_label(rule.method),
        asset_code=rule.asset_code,
        direction=rule.direction.value,
        fee_text=fee_text(rule.fee_fixed, rule.fee_rate_bp, view),
        fee_fixed=rule.fee_fixed,
        fee_rate_bp=rule.fee_rate_bp,
        minimum=rule.minimum_amount,
        minimum_text=format_money(rule.minimum_amount, view),
        maximum=rule.maximum_amount,
        maximum_text=None if rule.maximum_amount is None else format_money(rule.maximum_amount, view),
        expected_hours=rule.expected_hours,
        expected_text=expected_text(rule.expected_hours),
        notes=rule.notes,
    )


def fee_schedule(
    sessions: sessionmaker[Session],
    direction: str | None = None,
    asset_code: str | None = None,
    method: str | None = None,
) -> list[FeeRow]:
    """The public fee schedule (no verification needed), sorted by direction, asset and method."""
    with sessions() as session:
        query = select(FeeSchedule)
        if direction is not None:
            query = query.where(FeeSchedule.direction == choice(Direction, direction, "direction"))
        if asset_code is not None:
            query = query.where(FeeSchedule.asset_code == asset_or_invalid(session, asset_code).code)
        if method is not None:
            query = query.where(FeeSchedule.method == choice(PaymentMethod, method, _("payment method")))
        assets = all_assets(session)
        rows = [_fee_row(rule, assets[rule.asset_code]) for rule in session.scalars(query)]
    return sorted(rows, key=lambda row: (row.direction, row.asset_code, row.method))


def fee_rule(session: Session, method: PaymentMethod, asset_code: str, direction: Direction) -> FeeSchedule | None:
    return session.scalar(
        select(FeeSchedule).where(
            FeeSchedule.method == method,
            FeeSchedule.asset_code == asset_code,
            FeeSchedule.direction == direction,
        )
    )


def check_limits(rule: FeeSchedule, amount: int, view: AssetView) -> None:
    """Refuse an amount below the minimum or above the maximum of this rule."""
    what = f"{_METHOD_WORDS[rule.method]} {rule.direction.value}"
    if amount < rule.minimum_amount:
        raise Refused(
            _("The minimum {what} is {format_money}.").format(
                what=what, format_money=format_money(rule.minimum_amount, view)
            )
        )
    if rule.maximum_amount is not None and amount > rule.maximum_amount:
        raise Refused(
            _("The maximum {what} is {format_money}.").format(
                what=what, format_money=format_money(rule.maximum_amount, view)
            )
        )


@dataclass(frozen=True)
class FeeQuote:
    method: str
    asset_code: str
    direction: str
    amount: int
    amount_text: str
    fee: int
    fee_text: str
    # A deposit credits amount - fee; a withdrawal takes amount + fee from the balance and sends amount.
    net: int
    net_text: str
    expected_text: str


def quote(
    sessions: sessionmaker[Session],
    method: str,
    asset_code: str,
    direction: str,
    amount_text: str,
) -> FeeQuote:
    """What a deposit or withdrawal of this amount costs and what arrives (public, no verification)."""
    chosen_method = choice(PaymentMethod, method, _("payment method"))
    chosen_direction = choice(Direction, direction, "direction")
    with sessions() as session:
        view = asset_or_invalid(session, asset_code)
        amount = parse_amount(amount_text, view.scale, view.code)
        rule = fee_rule(session, chosen_method, view.code, chosen_direction)
        if rule is None:
            raise Refused(
                _("We do not offer {lower} {value}s in {code}.").format(
                    lower=method_label(chosen_method).lower(), value=chosen_direction.value, code=view.code
                )
            )
        check_limits(rule, amount, view)
        fee = fee_for(rule.fee_fixed, rule.fee_rate_bp, amount)
        net = amount - fee if chosen_direction == Direction.DEPOSIT else amount + fee
        return FeeQuote(
            chosen_method.value,
            view.code,
            chosen_direction.value,
            amount,
            format_money(amount, view),
            fee,
            format_money(fee, view),
            net,
            format_money(net, view),
            expected_text(rule.expected_hours),
        )


def fee_told(
    sessions: sessionmaker[Session],
    call: Actor,
    ticket_id: int,
    method: str,
    asset_code: str,
    direction: str,
) -> None:
    """Note on the agent's own ticket that a fee was read out to the caller (the schedule is public, so
    no verification; wrap-up reads it back as the call's subject)."""
    with unit_of_work(sessions, call, doing="work tickets") as uow:
        if uow.own_ticket(ticket_id).status == TicketStatus.CLOSED:
            raise Refused("This ticket is closed; a fee told now is not part of its call.")
        rule = fee_rule(
            uow.session,
            choice(PaymentMethod, method, "payment method"),
            asset_or_invalid(uow.session, asset_code).code,
            choice(Direction, direction, "direction"),
        )
        if rule is None:
            raise NotFound("No such line in the fee schedule.")
        uow.record(
            "fees.told", "ticket", ticket_id, {"method": method, "asset": rule.asset_code, "direction": direction}
        )
