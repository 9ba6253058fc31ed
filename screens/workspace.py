"""WorkspaceScreen: the agent's call workspace: waiting calls, caller lookup, customer card and ticket."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import DescendantFocus, Key
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from console.services.agents import AgentView
from console.services.calls import (
    ClaimedCall,
    HotlineView,
    WaitingCall,
    claim_call,
    list_hotlines,
    waiting_calls,
)
from console.services.customers import CustomerCard, customer_card
from console.services.errors import Conflict, NotFound
from console.services.lookup import LookupResult, find_customers
from console.services.tickets import (
    NoteView,
    TicketView,
    WrapUp,
    load_draft,
    my_tickets,
    open_ticket,
    reopen_ticket,
    save_draft,
    ticket_notes,
    update_ticket,
    wrap_up,
)
from console.text import clean_text, safe_text
from screens.account import AccountScreen
from screens.base import HotlineScreen
from screens.call_text import (
    REASON_OPTIONS,
    call_prompt,
    card_content,
    disposition_label,
    earlier_notes_content,
    hotline_prompt,
    match_prompt,
    my_ticket_prompt,
)
from screens.formatting import duration_text
from screens.free_text_area import FreeTextArea
from screens.money import MoneyScreen
from screens.verify import VerifyScreen
from screens.wrap_up import WrapUpScreen

# Typing pauses this long before a lookup runs; each key restarts the wait.
LOOKUP_DEBOUNCE_SECONDS = 0.15
# Notes are saved as a draft this long after the agent stops typing.
DRAFT_DEBOUNCE_SECONDS = 0.5

CALLS_GROUP = "workspace.calls"
CLAIM_GROUP = "workspace.claim"
LOOKUP_GROUP = "workspace.lookup"
CARD_GROUP = "workspace.card"
TICKET_GROUP = "workspace.ticket"
OPEN_GROUP = "workspace.open_ticket"
DRAFT_GROUP = "workspace.draft"
DRAFT_LOAD_GROUP = "workspace.draft_load"
WRAP_UP_GROUP = "workspace.wrap_up"
MY_TICKETS_GROUP = "workspace.my_tickets"
DIRECTORY_GROUP = "workspace.directory"

# The notes box gives up TextArea's f6 (select line) and f7 (select all) to the workspace.
_NOTES_BINDINGS: list[BindingType] = [
    binding
    for key, bindings in TextArea._merge_bindings().key_to_bindings.items()
    if key not in {"f6", "f7"}
    for binding in bindings
]


class NotesArea(FreeTextArea, inherit_bindings=False):
    """The ticket's notes: a text area whose function keys belong to the workspace; pastes lose control characters."""

    BINDINGS = _NOTES_BINDINGS


class LookupInput(Input):
    """The lookup box; the down arrow moves on to the candidates."""

    def on_key(self, event: Key) -> None:
        if event.key == "down":
            event.stop()
            event.prevent_default()
            self.screen.query_one("#results", OptionList).focus()


