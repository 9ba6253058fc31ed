"""LeaveCallDialog: quitting, logging out or locking with a call open asks first, saying what becomes of the call."""

from __future__ import annotations

from typing import Literal

from console.i18n import _
from screens.confirm import ConfirmAction

Leaving = Literal["quit", "log_out", "lock"]


def _title(leaving: Leaving) -> str:
    if leaving == "quit":
        return _("Quit with a call open?")
    if leaving == "log_out":
        return _("Log out with a call open?")
    return _("Lock the console with a call open?")


def _go_on(leaving: Leaving) -> str:
    if leaving == "quit":
        return _("Quit")
    if leaving == "log_out":
        return _("Log out")
    return _("Lock")


def what_becomes_of_the_call(leaving: Leaving, ticket_id: int, caller: str | None) -> str:
    """The sentence the dialog says: the call stays open on its ticket, and when the agent sees it again."""
    if leaving == "lock":
        if caller:
            return _("The call with {caller} stays open on ticket #{ticket}; it is here when you unlock.").format(
                caller=caller, ticket=ticket_id
            )
        return _("Your call stays open on ticket #{ticket}; it is here when you unlock.").format(ticket=ticket_id)
    if caller:
        return _("The call with {caller} stays open on ticket #{ticket}; it comes back when you log in again.").format(
            caller=caller, ticket=ticket_id
        )
    return _("Your call stays open on ticket #{ticket}; it comes back when you log in again.").format(ticket=ticket_id)


class LeaveCallDialog(ConfirmAction):
    """The confirmation, saying what happens to the open call; True to go on (Enter), False to stay (Escape).

    `caller` is the caller's masked number or name as the workspace shows it; None says "your call"
    (on the lock screen, where nobody has typed a password, the caller is not named).
    """

    def __init__(self, leaving: Leaving, ticket_id: int, caller: str | None) -> None:
        super().__init__(
            _title(leaving),
            what_becomes_of_the_call(leaving, ticket_id, caller),
            yes=_go_on(leaving),
            no=_("Stay on the call"),
        )
        self.leaving: Leaving = leaving
        self.ticket_id = ticket_id
