"""WorkspaceScreen: the agent's call workspace, composed of the calls waiting, the caller lookup, the
customer card, the ticket, my tickets and the hotline directory; it holds the keys and coordinates them."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.widgets import Footer, Header, OptionList
from textual.worker import Worker

from console.i18n import _
from console.services.agents import AgentView
from console.services.calls import WaitingCall
from console.services.customers import CustomerCard
from console.services.labels import ticket_status_label
from console.services.lookup import LookupResult
from console.services.tickets import OpenCall, TicketView, open_call
from console.text import clean_text
from screens.base import HotlineScreen
from screens.call_text import disposition_label
from screens.workspace.calls import CallQueue
from screens.workspace.card import CustomerCardPanel
from screens.workspace.decisions import DecisionNews
from screens.workspace.directory import HotlineDirectory
from screens.workspace.keys import WORKSPACE_BINDINGS
from screens.workspace.lookup import CallerLookup
from screens.workspace.my_tickets import MyTickets
from screens.workspace.over_call import CallScreens
from screens.workspace.ticket import TicketPanel

RESUME_GROUP = "workspace.resume"


class WorkspaceScreen(HotlineScreen):
    """Calls waiting, the lookup box and its candidates, the caller's card, and the ticket."""

    CSS_PATH = "workspace.tcss"
    AUTO_FOCUS = "#lookup-input"
    # Wide terminals show my tickets and the hotline directory in a third column; narrow ones
    # show them in place of the card and ticket while asked for (workspace.tcss).
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = WORKSPACE_BINDINGS

    def __init__(self, agent: AgentView) -> None:
        super().__init__()
        self.agent = agent
        self.over_call = CallScreens(self)

    # The parts

    @property
    def queue(self) -> CallQueue:
        return self.query_one(CallQueue)

    @property
    def lookup(self) -> CallerLookup:
        return self.query_one(CallerLookup)

    @property
    def card_panel(self) -> CustomerCardPanel:
        return self.query_one(CustomerCardPanel)

    @property
    def ticket_panel(self) -> TicketPanel:
        return self.query_one(TicketPanel)

    @property
    def my_tickets(self) -> MyTickets:
        return self.query_one(MyTickets)

    @property
    def directory(self) -> HotlineDirectory:
        return self.query_one(HotlineDirectory)

    # What the parts hold now

    @property
    def calls(self) -> list[WaitingCall]:
        return self.queue.calls

    @property
    def result(self) -> LookupResult | None:
        return self.lookup.result

    @property
    def card(self) -> CustomerCard | None:
        return self.card_panel.card

    @property
    def ticket(self) -> TicketView | None:
        return self.ticket_panel.ticket

    # Layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="workspace"):
            with Vertical(id="left"):
                yield CallQueue(self.agent.id)
                yield DecisionNews(self.agent.id)
                yield CallerLookup(self.agent.id)
            with VerticalScroll(id="main"):
                yield CustomerCardPanel(self.agent.id, has_ticket=lambda: self.ticket is not None)
                yield TicketPanel(self.agent.id)
            with Vertical(id="side"):
                yield MyTickets(self.agent.id)
                yield HotlineDirectory()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.ticket_panel.show_none()
        self.card_panel.show_none()
        self.my_tickets.load()
        self.set_interval(1.0, self.tick, name="timers")
        self.resume_open_call()

    def resume_open_call(self) -> None:
        """The call this agent left open (quit, logged out, the console stopped) comes back as it was."""
        self.run_service(
            lambda: open_call(self.database.read_sessions, self.agent.id), self.open_call_found, group=RESUME_GROUP
        )

    def open_call_found(self, found: OpenCall | None) -> None:
        if found is None or self.ticket is not None:
            return
        self.post_message(TicketPanel.Ready(found.ticket, found.caller_masked))
        self.notify_agent(
            _("Your open call is back: ticket #{ticket}, the call timer counting from when you took it.").format(
                ticket=found.ticket.ticket_id
            ),
            warning=False,
        )

    def tick(self) -> None:
        """Once a second: how long each caller has waited, and the call timer."""
        self.queue.tick()
        self.ticket_panel.show_timer()
        self.card_panel.tick()

    # Bindings

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "home":
            return str(self.agent.role) != "agent"
        if action == "close_panel":
            return self.has_class("-side-open") and self.has_class("-narrow")
        return True

    async def action_call(self, action: str) -> None:
        """A call key pressed on a dialog over the call (screens.call_keys): the workspace does it now."""
        await self.run_action(action)

    def action_lookup(self) -> None:
        self.close_side_panel()
        self.lookup.box.focus()

    def action_notes(self) -> None:
        if self.ticket is None:
            self.notify_agent(self.ticket_panel.no_ticket_text())
            return
        self.close_side_panel()
        self.ticket_panel.notes.focus()

    def action_reason(self) -> None:
        if self.ticket is None:
            self.notify_agent(self.ticket_panel.no_ticket_text())
            return
        self.close_side_panel()
        self.ticket_panel.reason.focus()

    def action_my_tickets(self) -> None:
        self.my_tickets.load()  # f6 reads the list every time: another console may have changed it
        self.open_side_panel()
        self.focus_list(self.my_tickets.listing)

    def action_directory(self) -> None:
        self.open_side_panel()
        self.focus_list(self.directory.listing)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A list reached with Tab has its first entry highlighted, so Enter acts at once.
        widget = event.widget
        if isinstance(widget, OptionList) and widget.highlighted is None and widget.option_count:
            widget.highlighted = 0

    def focus_list(self, listing: OptionList) -> None:
        """Focus a list with an entry highlighted, so Enter acts at once."""
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0
        listing.focus()

    def action_close_panel(self) -> None:
        self.close_side_panel()
        self.lookup.box.focus()

    def open_side_panel(self) -> None:
        self.add_class("-side-open")
        self.refresh_bindings()
        self.my_tickets.shown()

    def close_side_panel(self) -> None:
        self.remove_class("-side-open")
        self.refresh_bindings()

    def action_home(self) -> None:
        self.hotline.open_home()

    def action_log_out(self) -> None:
        self.hotline.log_out()

    # Calls waiting

    def on_call_queue_new_caller(self, message: CallQueue.NewCaller) -> None:
        if self.ticket is None:
            self.app.bell()
            self.notify_agent(
                _("A caller is waiting: {caller_masked}. Press {key_for} to take the call.").format(
                    caller_masked=clean_text(message.call.caller_masked), key_for=self.key_for("workspace.claim")
                ),
                warning=False,
            )

    def action_claim(self) -> None:
        """Take the call highlighted in the calls list (when it has focus), else the longest-waiting."""
        self.take_call(self.queue.chosen_option())

    def on_call_queue_chosen(self, message: CallQueue.Chosen) -> None:
        self.take_call(message.option_id)

    def take_call(self, option_id: str | None) -> None:
        if self.queue.claiming:
            return
        if self.ticket is not None:
            self.notify_agent(
                _("Wrap up ticket #{ticket_id} ({key_for}) before taking another call.").format(
                    ticket_id=self.ticket.ticket_id, key_for=self.key_for("workspace.wrap_up")
                )
            )
            return
        self.queue.take(option_id)

    def on_call_queue_claimed(self, message: CallQueue.Claimed) -> None:
        claimed = message.claimed
        self.start_ticket(claimed.ticket, claimed.caller_masked)
        self.show_claim_lookup(claimed.lookup)
        self.my_tickets.changed()

    def show_claim_lookup(self, result: LookupResult) -> None:
        """What the caller's number found: one customer is shown; several are offered, never chosen."""
        self.lookup.show_number_found(result)
        single = result.single
        if result.problem:
            return
        if single is not None:
            self.pick(single.customer_id)
            self.ticket_panel.notes.focus()
        elif not result.matches:
            self.card_panel.show_none(_("No customer found for the caller's number yet."))
        else:
            self.card_panel.show_none(_("Several customers share the caller's number: pick one."))
            self.lookup.offer()

    # The customer

    def on_caller_lookup_picked(self, message: CallerLookup.Picked) -> None:
        self.queue.notice.say("")  # a new customer: the last call's result is old news
        self.pick(message.customer_id)

    def pick(self, customer_id: int) -> None:
        """The agent chose this customer: show the card, and attach them to the ticket."""
        self.card_panel.load(customer_id, self.ticket.ticket_id if self.ticket else None)
        if self.ticket is not None:
            self.ticket_panel.change(customer_id=customer_id)

    def on_customer_card_panel_read(self, message: CustomerCardPanel.Read) -> None:
        """The card was read: the find list's row for that customer shows the same status."""
        self.lookup.refresh_status(message.customer_id, message.status)

    def reload_card(self) -> None:
        self.card_panel.reload(self.ticket.ticket_id if self.ticket else None)

    # The ticket

    def start_ticket(self, ticket: TicketView, caller_masked: str | None = None) -> None:
        self.ticket_panel.start(ticket)
        self.my_tickets.show(ticket)
        self.hotline.open_call = OpenCall(ticket, caller_masked)

    def action_new_ticket(self) -> None:
        if self.ticket is not None:
            self.notify_agent(
                _("Ticket #{ticket_id} is still open; wrap it up first ({key_for}).").format(
                    ticket_id=self.ticket.ticket_id, key_for=self.key_for("workspace.wrap_up")
                )
            )
            return
        self.queue.notice.say("")  # a new ticket: the last call's result is old news
        self.ticket_panel.open_new(self.card.customer_id if self.card else None)

    def on_ticket_panel_ready(self, message: TicketPanel.Ready) -> None:
        if self.ticket is not None and self.ticket.ticket_id != message.ticket.ticket_id:
            return  # another ticket was started meanwhile (a call was taken); keep that one
        self.start_ticket(message.ticket, message.caller_masked)
        if message.ticket.customer_id is not None:
            self.card_panel.load(message.ticket.customer_id, message.ticket.ticket_id)
        self.my_tickets.changed()
        self.ticket_panel.notes.focus()

    def on_ticket_panel_updated(self, message: TicketPanel.Updated) -> None:
        if message.ticket.verification_ended:
            self.notify_agent(
                _(
                    "Verification ended: the ticket is now for another customer, who must pass a code of their "
                    "own ({key_for}) before anything on their account."
                ).format(key_for=self.key_for("workspace.verify"))
            )
        self.my_tickets.show(self.ticket)
        known = self.hotline.open_call
        if known is not None and known.ticket.ticket_id == message.ticket.ticket_id:
            self.hotline.open_call = OpenCall(message.ticket, known.caller_masked)

    def on_my_tickets_chosen(self, message: MyTickets.Chosen) -> None:
        chosen = message.ticket
        if self.ticket is not None:
            if self.ticket.ticket_id != chosen.ticket_id:
                self.notify_agent(
                    _("Wrap up ticket #{ticket_id} first ({key_for}).").format(
                        ticket_id=self.ticket.ticket_id, key_for=self.key_for("workspace.wrap_up")
                    )
                )
            self.close_side_panel()
            return
        self.close_side_panel()
        if chosen.status == "open":
            self.post_message(TicketPanel.Ready(chosen))  # resume it as it is
        else:
            self.ticket_panel.reopen(chosen.ticket_id)

    def before_leaving(self) -> list[Worker[Any]]:
        worker = self.ticket_panel.notes.save_now()
        return [worker] if worker is not None else []

    # Screens over the call

    def action_verify(self) -> None:
        self.over_call.verify()

    def action_account(self) -> None:
        self.over_call.account()

    def action_money(self) -> None:
        self.over_call.money()

    def action_feedback(self) -> None:
        self.over_call.feedback()

    # A supervisor's decision on what this agent asked for

    def on_decision_news_decided(self, message: DecisionNews.Decided) -> None:
        notice = message.notice
        self.notify_agent(notice.said, warning=not notice.approved)
        if self.ticket is not None and self.ticket.ticket_id == notice.ticket_id:
            self.ticket_panel.load_draft(notice.ticket_id)  # the decision's note joins the ticket's notes
            self.reload_card()  # an unlock shows on the card
            self.over_call.decided(notice)
        self.my_tickets.changed()

    # Wrap-up

    def action_wrap_up(self) -> None:
        self.over_call.wrap_up()

    def on_ticket_panel_wrapped_up(self, message: TicketPanel.WrappedUp) -> None:
        ticket = message.ticket
        outcome = disposition_label(ticket.disposition)
        if ticket.status == "pending" and ticket.follow_up_due is not None:
            text = _("Ticket #{ticket_id} is pending: {outcome}, due {follow_up_due}.").format(
                ticket_id=ticket.ticket_id, outcome=outcome, follow_up_due=ticket.follow_up_due
            )
        else:
            text = _("Ticket #{ticket_id} is {status}: {outcome}.").format(
                ticket_id=ticket.ticket_id, status=ticket_status_label(ticket.status).lower(), outcome=outcome
            )
        self.ticket_panel.show_none()
        self.card_panel.show_none()
        self.hotline.open_call = None
        self.my_tickets.current = None
        self.lookup.clear()
        self.queue.notice.say(text)
        self.notify_agent(text, warning=False)
        self.my_tickets.changed()
        self.lookup.box.focus()
