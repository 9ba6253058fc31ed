"""CustomerCardPanel: the card of the customer on the call, loaded in a worker."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from console.i18n import _
from console.services.context import Actor
from console.services.customers import CustomerCard, customer_card
from screens.base import OnHotline
from screens.call_text import card_content

CARD_GROUP = "workspace.card"


class CustomerCardPanel(OnHotline, Vertical):
    """The caller's card (masked data only), or a line saying how to find them."""

    def __init__(self, agent_id: int, *, has_ticket: Callable[[], bool]) -> None:
        super().__init__(id="card", classes="panel")
        self.agent_id = agent_id
        self.card: CustomerCard | None = None
        self._has_ticket = has_ticket
        self.border_title = _("Customer")

    def compose(self) -> ComposeResult:
        yield Static(id="card-body")

    def load(self, customer_id: int, ticket_id: int | None) -> None:
        self.run_service(
            lambda: customer_card(
                self.database.sessions,
                Actor(agent_id=self.agent_id, now=self.hotline.wall_clock()),
                customer_id,
                current_ticket_id=ticket_id,
            ),
            self.show,
            group=CARD_GROUP,
            latest_only=True,
        )

    def reload(self, ticket_id: int | None) -> None:
        """The card again (after an unlock or a contact change), if one is shown."""
        if self.card is not None:
            self.load(self.card.customer_id, ticket_id)

    def show(self, card: CustomerCard) -> None:
        self.card = card
        body = card_content(card)
        if not self._has_ticket():
            body += Content.styled(
                _("\nNo ticket open: {key_for} opens one for this customer.").format(
                    key_for=self.key_for("workspace.new_ticket")
                ),
                "$text-warning",
            )
        self.query_one("#card-body", Static).update(body)

    def show_none(self, text: str = "") -> None:
        self.card = None
        text = text or (
            _("No customer yet. Take a call ({key_for}) or find the caller ({key_for2}).").format(
                key_for=self.key_for("workspace.claim"), key_for2=self.key_for("workspace.lookup")
            )
        )
        self.query_one("#card-body", Static).update(Content.styled(text, "$text-muted"))
