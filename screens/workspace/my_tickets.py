"""MyTickets: the agent's open and pending tickets, to resume or reopen."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.i18n import _
from console.services.tickets import TicketView, my_tickets
from screens.base import OnHotline
from screens.call_text import my_ticket_prompt

MY_TICKETS_GROUP = "workspace.my_tickets"


class MyTickets(OnHotline, Vertical):
    """The agent's open and pending tickets, the one on screen marked; Enter chooses one."""

    @dataclass
    class Chosen(Message):
        ticket: TicketView

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="my-tickets", classes="panel")
        self.agent_id = agent_id
        self.tickets: list[TicketView] = []
        self.current: TicketView | None = None
        # A command changed the agent's tickets while the list was off screen: read it when next shown.
        self.stale = False
        self.border_title = _("My tickets")

    def compose(self) -> ComposeResult:
        yield OptionList(id="my-ticket-list")
        yield Static(_("No open or pending tickets."), id="my-tickets-empty", classes="muted")

    @property
    def listing(self) -> OptionList:
        return self.query_one("#my-ticket-list", OptionList)

    @property
    def on_screen(self) -> bool:
        """My tickets are on screen: a wide terminal's third column, or opened over the right column."""
        return self.screen.has_class("-wide") or self.screen.has_class("-side-open")

    def changed(self) -> None:
        """A command changed the agent's tickets (a call taken, a ticket wrapped up, a decision). Read them
        now only if the list is on screen; otherwise when it is next shown, by the key press that shows it:
        one key press, one round trip."""
        self.stale = True
        if self.on_screen:
            self.shown()

    def on_resize(self) -> None:
        if self.on_screen:  # the terminal widened into three columns
            self.shown()

    def shown(self) -> None:
        """The list comes on screen: read it again if it changed meanwhile."""
        if self.stale:
            self.load()

    def load(self) -> None:
        self.stale = False
        self.run_service(
            lambda: my_tickets(self.database.read_sessions, self.agent_id),
            self.loaded,
            group=MY_TICKETS_GROUP,
            latest_only=True,
        )

    def loaded(self, tickets: list[TicketView]) -> None:
        self.tickets = tickets
        self.show(self.current)

    def show(self, current: TicketView | None) -> None:
        """The list, with `current` (the ticket on screen) as it is now: it may have changed since the load."""
        self.current = current
        if current is not None:
            self.tickets = [current if t.ticket_id == current.ticket_id else t for t in self.tickets]
        listing = self.listing
        highlighted = listing.highlighted
        current_id = current.ticket_id if current else None
        listing.set_options(
            Option(my_ticket_prompt(t, t.ticket_id == current_id), id=f"ticket-{t.ticket_id}") for t in self.tickets
        )
        if highlighted is not None and self.tickets:
            listing.highlighted = min(highlighted, len(self.tickets) - 1)
        elif listing.has_focus and self.tickets:
            # Focused while still empty (f6 focuses it as the read starts): Enter acts on the first at once.
            listing.highlighted = 0
        listing.display = bool(self.tickets)
        self.query_one("#my-tickets-empty").display = not self.tickets

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        ticket_id = int((event.option.id or "ticket-0").removeprefix("ticket-"))
        chosen = next((t for t in self.tickets if t.ticket_id == ticket_id), None)
        if chosen is not None:
            self.post_message(self.Chosen(chosen))
