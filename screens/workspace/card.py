"""CustomerCardPanel: the card of the customer on the call, with whether the caller is verified (by which
factor, for how much longer) and, once verified, the balances; loaded in a worker, its clock kept on the loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from console.i18n import _
from console.services.balances import BalanceLine, caller_balances
from console.services.context import Actor, OnCall
from console.services.customers import CustomerCard, customer_card
from console.services.gate import NotVerified
from console.services.labels import factor_label
from console.services.verification import VerificationStatus, verification_status
from console.text import safe_text
from screens.base import OnHotline
from screens.call_text import card_content

CARD_GROUP = "workspace.card"


@dataclass(frozen=True)
class CardRead:
    """One read of the card: the card, and on a ticket for this customer, the verification and balances."""

    card: CustomerCard
    verification: VerificationStatus | None
    balances: tuple[BalanceLine, ...]


def minutes_left(until: datetime, now: datetime) -> int:
    """Whole minutes left, rounded up: 'ends in 1 min' until the very end."""
    seconds = (until - now).total_seconds()
    return max(0, int(-(-seconds // 60)))


def verification_line(status: VerificationStatus | None, now: datetime, verify_key: str) -> Content:
    """Verified or not, by which factor, for how much longer, and how long it is fresh for high-risk actions."""
    ended = status is not None and status.verified and status.ends_at is not None and status.ends_at <= now
    if status is None or not status.verified or ended:
        text = _("Not verified: masked data only; {key} verifies the caller.").format(key=verify_key)
        if ended:
            text = _("Verification ended: {key} verifies the caller again.").format(key=verify_key)
        return Content.assemble(("✗ ", "bold $text-warning"), (text, "$text-warning"))
    factor = factor_label(status.factor)
    parts = [
        _("Verified by {factor} at {time} UTC").format(
            factor=factor, time=f"{status.verified_at:%H:%M}" if status.verified_at else "-"
        )
    ]
    if status.ends_at is not None:
        parts.append(_("ends in {minutes} min").format(minutes=minutes_left(status.ends_at, now)))
    if status.fresh_until is not None and status.fresh_until > now:
        parts.append(
            _("fresh for high-risk actions for {minutes} more min").format(
                minutes=minutes_left(status.fresh_until, now)
            )
        )
    else:
        parts.append(_("unlocks and adjustments need a fresh code"))
    return Content.assemble(("✔ ", "bold $text-success"), (" · ".join(parts), "$text-success"))


def balances_line(balances: tuple[BalanceLine, ...]) -> Content:
    label = f"{_('Balances'):<9}"
    if not balances:
        return Content.assemble((label, "$text-muted"), _("no assets held"))
    return Content.assemble((label, "$text-muted"), safe_text(" · ".join(line.amount_text for line in balances)))


class CustomerCardPanel(OnHotline, Vertical):
    """The caller's card (masked data only until verified), or a line saying how to find them."""

    @dataclass
    class Read(Message):
        """The card was read: the customer's status as it is now (the find list's row follows it)."""

        customer_id: int
        status: str

    def __init__(self, agent_id: int, *, has_ticket: Callable[[], bool]) -> None:
        super().__init__(id="card", classes="panel")
        self.agent_id = agent_id
        self.card: CustomerCard | None = None
        self.verification: VerificationStatus | None = None
        self.balances: tuple[BalanceLine, ...] = ()
        self._has_ticket = has_ticket
        self.border_title = _("Customer")

    def compose(self) -> ComposeResult:
        yield Static(id="card-verified")
        yield Static(id="card-body")

    def on_mount(self) -> None:
        self.query_one("#card-verified").display = False

    def load(self, customer_id: int, ticket_id: int | None) -> None:
        if self.card is not None and self.card.customer_id != customer_id:
            self.forget_verification()  # another customer: nothing of the last one's state stays on screen
        sessions, agent_id, now = self.database.sessions, self.agent_id, self.hotline.wall_clock()

        def read() -> CardRead:
            card = customer_card(sessions, Actor(agent_id=agent_id, now=now), customer_id, current_ticket_id=ticket_id)
            if ticket_id is None:
                return CardRead(card, None, ())
            call = OnCall(agent_id=agent_id, now=now, ticket_id=ticket_id, customer_id=customer_id)
            status = verification_status(sessions, call)
            if not status.verified:
                return CardRead(card, status, ())
            try:
                return CardRead(card, status, caller_balances(sessions, call))
            except NotVerified:  # the ticket is for another customer than this card's
                return CardRead(card, None, ())

        self.run_service(read, self.show_read, group=CARD_GROUP, latest_only=True)

    def reload(self, ticket_id: int | None) -> None:
        """The card again (after an unlock, a verification, an adjustment), if one is shown."""
        if self.card is not None:
            self.load(self.card.customer_id, ticket_id)

    def show_read(self, read: CardRead) -> None:
        self.verification, self.balances = read.verification, read.balances
        self.show(read.card)
        self.post_message(self.Read(read.card.customer_id, read.card.status))

    def show(self, card: CustomerCard) -> None:
        self.card = card
        body = card_content(card)
        if self.verification is not None and self.verification.verified:
            lines = body.split("\n", allow_blank=True)
            body = Content("\n").join([*lines[:1], balances_line(self.balances), *lines[1:]])
        if not self._has_ticket():
            body += Content.styled(
                _("\nNo ticket open: {key_for} opens one for this customer.").format(
                    key_for=self.key_for("workspace.new_ticket")
                ),
                "$text-warning",
            )
        self.query_one("#card-body", Static).update(body)
        self.tick()

    def tick(self) -> None:
        """Once a second (the workspace's timer): the verified mark from the status in hand, no database call."""
        mark = self.query_one("#card-verified", Static)
        if self.card is None or not self._has_ticket():
            mark.display = False
            return
        status = self.verification
        now = self.hotline.wall_clock()
        ended = status is not None and status.verified and status.ends_at is not None and status.ends_at <= now
        if ended and self.balances:  # verification ended: the balances go with it
            self.balances = ()
            self.show(self.card)
            return
        mark.display = True
        mark.update(verification_line(status, now, self.key_for("workspace.verify")))

    @property
    def verified(self) -> bool:
        """The caller on the card is verified on this call, as last read (and not ended since)."""
        status = self.verification
        if status is None or not status.verified:
            return False
        return status.ends_at is None or status.ends_at > self.hotline.wall_clock()

    def forget_verification(self) -> None:
        self.verification, self.balances = None, ()

    def show_none(self, text: str = "") -> None:
        self.card = None
        self.forget_verification()
        self.query_one("#card-verified").display = False
        text = text or (
            _("No customer yet. Take a call ({key_for}) or find the caller ({key_for2}).").format(
                key_for=self.key_for("workspace.claim"), key_for2=self.key_for("workspace.lookup")
            )
        )
        self.query_one("#card-body", Static).update(Content.styled(text, "$text-muted"))
