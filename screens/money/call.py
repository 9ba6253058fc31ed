"""MoneyCall: the call a money tab works for, and the text helpers the tabs share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from console.i18n import _
from console.services.context import OnCall
from console.text import clean_text

# What a refusal looks like in a tab's notice.
WARNING = "$text-warning"
SUCCESS = "$text-success"


@dataclass(frozen=True)
class MoneyCall:
    """Who is asking, on which ticket, about which customer. The statement and disputes tabs exist only
    with a caller on a ticket; the fee schedule is public (ticket and customer None)."""

    agent_id: int
    ticket_id: int | None
    customer_id: int | None
    # The caller's account number, as the card shows it: a confirmation names the account it acts on.
    account_number: str = ""

    def at(self, now: datetime) -> OnCall:
        """This call as the services take it, at `now` (read from the console's clock)."""
        return OnCall(agent_id=self.agent_id, now=now, ticket_id=self.call_ticket_id, customer_id=self.customer_id)

    @property
    def call_ticket_id(self) -> int:
        assert self.ticket_id is not None, "the statement and disputes need a caller on a ticket"
        return self.ticket_id

    @property
    def caller_id(self) -> int:
        assert self.customer_id is not None, "the statement and disputes need a caller on a ticket"
        return self.customer_id


def moment_text(moment: datetime | None) -> str:
    return _("{moment:%Y-%m-%d %H:%M} UTC").format(moment=moment) if moment is not None else "-"


def typed_day(text: str, what: str) -> date | None:
    """A date the agent typed (YYYY-MM-DD), or None for an empty box; ValueError says what is wrong."""
    text = clean_text(text).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("{what} must be a date like 2026-11-20.").format(what=what)) from None
