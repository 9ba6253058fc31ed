"""CallScreens: the screens the workspace opens over the call (verify, account, money, feedback, wrap-up), each
for the ticket and customer on screen, and what the workspace shows when each one closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.i18n import _
from console.services.announce import ItemKind
from console.services.call_summary import call_summary
from console.services.context import Actor, OnCall
from console.services.decisions import DecisionNotice
from console.services.feedback import FeedbackView
from console.services.tickets import WrapUp
from screens.account import AccountScreen
from screens.feedback import FeedbackDialog
from screens.money import MoneyScreen
from screens.verify import VerifyScreen
from screens.wrap_up import WrapUpScreen

if TYPE_CHECKING:
    from screens.workspace.screen import WorkspaceScreen


class CallScreens:
    """Opens the screens over the call for one workspace; the workspace's keys call these."""

    def __init__(self, workspace: WorkspaceScreen) -> None:
        self.workspace = workspace

    def caller_id(self) -> int | None:
        """The caller on this call: the ticket's customer, else the one on the card."""
        workspace = self.workspace
        customer_id = workspace.ticket.customer_id if workspace.ticket else None
        if customer_id is None and workspace.card is not None:
            customer_id = workspace.card.customer_id
        return customer_id

    def call(self, what: str) -> tuple[int, int] | None:
        """(ticket id, customer id) of the call on screen, or None after telling the agent what is missing."""
        customer_id = self.caller_id()
        ticket = self.workspace.ticket
        if ticket is None or customer_id is None:
            self.workspace.notify_agent(
                _("{what} needs a ticket with its customer: take a call or find the caller first.").format(what=what)
            )
            return None
        return ticket.ticket_id, customer_id

    def verify(self) -> None:
        workspace = self.workspace
        if call := self.call(_("Verification")):
            # The card shows the verified mark and the balances once the panel closes.
            workspace.app.push_screen(
                VerifyScreen(workspace.agent.id, *call), callback=lambda _: workspace.reload_card()
            )

    def account(self) -> None:
        workspace = self.workspace
        if call := self.call(_("The account")):
            # An unlock or a contact change shows on the card once the screen closes.
            workspace.app.push_screen(
                AccountScreen(workspace.agent.id, *call), callback=lambda _: workspace.reload_card()
            )

    def money(self) -> None:
        workspace = self.workspace
        if workspace.ticket is None or self.caller_id() is None:
            # Fees are public: anyone may ask what a withdrawal costs before saying who they are.
            workspace.app.push_screen(MoneyScreen(workspace.agent.id, None, None, tab="fees"))
        elif call := self.call(_("The statement")):
            # The statement needs a verified caller: an unverified one is asked about fees first.
            card = workspace.card
            screen = MoneyScreen(
                workspace.agent.id,
                *call,
                tab="statement" if workspace.card_panel.verified else "fees",
                account_number=card.account_number if card is not None else "",
            )
            # An adjustment or a dispute shows on the card (and a fee told is now part of the call).
            workspace.app.push_screen(screen, callback=lambda _: workspace.reload_card())

    def decided(self, notice: DecisionNotice) -> None:
        """A supervisor decided something asked for on this call: a money screen open over it shows it."""
        screen = self.workspace.app.screen
        if (
            isinstance(screen, MoneyScreen)
            and notice.kind == ItemKind.ADJUSTMENT
            and screen.ticket_id == notice.ticket_id
        ):
            screen.decided_elsewhere()

    def feedback(self) -> None:
        workspace = self.workspace
        if call := self.call(_("Feedback")):
            ticket_id, customer_id = call
            card, ticket = workspace.card, workspace.ticket
            name = card.full_name if card is not None and card.customer_id == customer_id else ""
            clock = workspace.hotline.wall_clock
            dialog = FeedbackDialog(
                OnCall(workspace.agent.id, clock(), ticket_id, customer_id),
                name or (ticket.customer_name if ticket else None) or "",
                workspace.hotline.settings.feedback_routing,
                clock,
            )
            workspace.app.push_screen(dialog, callback=self.feedback_recorded)

    def feedback_recorded(self, view: FeedbackView | None) -> None:
        if view is None:
            return
        text = _("Feedback F{feedback_id} is with {department_label}.").format(
            feedback_id=view.feedback_id, department_label=view.department_label
        )
        if view.escalation is not None:
            text += _(" The complaint is in the supervisors' queue.")
        self.workspace.notify_agent(text, warning=False)
        self.workspace.reload_card()

    def wrap_up(self) -> None:
        workspace = self.workspace
        ticket, ticket_panel = workspace.ticket, workspace.ticket_panel
        if ticket is None:
            workspace.notify_agent(_("No ticket to wrap up. ") + ticket_panel.no_ticket_text())
            return
        if ticket_panel.wrapping:
            return
        hotline = workspace.hotline
        started = ticket_panel.started if ticket_panel.started is not None else hotline.clock()
        actor, ticket_id = Actor(workspace.agent.id, hotline.wall_clock()), ticket.ticket_id
        workspace.app.push_screen(
            WrapUpScreen(
                ticket_id,
                int(hotline.clock() - started),
                ticket_panel.notes.text,
                hotline.wall_clock().date(),
                hotline.clock,
                summary=lambda: call_summary(workspace.database.sessions, actor, ticket_id),
            ),
            callback=self.wrap_up_answered,
        )

    def wrap_up_answered(self, answer: WrapUp | None) -> None:
        if answer is not None and self.workspace.ticket is not None:
            self.workspace.ticket_panel.wrap_up(answer)
