"""AccountScreen: the verified caller's account over the call: why it is locked and unlocking it, logins,
recent transactions, and the security advice given."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Static
from textual.worker import Worker, WorkerState

from console.services.errors import ServiceError
from console.services.gate import NotVerified
from console.services.security_review import ADVICE, SecurityReview, record_advice, security_review
from console.services.unlocks import UnlockRequestView, UnlockResult, request_unlock, unlock_account
from console.text import cell_text, clean_text, safe_text
from screens.base import HotlineModal
from screens.call_text import STATUS_LABELS
from screens.verify import VerifyScreen

REVIEW_GROUP = "account.review"
UNLOCK_GROUP = "account.unlock"
ADVICE_GROUP = "account.advice"

KIND_LABELS = {
    "deposit": "Deposit",
    "withdrawal": "Withdrawal",
    "transfer_in": "Transfer in",
    "transfer_out": "Transfer out",
    "fee": "Fee",
    "adjustment": "Adjustment",
}


def _minute(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else "-"


def _held_until(moment: datetime) -> str:
    return f"{moment:%H:%M} UTC on {moment:%Y-%m-%d}"


def _advice_id(code: str) -> str:
    return f"advice-{code.replace('_', '-')}"


class AccountScreen(HotlineModal[None]):
    """Security review, unlock and advice for one ticket and its verified caller; closes back to the call."""

    CSS_PATH = "account.tcss"
    AUTO_FOCUS = None  # what gets the focus depends on the lock, known once the review is read
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "unlock",
            "Unlock",
            id="account.unlock",
            tooltip="Unlock a lock after wrong passwords, with the reason typed in the box",
        ),
        Binding(
            "f3",
            "request_unlock",
            "Request supervisor unlock",
            id="account.request_unlock",
            tooltip="File the unlock of a risk or abnormal-login lock for a supervisor to approve",
        ),
        Binding(
            "f5",
            "advice",
            "Advice",
            id="account.advice",
            tooltip="Tick the security advice you gave the caller; each tick is saved on the ticket",
        ),
        Binding(
            "f11",
            "verify",
            "Verify",
            id="account.verify",
            tooltip="Open the verify panel: a fresh code for an unlock, or verify the caller first",
        ),
        Binding(
            "escape",
            "close",
            "Back to the call",
            id="account.close",
            tooltip="Close the account and return to the call; advice ticks are already saved",
        ),
    ]

    # What workers report back.

    @dataclass
    class ReviewRead(Message):
        review: SecurityReview

    @dataclass
    class NotAllowed(Message):
        text: str  # the service's "Caller not verified: ..." sentence

    @dataclass
    class Unlocked(Message):
        result: UnlockResult

    @dataclass
    class UnlockRequested(Message):
        request: UnlockRequestView

    @dataclass
    class UnlockRefused(Message):
        text: str
        needs_verify: bool

    @dataclass
    class AdviceSaved(Message):
        given: tuple[str, ...]

    @dataclass
    class AdviceFailed(Message):
        text: str

    def __init__(self, agent_id: int, ticket_id: int, customer_id: int) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        self.customer_id = customer_id
        self.review: SecurityReview | None = None
        self.unlocked: UnlockResult | None = None
        self.busy = False  # an unlock or request is on its way
        # The ticks the agent wants saved; saves run one at a time, each saving the latest ticks.
        self.advice_wanted: tuple[str, ...] = ()
        self._advice_lock = threading.Lock()
        self._advice_shown = False

    def compose(self) -> ComposeResult:
        with Vertical(id="account", classes="panel") as panel:
            panel.border_title = f"Account · ticket #{self.ticket_id}"
            yield Static("Reading the account…", id="account-message")
            with VerticalScroll(id="account-body"):
                with Horizontal(id="account-top"):
                    with Vertical(id="lock", classes="section"):
                        yield Static("Lock", classes="section-title")
                        yield Static(id="lock-state")
                        with Vertical(id="lock-actions"):
                            yield Input(placeholder="Reason: what you checked", id="unlock-reason", max_length=1000)
                            with Horizontal(id="lock-buttons"):
                                yield Button("Unlock (f2)", id="unlock", variant="warning")
                                yield Button("Request supervisor unlock (f3)", id="request-unlock")
                        yield Static(id="lock-outcome")
                    with Vertical(id="advice", classes="section"):
                        yield Static("Advice given on this call", classes="section-title")
                        for code, words in ADVICE.items():
                            yield Checkbox(Content(words), id=_advice_id(code), name=code, compact=True)
                        yield Static(id="advice-state", classes="muted")
                with Vertical(id="security", classes="section"):
                    yield Static("Logins", classes="section-title")
                    yield Static(id="security-facts")
                    yield DataTable(id="logins", cursor_type="row", zebra_stripes=True)
                with Vertical(id="recent", classes="section"):
                    yield Static("Recent transactions", classes="section-title")
                    yield DataTable(id="transactions", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#account-body").display = False
        self.query_one("#logins", DataTable).add_columns("Time (UTC)", "Region", "Device", "Result", "Flag")
        self.query_one("#transactions", DataTable).add_columns("Time (UTC)", "Type", "Status", "Amount", "Ref.")
        self.load_review()

    def now(self) -> datetime:
        return self.hotline.wall_clock()

    # Workers

    @work(thread=True, exclusive=True, exit_on_error=False, group=REVIEW_GROUP)
    def load_review(self) -> None:
        try:
            review = security_review(
                self.database.sessions, self.ticket_id, self.agent_id, self.customer_id, self.now()
            )
        except ServiceError as refused:
            self.post_message(self.NotAllowed(str(refused)))
            return
        self.post_message(self.ReviewRead(review))

    @work(thread=True, exclusive=True, exit_on_error=False, group=UNLOCK_GROUP)
    def unlock(self, reason: str) -> None:
        try:
            result = unlock_account(
                self.database.sessions, self.ticket_id, self.agent_id, self.customer_id, reason, self.now()
            )
        except ServiceError as refused:
            self.post_message(self.UnlockRefused(str(refused), isinstance(refused, NotVerified)))
            return
        self.post_message(self.Unlocked(result))

    @work(thread=True, exclusive=True, exit_on_error=False, group=UNLOCK_GROUP)
    def file_request(self, reason: str) -> None:
        try:
            request = request_unlock(
                self.database.sessions, self.ticket_id, self.agent_id, self.customer_id, reason, self.now()
            )
        except ServiceError as refused:
            self.post_message(self.UnlockRefused(str(refused), isinstance(refused, NotVerified)))
            return
        self.post_message(self.UnlockRequested(request))

    @work(thread=True, exclusive=True, exit_on_error=False, group=ADVICE_GROUP)
    def save_advice(self) -> None:
        # One save at a time, and each saves the ticks as they are when it gets its turn: the last
        # save to commit always carries the last tick, even if an earlier worker was cancelled.
        with self._advice_lock:
            wanted = self.advice_wanted
            try:
                given = record_advice(self.database.sessions, self.ticket_id, self.agent_id, wanted, self.now())
            except ServiceError as refused:
                self.post_message(self.AdviceFailed(str(refused)))
                return
        self.post_message(self.AdviceSaved(given))

    # What the workers report

    def on_account_screen_review_read(self, message: ReviewRead) -> None:
        first = self.review is None
        self.review = message.review
        self.remove_class("-not-verified")
        self.query_one("#account-message", Static).display = False
        self.query_one("#account-body").display = True
        self.show_lock()
        self.show_security()
        self.show_transactions()
        if not self._advice_shown:
            # Only the first read sets the ticks: later reads could be older than a tick being saved.
            self._advice_shown = True
            self.advice_wanted = message.review.advice_given
            for checkbox in self.query(Checkbox):
                with checkbox.prevent(Checkbox.Changed):
                    checkbox.value = checkbox.name in message.review.advice_given
            given = len(message.review.advice_given)
            self.query_one("#advice-state", Static).update(
                f"{given} of {len(ADVICE)} given so far." if given else "None given yet."
            )
        self.refresh_bindings()
        if first:
            self.focus_first()

    def on_account_screen_not_allowed(self, message: NotAllowed) -> None:
        # Not verified (or not this agent's call): nothing of the account is shown.
        self.review = None
        self.add_class("-not-verified")
        self.query_one("#account-body").display = False
        notice = self.query_one("#account-message", Static)
        notice.display = True
        notice.update(
            Content.assemble(
                safe_text(message.text, style="$text-error"),
                "\n\n",
                f"Press {self.key_for('verify')} to open the verify panel; the account shows once the caller"
                " has passed a code.",
            )
        )
        self.refresh_bindings()

    def on_account_screen_unlocked(self, message: Unlocked) -> None:
        self.busy = False
        self.unlocked = message.result
        self.lock_done()

    def on_account_screen_unlock_requested(self, message: UnlockRequested) -> None:
        self.busy = False
        self.show_outcome(Content(""))
        self.lock_done()

    def lock_done(self) -> None:
        """The lock was dealt with: the reason box goes, the advice is next, the panel is read again."""
        reason = self.query_one("#unlock-reason", Input)
        reason.value = ""
        if reason.has_focus:
            self.action_advice()
        self.load_review()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app reports an unexpected failure (screens.base); here the unlock keys come back.
        if event.worker.group == UNLOCK_GROUP and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            self.show_outcome(Content(""))
            self.refresh_bindings()

    def on_account_screen_unlock_refused(self, message: UnlockRefused) -> None:
        self.busy = False
        text = safe_text(message.text, style="$text-error")
        if message.needs_verify:
            text = Content.assemble(
                text, "\n", f"Press {self.key_for('verify')} to open the verify panel and send the caller a fresh code."
            )
        self.show_outcome(text)
        self.refresh_bindings()

    def on_account_screen_advice_saved(self, message: AdviceSaved) -> None:
        if message.given != self.advice_wanted:
            return  # a later tick is still being saved
        self.query_one("#advice-state", Static).update(
            Content.assemble(
                ("Saved", "$text-success"),
                f" on ticket #{self.ticket_id}: {len(message.given)} of {len(ADVICE)} given.",
            )
        )

    def on_account_screen_advice_failed(self, message: AdviceFailed) -> None:
        self.query_one("#advice-state", Static).update(
            Content.assemble(safe_text(f"Not saved: {message.text}", style="$text-error"), " Tick again to retry.")
        )

    # Showing

    def key_for(self, action: str) -> str:
        """The key that runs `action` here, as the footer names it (keymaps can change it)."""
        for key, active in self.active_bindings.items():
            if active.binding.action == action:
                return self.app.get_key_display(active.binding.with_key(key))
        return "the verify key"

    def tone(self, variable: str) -> str:
        """A theme colour for a table cell (rich styles cannot name theme variables)."""
        return self.app.theme_variables.get(variable, "")

    def show_outcome(self, content: Content) -> None:
        self.query_one("#lock-outcome", Static).update(content)

    def lock_action(self) -> str | None:
        """What the agent can do about the lock now: "unlock", "request", or nothing."""
        review = self.review
        if review is None or review.status != "locked" or self.busy:
            return None
        if review.agent_may_unlock:
            return "unlock"
        if review.pending_unlock is None:
            return "request"
        return None

    def show_lock(self) -> None:
        review = self.review
        assert review is not None
        lines: list[Content] = []
        status = STATUS_LABELS.get(review.status, clean_text(review.status))
        if review.status == "locked":
            label = review.lock_label or "reason not recorded"
            lines.append(Content.assemble(("Locked", "bold $text-error"), ": ", safe_text(label, style="bold")))
            lines.append(Content(f"Since {_minute(review.locked_at)}"))
            if review.agent_may_unlock:
                lines.append(Content.styled("You may unlock it: type the reason, then Unlock.", "$text-muted"))
            elif review.pending_unlock is None:
                lines.append(
                    Content.styled("Only a supervisor can unlock it: type why, then file the request.", "$text-muted")
                )
        else:
            lines.append(Content.styled(status, "bold $text-success" if review.status == "active" else "bold"))
        if review.pending_unlock is not None:
            request = review.pending_unlock
            lines.append(
                Content.assemble(
                    ("Unlock request ", "$text-warning"),
                    (f"U{request.request_id}", "bold $text-warning"),
                    (" pending", "$text-warning"),
                    safe_text(
                        f": filed by {request.requested_by} at"
                        f" {_minute(request.requested_at)}, waiting for a supervisor."
                    ),
                )
            )
            lines.append(Content.assemble(("Reason: ", "$text-muted"), safe_text(request.reason)))
        if self.unlocked is None:  # after an unlock here, its result (below) says these
            if review.status != "locked" and review.password_reset_required:
                lines.append(Content("Password reset required at the next login."))
            held = review.withdrawals_held_until
            if held is not None and held > self.now():
                lines.append(Content(f"Withdrawals held until {_held_until(held)}."))
        self.query_one("#lock-state", Static).update(Content("\n").join(lines))
        action = self.lock_action()
        self.query_one("#lock-actions").display = action is not None
        self.query_one("#unlock").display = action == "unlock"
        self.query_one("#request-unlock").display = action == "request"
        if self.unlocked is not None:
            result = self.unlocked
            said = ["Unlocked."]
            if result.password_reset_required:
                said.append("The customer must set a new password at the next login.")
            said.append(f"Withdrawals are held until {_held_until(result.withdrawals_held_until)}.")
            said.append("The customer has been notified.")
            self.show_outcome(Content.styled(" ".join(said), "$text-success"))

    def show_security(self) -> None:
        review = self.review
        assert review is not None
        on = Content.styled("on", "bold $text-success")
        off = Content.styled("off", "bold $text-warning")
        failed = review.failed_logins_30_days
        self.query_one("#security-facts", Static).update(
            Content.assemble(
                "2FA ",
                on if review.two_factor else off,
                " · phone ",
                Content("bound") if review.phone_bound else Content.styled("not bound", "$text-warning"),
                " · failed logins in 30 days: ",
                Content.styled(str(failed), "bold $text-error") if failed else Content("0"),
            )
        )
        error, warning = self.tone("text-error"), self.tone("text-warning")
        table = self.query_one("#logins", DataTable)
        table.clear()
        for login in review.logins:
            table.add_row(
                f"{login.occurred_at:%Y-%m-%d %H:%M}",
                cell_text(login.region),
                cell_text(login.device),
                cell_text("Success") if login.success else cell_text("Failed", f"bold {error}"),
                cell_text("unusual", f"bold {warning}") if login.unusual else "",
            )
        if not review.logins:
            table.add_row("No logins on record.", "", "", "", "")

    def show_transactions(self) -> None:
        review = self.review
        assert review is not None
        table = self.query_one("#transactions", DataTable)
        table.clear()
        for row in review.transactions:
            table.add_row(
                f"{row.created_at:%Y-%m-%d %H:%M}",
                cell_text(KIND_LABELS.get(row.kind, row.kind.replace("_", " "))),
                cell_text(row.status.capitalize()),
                cell_text(row.amount_text, right=True),
                f"T{row.transaction_id}",
            )
        if not review.transactions:
            table.add_row("No transactions.", "", "", "", "")

    def focus_first(self) -> None:
        if self.lock_action() is not None:
            self.query_one("#unlock-reason", Input).focus()
        else:
            self.query(Checkbox).first().focus()

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unlock":
            return self.lock_action() == "unlock"
        if action == "request_unlock":
            return self.lock_action() == "request"
        if action == "advice":
            return self.review is not None
        return True

    def action_unlock(self) -> None:
        if self.lock_action() != "unlock":
            return
        self.busy = True
        self.show_outcome(Content("Unlocking…"))
        self.refresh_bindings()
        self.unlock(self.query_one("#unlock-reason", Input).value)

    def action_request_unlock(self) -> None:
        if self.lock_action() != "request":
            return
        self.busy = True
        self.show_outcome(Content("Filing the request…"))
        self.refresh_bindings()
        self.file_request(self.query_one("#unlock-reason", Input).value)

    def action_advice(self) -> None:
        self.query(Checkbox).first().focus()

    def action_verify(self) -> None:
        self.app.push_screen(VerifyScreen(self.agent_id, self.ticket_id, self.customer_id), callback=self.verify_closed)

    def verify_closed(self, _: None) -> None:
        self.show_outcome(Content(""))
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
        if self.lock_action() == "unlock":
            self.action_unlock()
        else:
            self.action_request_unlock()

    @on(Checkbox.Changed)
    def advice_ticked(self) -> None:
        self.advice_wanted = tuple(code for code in ADVICE if self.query_one(f"#{_advice_id(code)}", Checkbox).value)
        self.query_one("#advice-state", Static).update("Saving…")
        self.save_advice()
