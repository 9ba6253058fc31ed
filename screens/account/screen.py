"""AccountScreen: the verified caller's account over the call: why it is locked and unlocking it, logins,
recent transactions, and the security advice given; each part a widget of its own."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Input, Static

from console.i18n import N_, _
from console.services.context import OnCall
from console.services.errors import ServiceError
from console.services.security_review import SecurityReview, security_review
from console.text import safe_text
from screens.account.advice import AdvicePanel
from screens.account.contact import ContactDialog
from screens.account.lock import LockPanel
from screens.account.security import LoginsPanel, RecentTransactions
from screens.base import HotlineModal
from screens.call_keys import CallKeys, call_key_bindings
from screens.verify import VerifyScreen

REVIEW_GROUP = "account.review"


class AccountScreen(CallKeys, HotlineModal[None]):
    """Security review, unlock and advice for one ticket and its verified caller; closes back to the call."""

    CSS_PATH = "account.tcss"
    AUTO_FOCUS = None  # what gets the focus depends on the lock, known once the review is read
    # Narrow terminals put the advice under the lock, so its words are read whole (account.tcss).
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "unlock",
            N_("Unlock"),
            id="account.unlock",
            tooltip=N_("Unlock a lock after wrong passwords, with the reason typed in the box"),
        ),
        Binding(
            "f3",
            "request_unlock",
            N_("Request supervisor unlock"),
            id="account.request_unlock",
            tooltip=N_("File the unlock of a risk or abnormal-login lock for a supervisor to approve"),
        ),
        Binding(
            "f5",
            "advice",
            N_("Advice"),
            id="account.advice",
            tooltip=N_("Tick the security advice you gave the caller; each tick is saved on the ticket"),
        ),
        Binding(
            "f6",
            "change_contact",
            N_("Change contact"),
            id="account.change_contact",
            tooltip=N_("Change the caller's phone or email on file; the old contact is told"),
        ),
        Binding(
            "f11",
            "verify",
            N_("Verify"),
            id="account.verify",
            tooltip=N_("Open the verify panel: a fresh code for an unlock, or verify the caller first"),
        ),
        Binding(
            "escape",
            "close",
            N_("Back to the call"),
            id="account.close",
            tooltip=N_("Close the account and return to the call; advice ticks are already saved"),
        ),
        *call_key_bindings("account", "wrap_up", "money"),
    ]

    def __init__(self, agent_id: int, ticket_id: int, customer_id: int) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        self.customer_id = customer_id
        self.review: SecurityReview | None = None

    # The parts

    @property
    def lock_panel(self) -> LockPanel:
        return self.query_one(LockPanel)

    @property
    def advice_panel(self) -> AdvicePanel:
        return self.query_one(AdvicePanel)

    def compose(self) -> ComposeResult:
        with Vertical(id="account", classes="panel") as panel:
            panel.border_title = _("Account · ticket #{ticket_id}").format(ticket_id=self.ticket_id)
            yield Static(_("Reading the account…"), id="account-message")
            with VerticalScroll(id="account-body"):
                with Horizontal(id="account-top"):
                    yield LockPanel(self.agent_id, self.ticket_id, self.customer_id)
                    yield AdvicePanel(self.agent_id, self.ticket_id)
                yield LoginsPanel()
                yield RecentTransactions()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#account-body").display = False
        self.load_review()

    # The review

    def load_review(self) -> None:
        self.run_service(
            lambda: security_review(
                self.database.sessions,
                OnCall(
                    agent_id=self.agent_id,
                    now=self.hotline.wall_clock(),
                    ticket_id=self.ticket_id,
                    customer_id=self.customer_id,
                ),
            ),
            self.review_read,
            refused=self.not_allowed,
            group=REVIEW_GROUP,
        )

    def review_read(self, review: SecurityReview) -> None:
        first = self.review is None
        self.review = review
        self.remove_class("-not-verified")
        self.query_one("#account-message", Static).display = False
        self.query_one("#account-body").display = True
        self.lock_panel.show(review)
        self.query_one(LoginsPanel).show(review)
        self.query_one(RecentTransactions).show(review)
        self.advice_panel.show_given(review.advice_given)
        self.refresh_bindings()
        if first:
            self.focus_first()

    def not_allowed(self, refusal: ServiceError) -> None:
        # Not verified (or not this agent's call): nothing of the account is shown.
        self.review = None
        self.lock_panel.review = None
        self.add_class("-not-verified")
        self.query_one("#account-body").display = False
        notice = self.query_one("#account-message", Static)
        notice.display = True
        notice.update(
            Content.assemble(
                safe_text(str(refusal), style="$text-error"),
                "\n\n",
                _(
                    "Press {key_for} to open the verify panel; the account shows once the caller has passed a code."
                ).format(key_for=self.key_for("account.verify")),
            )
        )
        self.refresh_bindings()

    def on_lock_panel_done(self, message: LockPanel.Done) -> None:
        """The lock was dealt with: the advice is next, the panel is read again."""
        if message.reason_had_focus:
            self.action_advice()
        self.load_review()

    def focus_first(self) -> None:
        if self.lock_panel.action_now() is not None:
            self.lock_panel.reason.focus()
        else:
            self.advice_panel.focus_first()

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unlock":
            return self.lock_panel.action_now() == "unlock"
        if action == "request_unlock":
            return self.lock_panel.action_now() == "request"
        if action in ("advice", "change_contact"):
            return self.review is not None
        return True

    def action_unlock(self) -> None:
        self.lock_panel.unlock()

    def action_request_unlock(self) -> None:
        self.lock_panel.request()

    def action_advice(self) -> None:
        self.advice_panel.focus_first()

    def action_change_contact(self) -> None:
        review = self.review
        if review is None:
            return
        self.app.push_screen(
            ContactDialog(self.agent_id, self.ticket_id, self.customer_id, review.phone_masked, review.email_masked),
            callback=self.contact_closed,
        )

    def contact_closed(self, changed: bool | None) -> None:
        if changed:
            self.load_review()

    def action_verify(self) -> None:
        self.app.push_screen(VerifyScreen(self.agent_id, self.ticket_id, self.customer_id), callback=self.verify_closed)

    def verify_closed(self, _: None) -> None:
        self.lock_panel.outcome.say(Content(""))
        self.load_review()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#unlock")
    def unlock_pressed(self) -> None:
        self.action_unlock()

    @on(Button.Pressed, "#request-unlock")
    def request_pressed(self) -> None:
        self.action_request_unlock()

    @on(Input.Submitted, "#unlock-reason")
    def reason_submitted(self) -> None:
        if self.lock_panel.action_now() == "unlock":
            self.action_unlock()
        else:
            self.action_request_unlock()
