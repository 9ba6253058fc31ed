"""MoneyScreen: deposits, withdrawals and disputes over the call: the public fee schedule, the verified
caller's statement, a withdrawal's detail and follow-up, and disputes with their adjustments (a tab each)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, TabbedContent

from console.i18n import N_, _
from console.services.disputes import DisputeView
from console.services.fees import FeeRow
from console.services.statement import StatementRow
from screens.base import HotlineModal
from screens.call_keys import CallKeys, call_key_bindings
from screens.money.call import WARNING, MoneyCall
from screens.money.disputes import DisputesPane
from screens.money.fees import FeesPane
from screens.money.statement import StatementPane

# Where the keyboard lands when a tab is shown.
TAB_FOCUS = {"fees": "fee-asset", "statement": "statement-table", "disputes": "dispute-table"}


class MoneyScreen(CallKeys, HotlineModal[None]):
    """Fees for anyone; for the verified caller, the statement, withdrawals and disputes."""

    CSS_PATH = "money.tcss"
    # Narrow terminals put the statement's filters on two rows (money.tcss).
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "show('fees')",
            N_("Fees"),
            id="money.fees",
            tooltip=N_("The public fee schedule: how much, how long, what minimum"),
        ),
        Binding(
            "f3",
            "show('statement')",
            N_("Statement"),
            id="money.statement",
            tooltip=N_("The verified caller's statement, newest first, with filters"),
        ),
        Binding(
            "f4",
            "show('disputes')",
            N_("Disputes"),
            id="money.disputes",
            tooltip=N_("The caller's disputes, their timeline, and adjustments"),
        ),
        Binding(
            "escape",
            "close",
            N_("Back to the call"),
            id="money.close",
            tooltip=N_("Close and return to the call; nothing typed here is lost until you close"),
        ),
        *call_key_bindings("money", "wrap_up", "account", "verify"),
    ]

    def __init__(
        self,
        agent_id: int,
        ticket_id: int | None,
        customer_id: int | None,
        tab: str = "fees",
        account_number: str = "",
    ) -> None:
        super().__init__()
        self.call = MoneyCall(agent_id, ticket_id, customer_id, account_number)
        self.ticket_id = ticket_id
        self.first_tab = tab

    # The tabs

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#money-tabs", TabbedContent)

    @property
    def fees_pane(self) -> FeesPane:
        return self.query_one(FeesPane)

    @property
    def statement_pane(self) -> StatementPane:
        return self.query_one(StatementPane)

    @property
    def disputes_pane(self) -> DisputesPane:
        return self.query_one(DisputesPane)

    @property
    def fees(self) -> list[FeeRow]:
        return self.fees_pane.fees

    @property
    def rows(self) -> list[StatementRow]:
        return self.statement_pane.rows

    @property
    def selected_dispute(self) -> DisputeView | None:
        return self.disputes_pane.selected_dispute

    def compose(self) -> ComposeResult:
        with Vertical(id="money", classes="panel") as panel:
            panel.border_title = (
                _("Money · ticket #{ticket_id}").format(ticket_id=self.ticket_id)
                if self.ticket_id
                else _("Money · fees")
            )
            with TabbedContent(initial=self.first_tab, id="money-tabs"):
                yield FeesPane(self.call.agent_id, self.ticket_id)
                yield StatementPane(self.call)
                yield DisputesPane(self.call)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#{TAB_FOCUS[self.first_tab]}").focus()
        if self.ticket_id is None:
            for pane in ("statement", "disputes"):
                self.tabs.disable_tab(pane)
            self.fees_pane.say(_("No caller on a ticket: only the public fee schedule is shown."))
            return
        self.statement_pane.load()
        self.disputes_pane.load()

    # Actions

    def action_show(self, tab: str) -> None:
        if self.ticket_id is None and tab != "fees":
            self.fees_pane.say(_("Find the caller and verify them to see their statement and disputes."), WARNING)
            return
        self.tabs.active = tab
        # Focus follows, or the focused box left behind in the old tab pulls the view back to it.
        self.query_one(f"#{TAB_FOCUS[tab]}").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane is self.statement_pane:
            self.statement_pane.shown()  # a statement changed from another tab is read now, not before

    # One key press, one round trip: a command's result shows where it was made; a tab it changed is read
    # when the agent next shows it.

    def on_statement_pane_dispute_opened(self, message: StatementPane.DisputeOpened) -> None:
        self.disputes_pane.adopt(message.dispute)
        self.action_show("disputes")
        self.disputes_pane.ready_to_adjust(message.dispute)
        self.statement_changed()  # the row now names its dispute

    def on_disputes_pane_adjusted(self, message: DisputesPane.Adjusted) -> None:
        self.statement_changed()  # a posted adjustment is a line of its own, with its dispute

    def decided_elsewhere(self) -> None:
        """A supervisor decided an adjustment asked for on this call: the dispute shows its new status now,
        the statement its line when the agent next shows it."""
        selected = self.disputes_pane.selected_dispute
        self.disputes_pane.load(select=selected.dispute_id if selected is not None else None)
        self.statement_changed()

    def statement_changed(self) -> None:
        # The agent may have shown the statement while the command ran: then it is read at once.
        self.statement_pane.changed_elsewhere(shown=self.tabs.active == "statement")
