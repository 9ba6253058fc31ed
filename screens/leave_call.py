"""LeaveCallDialog: quitting, logging out or locking with a call open asks first, saying what becomes of the call."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Static

from console.i18n import _
from console.text import safe_text
from screens.base import HotlineModal

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


class LeaveCallDialog(HotlineModal[bool]):
    """Says what happens to the open call; dismisses True to go on (Enter), False to stay (Escape).

    `caller` is the caller's masked number or name as the workspace shows it; None says "your call"
    (on the lock screen, where nobody has typed a password, the caller is not named).
    """

    CSS_PATH = "leave_call.tcss"
    AUTO_FOCUS = "#leave-go-on"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "stay",
            "Stay on the call",
            id="leave_call.stay",
            tooltip="Close this question; the console stays as it is",
        ),
    ]

    def __init__(self, leaving: Leaving, ticket_id: int, caller: str | None) -> None:
        super().__init__()
        self.leaving: Leaving = leaving
        self.ticket_id = ticket_id
        self.caller = caller

    def compose(self) -> ComposeResult:
        with Vertical(id="leave-call", classes="panel") as dialog:
            dialog.border_title = _title(self.leaving)
            yield Static(
                safe_text(what_becomes_of_the_call(self.leaving, self.ticket_id, self.caller)),
                id="leave-call-text",
            )
            yield Static(
                safe_text(_("Enter: {go_on}. Escape: stay on the call.").format(go_on=_go_on(self.leaving))),
                id="leave-call-keys",
                classes="muted",
            )
            yield Horizontal(
                Button(_go_on(self.leaving), id="leave-go-on", variant="primary", compact=True),
                Button(_("Stay on the call"), id="leave-stay", compact=True),
                id="leave-call-buttons",
            )
        yield Footer(compact=True)

    @on(Button.Pressed, "#leave-go-on")
    def go_on(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#leave-stay")
    def action_stay(self) -> None:
        self.dismiss(False)