class WorkspaceScreen(HotlineScreen):
    """Calls waiting, the lookup box and its candidates, the caller's card, and the ticket."""

    CSS_PATH = "workspace.tcss"
    AUTO_FOCUS = "#lookup-input"
    # Wide terminals show my tickets and the hotline directory in a third column; narrow ones
    # show them in place of the card and ticket while asked for (workspace.tcss).
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]  # noqa: RUF012
    # Ordered by how often a call needs them, so a narrow footer shows the call flow first (the
    # palette always lists them all).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "claim",
            "Take call",
            id="workspace.claim",
            tooltip="Take the selected call, or the one waiting longest",
        ),
        Binding(
            "f3",
            "lookup",
            "Find",
            id="workspace.lookup",
            tooltip="Find the caller by phone, account, email, name, pinyin, initials or last 4",
        ),
        Binding(
            "f5",
            "notes",
            "Notes",
            id="workspace.notes",
            tooltip="Type the ticket's notes; they are saved as a draft as you type",
        ),
        Binding(
            "f8",
            "reason",
            "Reason",
            id="workspace.reason",
            tooltip="Choose why the customer called",
        ),
        Binding(
            "f11",
            "verify",
            "Verify",
            id="workspace.verify",
            tooltip="Verify the caller: the script to read, send a code, check their answer",
        ),
        Binding(
            "f10",
            "account",
            "Account",
            id="workspace.account",
            tooltip="The caller's account: why it is locked and unlocking it, logins, transactions, advice",
        ),
        Binding(
            "f9",
            "wrap_up",
            "Wrap up",
            id="workspace.wrap_up",
            tooltip="End the call: choose a disposition and close the ticket",
        ),
        Binding(
            "ctrl+b",
            "money",
            "Money",
            id="workspace.money",
            tooltip="Fees, the caller's statement and withdrawals, disputes and adjustments",
        ),
        Binding(
            "f4",
            "new_ticket",
            "New ticket",
            id="workspace.new_ticket",
            tooltip="Open a ticket by hand, for the customer on the card if there is one",
        ),
        Binding(
            "f6",
            "my_tickets",
            "My tickets",
            id="workspace.my_tickets",
            tooltip="Your open and pending tickets; Enter resumes or reopens one",
        ),
        Binding(
            "f7",
            "directory",
            "Hotlines",
            id="workspace.directory",
            tooltip="The hotline directory: region, number, hours and languages",
        ),
        Binding(
            "escape",
            "close_panel",
            "Close panel",
            id="workspace.close_panel",
            tooltip="Back to the card and the ticket",
        ),
        Binding(
            "ctrl+o",
            "home",
            "Home",
            id="workspace.home",
            tooltip="Back to your home screen",
        ),
        Binding(
            "ctrl+l",
            "log_out",
            "Log out",
            id="workspace.log_out",
            tooltip="Log out and return to the login screen",
        ),
    ]

    # What workers report back.

    @dataclass
    class CallsPolled(Message):
        calls: list[WaitingCall]

    @dataclass
    class CallClaimed(Message):
        claimed: ClaimedCall

    @dataclass
    class ClaimRefused(Message):
        reason: str  # the service's plain sentence

    @dataclass
    class CustomersFound(Message):
        query: str
        result: LookupResult

    @dataclass
    class CardLoaded(Message):
        card: CustomerCard

    @dataclass
    class TicketReady(Message):
        """A ticket to work on now: opened by hand, resumed or reopened."""

        ticket: TicketView

    @dataclass
    class TicketUpdated(Message):
        ticket: TicketView

    @dataclass
    class DraftLoaded(Message):
        ticket_id: int
        body: str
        earlier: list[NoteView]  # notes saved on earlier calls (a reopened ticket)

    @dataclass
    class DraftSaved(Message):
        ticket_id: int
        body: str

    @dataclass
    class TicketWrappedUp(Message):
        ticket: TicketView

    @dataclass
    class MyTicketsLoaded(Message):
        tickets: list[TicketView]

    @dataclass
    class HotlinesLoaded(Message):
        lines: list[HotlineView]

    def __init__(self, agent: AgentView) -> None:
        super().__init__()
        self.agent = agent
        self.calls: list[WaitingCall] = []
        self.ticket: TicketView | None = None
        self.ticket_started: float | None = None
        self.card: CustomerCard | None = None
        self.result: LookupResult | None = None
        self.tickets: list[TicketView] = []
        self._claiming = False
        self._poll: Worker[None] | None = None
        self._lookup_text = ""  # the lookup box's value as last handled
        self._lookup_timer: Timer | None = None
        self._pick_on_result = False
        self._ticket_writing = False
        self._ticket_changes: dict[str, Any] = {}
        self._draft_timer: Timer | None = None
        self._draft_saved = ""  # what the database holds for the ticket on screen
        self._draft_worker: Worker[None] | None = None
        self._draft_again = False
        self._wrapping = False

    # Layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="workspace"):
            with Vertical(id="left"):
                with Vertical(id="calls", classes="panel") as calls:
                    calls.border_title = "Calls waiting"
                    yield OptionList(id="call-list")
                    yield Static("No callers waiting.", id="calls-empty", classes="muted")
                    yield Static(id="calls-message")
                with Vertical(id="lookup", classes="panel") as lookup:
                    lookup.border_title = "Find caller"
                    yield LookupInput(
                        id="lookup-input",
                        placeholder="phone, OK…, email, name or last 4",
                        max_length=254,
                    )
                    yield Static(id="lookup-hint", classes="muted")
                    yield OptionList(id="results")
            with VerticalScroll(id="main"):
                with Vertical(id="card", classes="panel") as card:
                    card.border_title = "Customer"
                    yield Static(id="card-body")
                with Vertical(id="ticket", classes="panel") as ticket:
                    ticket.border_title = "Ticket"
                    yield Static(id="ticket-summary")
                    yield Select(REASON_OPTIONS, id="reason", allow_blank=False, prompt="Reason")
                    yield Static(id="earlier-notes")
                    yield NotesArea(
                        id="notes",
                        soft_wrap=True,
                        show_line_numbers=False,
                        placeholder="Notes for this call (saved as you type)",
                    )
                    yield Static(id="draft-state", classes="muted")
            with Vertical(id="side"):
                with Vertical(id="my-tickets", classes="panel") as mine:
                    mine.border_title = "My tickets"
                    yield OptionList(id="my-ticket-list")
                    yield Static("No open or pending tickets.", id="my-tickets-empty", classes="muted")
                with Vertical(id="directory", classes="panel") as directory:
                    directory.border_title = "Hotlines"
                    yield OptionList(id="hotline-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#call-list").display = False
        self.show_no_ticket()
        self.show_no_card()
        self.refresh_calls()
        self.load_my_tickets()
        self.load_hotlines()
        self.set_interval(self.hotline.settings.call_poll_seconds, self.refresh_calls, name="calls")
        self.set_interval(1.0, self.tick, name="timers")

    def key_for(self, binding_id: str) -> str:
        """The key that runs a binding now (after the keymap), as the footer shows it."""
        for key, active in self.active_bindings.items():
            if active.binding.id == binding_id:
                return self.app.get_key_display(active.binding.with_key(key))
        return binding_id

    def say(self, text: str, *, warning: bool = True) -> None:
        self.notify(text, severity="warning" if warning else "information", markup=False)

    # Bindings

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "home":
            return str(self.agent.role) != "agent"
        if action == "close_panel":
            return self.has_class("-side-open") and self.has_class("-narrow")
        return True

    def action_lookup(self) -> None:
        self.close_side_panel()
        self.query_one("#lookup-input", Input).focus()

    def action_notes(self) -> None:
        if self.ticket is None:
            self.say(self.no_ticket_text())
            return
        self.close_side_panel()
        self.query_one("#notes", TextArea).focus()

    def action_reason(self) -> None:
        if self.ticket is None:
            self.say(self.no_ticket_text())
            return
        self.close_side_panel()
        self.query_one("#reason", Select).focus()

    def action_my_tickets(self) -> None:
        self.open_side_panel()
        self.load_my_tickets()
        self.focus_list("#my-ticket-list")

    def action_directory(self) -> None:
        self.open_side_panel()
        self.focus_list("#hotline-list")

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A list reached with Tab has its first entry highlighted, so Enter acts at once.
        widget = event.widget
        if isinstance(widget, OptionList) and widget.highlighted is None and widget.option_count:
            widget.highlighted = 0

    def focus_list(self, selector: str) -> None:
        """Focus a list with an entry highlighted, so Enter acts at once."""
        listing = self.query_one(selector, OptionList)
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0
        listing.focus()

    def action_close_panel(self) -> None:
        self.close_side_panel()
        self.query_one("#lookup-input", Input).focus()

    def open_side_panel(self) -> None:
        self.add_class("-side-open")
        self.refresh_bindings()

    def close_side_panel(self) -> None:
        self.remove_class("-side-open")
        self.refresh_bindings()

    def action_home(self) -> None:
        self.hotline.open_home()

    def action_log_out(self) -> None:
        self.hotline.log_out()

    # Calls waiting

    def refresh_calls(self) -> None:
        # One poll at a time: a slow database must not pile up threads.
        if self._poll is not None and self._poll.is_running:
            return
        self._poll = self.poll_calls()

    @work(thread=True, exclusive=True, exit_on_error=False, group=CALLS_GROUP)
    def poll_calls(self) -> None:
        calls = waiting_calls(self.database.read_sessions, self.agent.id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.CallsPolled(calls))

    def on_workspace_screen_calls_polled(self, message: CallsPolled) -> None:
        known = {call.call_id for call in self.calls}
        new = [call for call in message.calls if call.call_id not in known]
        self.calls = message.calls
        call_list = self.query_one("#call-list", OptionList)
        highlighted = call_list.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        call_list.set_options(Option(self.call_prompt(call), id=f"call-{call.call_id}") for call in self.calls)
        if keep is not None and any(f"call-{call.call_id}" == keep for call in self.calls):
            call_list.highlighted = call_list.get_option_index(keep)
        has_calls = bool(self.calls)
        call_list.display = has_calls
        self.query_one("#calls-empty").display = not has_calls
        self.query_one("#calls", Vertical).border_title = (
            f"Calls waiting ({len(self.calls)})" if has_calls else "Calls waiting"
        )
        if new and self.ticket is None:
            self.app.bell()
            self.say(
                f"A caller is waiting: {clean_text(new[0].caller_masked)}."
                f" Press {self.key_for('workspace.claim')} to take the call.",
                warning=False,
            )

    def call_prompt(self, call: WaitingCall) -> Content:
        return call_prompt(call, call.waited_seconds(self.hotline.wall_clock()))

    def tick(self) -> None:
        """Once a second: how long each caller has waited, and the call timer."""
        call_list = self.query_one("#call-list", OptionList)
        for call in self.calls:
            option_id = f"call-{call.call_id}"
            # The list may have been rebuilt meanwhile; the next tick catches up.
            with contextlib.suppress(Exception):
                call_list.replace_option_prompt(option_id, self.call_prompt(call))
        self.show_call_timer()

    def action_claim(self) -> None:
        """Take the call highlighted in the calls list (when it has focus), else the longest-waiting."""
        call_list = self.query_one("#call-list", OptionList)
        chosen = call_list.highlighted_option if call_list.has_focus else None
        self.take_call(chosen.id if chosen is not None else None)

    @on(OptionList.OptionSelected, "#call-list")
    def call_selected(self, event: OptionList.OptionSelected) -> None:
        self.take_call(event.option.id)

    def take_call(self, option_id: str | None) -> None:
        if self._claiming:
            return
        if self.ticket is not None:
            self.say(
                f"Wrap up ticket #{self.ticket.ticket_id} ({self.key_for('workspace.wrap_up')})"
                " before taking another call."
            )
            return
        if not self.calls:
            self.show_calls_message("No callers are waiting.")
            return
        call = next((c for c in self.calls if f"call-{c.call_id}" == option_id), self.calls[0])
        self._claiming = True
        self.show_calls_message("Taking the call…")
        self.claim(call.call_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CLAIM_GROUP)
    def claim(self, call_id: int) -> None:
        # Not dropped when superseded: a call this agent won must reach the screen.
        try:
            claimed = claim_call(self.database.sessions, call_id, self.agent.id, self.hotline.settings.default_region)
        except (Conflict, NotFound) as lost:
            self.post_message(self.ClaimRefused(str(lost)))
        else:
            self.post_message(self.CallClaimed(claimed))

    def on_workspace_screen_claim_refused(self, message: ClaimRefused) -> None:
        self._claiming = False
        self.show_calls_message(message.reason, error=True)
        self.say(message.reason)
        self.refresh_calls()

    def on_workspace_screen_call_claimed(self, message: CallClaimed) -> None:
        self._claiming = False
        claimed = message.claimed
        self.show_calls_message(f"You took call {claimed.call_id}.")
        self.start_ticket(claimed.ticket)
        self.show_claim_lookup(claimed.lookup)
        self.refresh_calls()
        self.load_my_tickets()

    def show_calls_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#calls-message", Static)
        message.set_class(error, "refusal")
        message.update(safe_text(text))

    def show_claim_lookup(self, result: LookupResult) -> None:
        """What the caller's number found: one customer is shown; several are offered, never chosen."""
        self.set_lookup_text("")
        self.result = result
        self.show_matches(result)
        single = result.single
        if result.problem:
            self.show_hint(result.problem)
        elif single is not None:
            self.show_hint(Content("The caller's number belongs to ") + safe_text(single.full_name) + ".")
            self.pick(single.customer_id)
            self.query_one("#notes", TextArea).focus()
        elif not result.matches:
            self.show_hint(
                "No customer has the caller's number. Find them by another detail"
                f" ({self.key_for('workspace.lookup')}), or carry on without a customer."
            )
            self.show_no_card("No customer found for the caller's number yet.")
        else:
            count = f"{len(result.matches)}{' or more' if result.more else ''}"
            self.show_hint(
                f"The caller's number matches {count} customers. Ask which account is theirs,"
                " then pick it (↑ ↓ and Enter)."
            )
            self.show_no_card("Several customers share the caller's number: pick one.")
            results = self.query_one("#results", OptionList)
            results.highlighted = 0
            results.focus()

    # Lookup

    def set_lookup_text(self, text: str) -> None:
        self._lookup_text = text
        self.query_one("#lookup-input", Input).value = text

    @on(Input.Changed, "#lookup-input")
    def lookup_changed(self, event: Input.Changed) -> None:
        if event.value == self._lookup_text:
            return  # set by the screen, not typed
        self._lookup_text = event.value
        self._pick_on_result = False
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        if not event.value.strip():
            self._lookup_timer = None
            self.workers.cancel_group(self, LOOKUP_GROUP)
            self.result = None
            self.show_matches(None)
            self.show_hint("")
            return
        self._lookup_timer = self.set_timer(LOOKUP_DEBOUNCE_SECONDS, self.run_lookup)

    def run_lookup(self) -> None:
        self._lookup_timer = None
        query = self._lookup_text.strip()
        if query:
            self.lookup(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOOKUP_GROUP)
    def lookup(self, query: str) -> None:
        result = find_customers(
            self.database.read_sessions, query, self.hotline.settings.default_region, agent_id=self.agent.id
        )
        if not get_current_worker().is_cancelled:
            self.post_message(self.CustomersFound(query, result))

    def on_workspace_screen_customers_found(self, message: CustomersFound) -> None:
        if message.query != self._lookup_text.strip():
            return  # typed on since; a newer lookup is coming
        result = message.result
        self.result = result
        self.show_matches(result)
        self.show_hint(self.lookup_hint(result))
        if self._pick_on_result:
            self._pick_on_result = False
            self.act_on_results()

    def lookup_hint(self, result: LookupResult) -> str:
        if result.problem:
            return result.problem
        searched = ", ".join(str(kind) for kind in result.understood_as)
        count = len(result.matches)
        if count == 0:
            return f"No customer matches (searched by {searched})."
        if result.more:
            return f"More than {count} customers match; type more to narrow it down."
        if count == 1:
            return f"1 match by {searched}. Enter shows the card."
        return f"{count} matches by {searched}. Pick one with ↓ and Enter."

    def show_hint(self, text: str | Content) -> None:
        content = text if isinstance(text, Content) else safe_text(text)
        self.query_one("#lookup-hint", Static).update(content)

    def show_matches(self, result: LookupResult | None) -> None:
        results = self.query_one("#results", OptionList)
        matches = result.matches if result is not None else ()
        show_kind = result is not None and len(result.understood_as) > 1
        results.set_options(
            Option(match_prompt(match, show_kind), id=f"customer-{match.customer_id}") for match in matches
        )

    @on(Input.Submitted, "#lookup-input")
    def lookup_submitted(self) -> None:
        query = self._lookup_text.strip()
        if not query:
            return
        if self._lookup_timer is not None or self.result is None or self.result.query != query:
            # Enter before the results arrived: search now and act when they do.
            if self._lookup_timer is not None:
                self._lookup_timer.stop()
                self._lookup_timer = None
            self._pick_on_result = True
            self.lookup(query)
            return
        self.act_on_results()

    def act_on_results(self) -> None:
        """Enter in the lookup box: one candidate is shown; several are offered to pick from."""
        if self.result is None or not self.result.matches:
            return
        if len(self.result.matches) == 1 and not self.result.more:
            self.pick(self.result.matches[0].customer_id)
            return
        results = self.query_one("#results", OptionList)
        results.highlighted = 0
        results.focus()

    @on(OptionList.OptionSelected, "#results")
    def result_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("customer-"):
            self.pick(int(option_id.removeprefix("customer-")))

    def pick(self, customer_id: int) -> None:
        """The agent chose this customer: show the card, and attach them to the ticket."""
        self.load_card(customer_id, self.ticket.ticket_id if self.ticket else None)
        if self.ticket is not None:
            self.change_ticket(customer_id=customer_id)

    # The card

    @work(thread=True, exclusive=True, exit_on_error=False, group=CARD_GROUP)
    def load_card(self, customer_id: int, ticket_id: int | None) -> None:
        card = customer_card(self.database.read_sessions, self.agent.id, customer_id, current_ticket_id=ticket_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.CardLoaded(card))

    def on_workspace_screen_card_loaded(self, message: CardLoaded) -> None:
        self.card = message.card
        body = card_content(message.card)
        if self.ticket is None:
            body += Content.styled(
                f"\nNo ticket open: {self.key_for('workspace.new_ticket')} opens one for this customer.",
                "$text-warning",
            )
        self.query_one("#card-body", Static).update(body)

    def show_no_card(self, text: str = "") -> None:
        self.card = None
        text = text or (
            f"No customer yet. Take a call ({self.key_for('workspace.claim')})"
            f" or find the caller ({self.key_for('workspace.lookup')})."
        )
        self.query_one("#card-body", Static).update(Content.styled(text, "$text-muted"))

    # The ticket

    def no_ticket_text(self) -> str:
        return (
            f"No ticket open. Take a call ({self.key_for('workspace.claim')}) or open one"
            f" by hand ({self.key_for('workspace.new_ticket')})."
        )

    def show_no_ticket(self) -> None:
        self.ticket = None
        self.ticket_started = None
        panel = self.query_one("#ticket", Vertical)
        panel.border_title = "Ticket"
        panel.border_subtitle = ""
        self.query_one("#ticket-summary", Static).update(Content.styled(self.no_ticket_text(), "$text-muted"))
        self._draft_saved = ""
        self.query_one("#notes", TextArea).load_text("")
        self.query_one("#draft-state", Static).update("")
        self.query_one("#earlier-notes").display = False
        self.set_class(True, "-no-ticket")

    def start_ticket(self, ticket: TicketView) -> None:
        """Work on `ticket` now: timer from zero, its reason, and its draft note restored."""
        self.ticket = ticket
        self.ticket_started = self.hotline.clock()
        self._ticket_changes.clear()
        self._wrapping = False
        self.set_class(False, "-no-ticket")
        self.query_one("#reason", Select).value = ticket.reason
        self._draft_saved = ""
        self.query_one("#notes", TextArea).load_text("")
        self.query_one("#draft-state", Static).update("")
        self.query_one("#earlier-notes").display = False
        self.show_ticket()
        self.load_ticket_draft(ticket.ticket_id)
        self.refresh_my_ticket_list()

    def show_ticket(self) -> None:
        ticket = self.ticket
        if ticket is None:
            return
        panel = self.query_one("#ticket", Vertical)
        # Border titles are markup: the status comes from the database, so it goes in as text.
        panel.border_title = Content(f"Ticket #{ticket.ticket_id} · ") + safe_text(ticket.status)
        self.show_call_timer()
        customer = (
            Content("For ") + safe_text(ticket.customer_name, style="bold")
            if ticket.customer_name
            else Content.styled("No customer attached yet.", "$text-muted")
        )
        self.query_one("#ticket-summary", Static).update(customer)

    def show_call_timer(self) -> None:
        if self.ticket is None or self.ticket_started is None:
            return
        elapsed = self.hotline.clock() - self.ticket_started
        self.query_one("#ticket", Vertical).border_subtitle = f"Call {duration_text(elapsed)}"

    def action_new_ticket(self) -> None:
        if self.ticket is not None:
            self.say(
                f"Ticket #{self.ticket.ticket_id} is still open; wrap it up first"
                f" ({self.key_for('workspace.wrap_up')})."
            )
            return
        self.open_new_ticket(self.card.customer_id if self.card else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group=OPEN_GROUP)
    def open_new_ticket(self, customer_id: int | None) -> None:
        ticket = open_ticket(self.database.sessions, self.agent.id, customer_id=customer_id)
        self.post_message(self.TicketReady(ticket))

    def on_workspace_screen_ticket_ready(self, message: TicketReady) -> None:
        if self.ticket is not None and self.ticket.ticket_id != message.ticket.ticket_id:
            return  # another ticket was started meanwhile (a call was taken); keep that one
        self.start_ticket(message.ticket)
        if message.ticket.customer_id is not None:
            self.load_card(message.ticket.customer_id, message.ticket.ticket_id)
        self.load_my_tickets()
        self.query_one("#notes", TextArea).focus()

    @on(Select.Changed, "#reason")
    def reason_changed(self, event: Select.Changed) -> None:
        if self.ticket is None or event.value == Select.NULL:
            return
        wanted = self._ticket_changes.get("reason", self.ticket.reason)
        if event.value != wanted:
            self.change_ticket(reason=str(event.value))

    def change_ticket(self, **change: Any) -> None:
        """Ticket edits go to the database one at a time, each with the version the last returned."""
        self._ticket_changes.update(change)
        self.write_ticket_changes()

    def write_ticket_changes(self) -> None:
        if self._ticket_writing or self.ticket is None or not self._ticket_changes:
            return
        changes, self._ticket_changes = self._ticket_changes, {}
        self._ticket_writing = True
        self.save_ticket(self.ticket.ticket_id, self.ticket.version, changes)

    @work(thread=True, exclusive=True, exit_on_error=False, group=TICKET_GROUP)
    def save_ticket(self, ticket_id: int, version: int, changes: dict[str, Any]) -> None:
        ticket = update_ticket(self.database.sessions, ticket_id, self.agent.id, version, **changes)
        self.post_message(self.TicketUpdated(ticket))

    def on_workspace_screen_ticket_updated(self, message: TicketUpdated) -> None:
        self._ticket_writing = False
        if self.ticket is None or self.ticket.ticket_id != message.ticket.ticket_id:
            return
        self.ticket = message.ticket
        self.show_ticket()
        if message.ticket.verification_ended:
            self.say(
                "Verification ended: the ticket is now for another customer, who must pass a code of their own"
                f" ({self.key_for('workspace.verify')}) before anything on their account."
            )
        self.write_ticket_changes()
        self.refresh_my_ticket_list()

    def refresh_my_ticket_list(self) -> None:
        """Show my tickets, the one on screen as it is now (it may have changed since the load)."""
        if self.ticket is not None:
            current = self.ticket
            self.tickets = [current if t.ticket_id == current.ticket_id else t for t in self.tickets]
        self.render_my_tickets()

    # Notes, saved as a draft while the agent types

    @work(thread=True, exclusive=True, exit_on_error=False, group=DRAFT_LOAD_GROUP)
    def load_ticket_draft(self, ticket_id: int) -> None:
        body = load_draft(self.database.read_sessions, ticket_id, self.agent.id)
        earlier = ticket_notes(self.database.read_sessions, ticket_id, self.agent.id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DraftLoaded(ticket_id, body, earlier))

    def on_workspace_screen_draft_loaded(self, message: DraftLoaded) -> None:
        if self.ticket is None or self.ticket.ticket_id != message.ticket_id:
            return
        earlier = self.query_one("#earlier-notes", Static)
        earlier.update(earlier_notes_content(message.earlier))
        earlier.display = bool(message.earlier)
        notes = self.query_one("#notes", TextArea)
        if notes.text or not message.body:
            return  # the agent has started typing; keep what they typed
        self._draft_saved = message.body
        notes.load_text(clean_text(message.body, multiline=True))
        self.query_one("#draft-state", Static).update("Draft restored.")

    @on(TextArea.Changed, "#notes")
    def notes_changed(self) -> None:
        if self.ticket is None or self._wrapping:
            return
        if self.query_one("#notes", TextArea).text == self._draft_saved:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DEBOUNCE_SECONDS, self.save_draft_now)
        self.query_one("#draft-state", Static).update("Typing…")

    def save_draft_now(self) -> Worker[None] | None:
        """Save the notes if they changed; the worker doing it (or already doing it), if any."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.ticket is None or self._wrapping:
            return None
        if self._draft_worker is not None and self._draft_worker.is_running:
            # One save at a time, so an older text can never land after a newer one.
            self._draft_again = True
            return self._draft_worker
        body = self.query_one("#notes", TextArea).text
        if body == self._draft_saved:
            return None
        worker: Worker[None] = self.write_draft(self.ticket.ticket_id, body)
        self._draft_worker = worker
        return worker

    @work(thread=True, exclusive=True, exit_on_error=False, group=DRAFT_GROUP)
    def write_draft(self, ticket_id: int, body: str) -> None:
        save_draft(self.database.sessions, ticket_id, self.agent.id, body)
        self.post_message(self.DraftSaved(ticket_id, body))

    def on_workspace_screen_draft_saved(self, message: DraftSaved) -> None:
        if self.ticket is None or self.ticket.ticket_id != message.ticket_id:
            return
        self._draft_saved = message.body
        self.query_one("#draft-state", Static).update("Draft saved.")
        if self._draft_again:
            self._draft_again = False
            self.save_draft_now()

    def before_leaving(self) -> list[Worker[Any]]:
        worker = self.save_draft_now()
        return [worker] if worker is not None else []

    # Wrap-up

    def call_customer_id(self) -> int | None:
        """The caller on this call: the ticket's customer, else the one on the card."""
        customer_id = self.ticket.customer_id if self.ticket else None
        if customer_id is None and self.card is not None:
            customer_id = self.card.customer_id
        return customer_id

    def call_customer(self, what: str) -> tuple[int, int] | None:
        """(ticket id, customer id) of the call on screen, or None after telling the agent what is missing."""
        customer_id = self.call_customer_id()
        if self.ticket is None or customer_id is None:
            self.say(f"{what} needs a ticket with its customer: take a call or find the caller first.")
            return None
        return self.ticket.ticket_id, customer_id

    def action_verify(self) -> None:
        if call := self.call_customer("Verification"):
            self.app.push_screen(VerifyScreen(self.agent.id, *call))

    def action_account(self) -> None:
        if call := self.call_customer("The account"):
            # An unlock or a contact change shows on the card once the screen closes.
            self.app.push_screen(AccountScreen(self.agent.id, *call), callback=lambda _: self.reload_card())

    def action_money(self) -> None:
        if self.ticket is None or self.call_customer_id() is None:
            # Fees are public: anyone may ask what a withdrawal costs before saying who they are.
            self.app.push_screen(MoneyScreen(self.agent.id, None, None, tab="fees"))
        elif call := self.call_customer("The statement"):
            self.app.push_screen(
                MoneyScreen(self.agent.id, *call, tab="statement"), callback=lambda _: self.reload_card()
            )

    def reload_card(self) -> None:
        if self.card is not None:
            self.load_card(self.card.customer_id, self.ticket.ticket_id if self.ticket else None)

    def action_wrap_up(self) -> None:
        if self.ticket is None:
            self.say("No ticket to wrap up. " + self.no_ticket_text())
            return
        if self._wrapping:
            return
        started = self.ticket_started if self.ticket_started is not None else self.hotline.clock()
        talk_seconds = int(self.hotline.clock() - started)
        self.app.push_screen(
            WrapUpScreen(
                self.ticket.ticket_id,
                talk_seconds,
                self.query_one("#notes", TextArea).text,
                self.hotline.wall_clock().date(),
                self.hotline.clock,
            ),
            callback=self.wrap_up_answered,
        )

    def wrap_up_answered(self, answer: WrapUp | None) -> None:
        if answer is None or self.ticket is None:
            return
        self._wrapping = True  # the note goes with the wrap-up; no more draft saves
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.finish_ticket(self.ticket.ticket_id, answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group=WRAP_UP_GROUP)
    def finish_ticket(self, ticket_id: int, answer: WrapUp) -> None:
        ticket = wrap_up(self.database.sessions, ticket_id, self.agent.id, answer)
        self.post_message(self.TicketWrappedUp(ticket))

    def on_workspace_screen_ticket_wrapped_up(self, message: TicketWrappedUp) -> None:
        ticket = message.ticket
        outcome = disposition_label(ticket.disposition)
        if ticket.status == "pending" and ticket.follow_up_due is not None:
            text = f"Ticket #{ticket.ticket_id} is pending: {outcome}, due {ticket.follow_up_due}."
        else:
            text = f"Ticket #{ticket.ticket_id} is {ticket.status}: {outcome}."
        self._wrapping = False
        self.show_no_ticket()
        self.show_no_card()
        self.set_lookup_text("")
        self.result = None
        self.show_matches(None)
        self.show_hint("")
        self.show_calls_message(text)
        self.say(text, warning=False)
        self.load_my_tickets()
        self.query_one("#lookup-input", Input).focus()

    # My tickets

    @work(thread=True, exclusive=True, exit_on_error=False, group=MY_TICKETS_GROUP)
    def load_my_tickets(self) -> None:
        tickets = my_tickets(self.database.read_sessions, self.agent.id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.MyTicketsLoaded(tickets))

    def on_workspace_screen_my_tickets_loaded(self, message: MyTicketsLoaded) -> None:
        self.tickets = message.tickets
        self.refresh_my_ticket_list()

    def render_my_tickets(self) -> None:
        listing = self.query_one("#my-ticket-list", OptionList)
        highlighted = listing.highlighted
        current = self.ticket.ticket_id if self.ticket else None
        listing.set_options(
            Option(my_ticket_prompt(t, t.ticket_id == current), id=f"ticket-{t.ticket_id}") for t in self.tickets
        )
        if highlighted is not None and self.tickets:
            listing.highlighted = min(highlighted, len(self.tickets) - 1)
        listing.display = bool(self.tickets)
        self.query_one("#my-tickets-empty").display = not self.tickets

    @on(OptionList.OptionSelected, "#my-ticket-list")
    def my_ticket_selected(self, event: OptionList.OptionSelected) -> None:
        ticket_id = int((event.option.id or "ticket-0").removeprefix("ticket-"))
        chosen = next((t for t in self.tickets if t.ticket_id == ticket_id), None)
        if chosen is None:
            return
        if self.ticket is not None:
            if self.ticket.ticket_id != ticket_id:
                self.say(f"Wrap up ticket #{self.ticket.ticket_id} first ({self.key_for('workspace.wrap_up')}).")
            self.close_side_panel()
            return
        self.close_side_panel()
        if chosen.status == "open":
            self.post_message(self.TicketReady(chosen))  # resume it as it is
        else:
            self.reopen(ticket_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group=OPEN_GROUP)
    def reopen(self, ticket_id: int) -> None:
        ticket = reopen_ticket(self.database.sessions, ticket_id, self.agent.id)
        self.post_message(self.TicketReady(ticket))

    # The hotline directory

    @work(thread=True, exclusive=True, exit_on_error=False, group=DIRECTORY_GROUP)
    def load_hotlines(self) -> None:
        lines = list_hotlines(self.database.read_sessions)
        if not get_current_worker().is_cancelled:
            self.post_message(self.HotlinesLoaded(lines))

    def on_workspace_screen_hotlines_loaded(self, message: HotlinesLoaded) -> None:
        directory = self.query_one("#hotline-list", OptionList)
        directory.set_options(Option(hotline_prompt(line), id=f"line-{line.code}") for line in message.lines)
        if not message.lines:
            directory.set_options([Option("No hotlines are listed.", disabled=True)])

    # Failures: the app shows the notice; the screen must not stay stuck waiting.

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        group = event.worker.group
        if group == CLAIM_GROUP:
            self._claiming = False
            self.show_calls_message("The call was not taken.", error=True)
        elif group == TICKET_GROUP:
            self._ticket_writing = False
            self._ticket_changes.clear()
        elif group == WRAP_UP_GROUP:
            self._wrapping = False
        elif group == DRAFT_GROUP:
            self._draft_again = False
            self.query_one("#draft-state", Static).update("Draft not saved.")
