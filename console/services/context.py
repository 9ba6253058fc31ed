"""Who acts, on which call, about whom, and when: the context every service command receives.

A screen builds one from what it shows and the console's one clock, and passes it whole:

    call = OnCall(agent_id=lina.id, ticket_id=ticket.id, customer_id=caller.id, now=clock())
    unlock_account(sessions, call, reason="Forgot the password")

A supervisor deciding or an admin managing has no call: `Actor(agent_id, now)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from console.i18n import _
from console.services.errors import InvalidInput


@dataclass(frozen=True)
class Actor:
    """An agent acting at one moment (the console's clock, read once for the whole command)."""

    agent_id: int
    now: datetime

    def at(self, now: datetime) -> Actor:
        """The same actor at another moment (the next key press reads the clock again)."""
        return replace(self, now=now)


@dataclass(frozen=True)
class OnCall(Actor):
    """An agent acting on their own call: the ticket, and the customer it is for once the caller is found."""

    ticket_id: int
    customer_id: int | None = None

    @property
    def caller_id(self) -> int:
        """The customer this call is about; refused in words while the caller is not found yet."""
        if self.customer_id is None:
            raise InvalidInput(_("Find the caller first: this call is not about a customer yet."))
        return self.customer_id

    def about(self, customer_id: int | None) -> OnCall:
        """The same call about another customer (the agent picked a different caller)."""
        return replace(self, customer_id=customer_id)

    def at(self, now: datetime) -> OnCall:
        return replace(self, now=now)
