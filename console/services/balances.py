"""The verified caller's balances, one line per asset: shown on the card only once a factor has passed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console.services.context import OnCall
from console.services.money import all_assets, format_money
from console.services.unit_of_work import unit_of_work
from models import Balance


@dataclass(frozen=True)
class BalanceLine:
    asset_code: str
    amount: int
    amount_text: str  # "1,234.56 CNY"


def caller_balances(sessions: sessionmaker[Session], call: OnCall) -> tuple[BalanceLine, ...]:
    """The caller's balance in each asset they hold, by asset code; refused (NotVerified) until the caller
    on this call has passed a factor, like every other view of the account. Audited as a view."""
    with unit_of_work(sessions, call, doing="see a caller's balances") as uow:
        session = uow.session
        uow.verified_caller()
        assets = all_assets(session)
        rows = session.scalars(
            select(Balance).where(Balance.customer_id == call.caller_id).order_by(Balance.asset_code)
        ).all()
        uow.record("balances.view", "customer", call.caller_id, {"ticket": call.ticket_id})
        return tuple(
            BalanceLine(row.asset_code, row.amount, format_money(row.amount, assets[row.asset_code])) for row in rows
        )
