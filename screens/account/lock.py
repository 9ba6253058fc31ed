"""LockPanel: why the account is locked, and unlocking it (or filing the unlock for a supervisor)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from console.i18n import _
from console.services.context import OnCall
from console.services.errors import ServiceError
from console.services.gate import NotVerified, fresh_code_needed
from console.services.labels import customer_status_label
from console.services.security_review import SecurityReview
from console.services.unlocks import UnlockRequestView, UnlockResult, request_unlock, unlock_account
from console.text import clean_text, safe_text
from screens.base import Answer, Notice, OnHotline
from screens.confirm import ConfirmAction

UNLOCK_GROUP = "account.unlock"


def minute_text(moment: datetime | None) -> str:
    return _("{moment:%Y-%m-%d %H:%M} UTC").format(moment=moment) if moment is not None else "-"


def held_until_text(moment: datetime) -> str:
    return _("{moment:%H:%M} UTC on {moment:%Y-%m-%d}").format(moment=moment)


def unlock_follows() -> str:
    """What an unlock sets going, as the confirmation says it (the service does each of these)."""
    return _(
        "Then: the customer must set a new password at the next login, withdrawals are held for 24 hours,"
        " and the customer is told."
    )


class LockPanel(OnHotline, Vertical):
    """The lock as the review shows it; the reason box and the one action the agent may take on it."""

    @dataclass
    class Done(Message):
        """The lock was dealt with (unlocked, or the request filed); `reason_had_focus` says where the agent was."""

        reason_had_focus: bool

    def __init__(self, agent_id: int, ticket_id: int, customer_id: int) -> None:
        super().__init__(id="lock", classes="section")
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        self.customer_id = customer_id
        self.review: SecurityReview | None = None
        self.unlocked: UnlockResult | None = None
        self.busy = False  # an unlock or request is on its way
        self.confirming = False  # the unlock's confirmation is open

    def compose(self) -> ComposeResult:
        yield Static(_("Lock"), classes="section-title")
        yield Static(id="lock-state")
        with Vertical(id="lock-actions"):
            yield Input(placeholder=_("Reason: what you checked"), id="unlock-reason", max_length=1000)
            with Horizontal(id="lock-buttons"):
                yield Button(_("Unlock (f2)"), id="unlock", variant="warning")
                yield Button(_("Request supervisor unlock (f3)"), id="request-unlock")
        yield Notice(id="lock-outcome")

    @property
    def reason(self) -> Input:
        return self.query_one("#unlock-reason", Input)

    @property
    def outcome(self) -> Notice:
        return self.query_one("#lock-outcome", Notice)

    def action_now(self) -> str | None:
        """What the agent can do about the lock now: "unlock", "request", or nothing."""
        review = self.review
        if review is None or review.status != "locked" or self.busy:
            return None
        if review.agent_may_unlock:
            return "unlock"
        if review.pending_unlock is None:
            return "request"
        return None

    def show(self, review: SecurityReview) -> None:
        self.review = review
        lines: list[Content] = []
        status = clean_text(customer_status_label(review.status))
        if review.status == "locked":
            label = review.lock_label or _("reason not recorded")
            lines.append(Content.assemble((_("Locked"), "bold $text-error"), _(": "), safe_text(label, style="bold")))
            lines.append(Content(_("Since {minute_text}").format(minute_text=minute_text(review.locked_at))))
            if review.agent_may_unlock:
                lines.append(Content.styled(_("You may unlock it: type the reason, then Unlock."), "$text-muted"))
            elif review.pending_unlock is None:
                lines.append(
                    Content.styled(
                        _("Only a supervisor can unlock it: type why, then file the request."), "$text-muted"
                    )
                )
        else:
            lines.append(Content.styled(status, "bold $text-success" if review.status == "active" else "bold"))
        if review.pending_unlock is not None:
            request = review.pending_unlock
            lines.append(
                Content.assemble(
                    (_("Unlock request "), "$text-warning"),
                    (f"U{request.request_id}", "bold $text-warning"),
                    (_(" pending"), "$text-warning"),
                    safe_text(
                        _(": filed by {requested_by} at {minute_text}, waiting for a supervisor.").format(
                            requested_by=request.requested_by, minute_text=minute_text(request.requested_at)
                        )
                    ),
                )
            )
            lines.append(Content.assemble((_("Reason: "), "$text-muted"), safe_text(request.reason)))
        if self.unlocked is None:  # after an unlock here, its result (below) says these
            if review.status != "locked" and review.password_reset_required:
                lines.append(Content(_("Password reset required at the next login.")))
            held = review.withdrawals_held_until
            if held is not None and held > self.hotline.wall_clock():
                lines.append(
                    Content(
                        _("Withdrawals held until {held_until_text}.").format(held_until_text=held_until_text(held))
                    )
                )
        self.query_one("#lock-state", Static).update(Content("\n").join(lines))
        action = self.action_now()
        self.query_one("#lock-actions").display = action is not None
        self.query_one("#unlock").display = action == "unlock"
        self.query_one("#request-unlock").display = action == "request"
        if self.unlocked is not None:
            result = self.unlocked
            said = [_("Unlocked.")]
            if result.password_reset_required:
                said.append(_("The customer must set a new password at the next login."))
            said.append(
                _("Withdrawals are held until {held_until_text}.").format(
                    held_until_text=held_until_text(result.withdrawals_held_until)
                )
            )
            said.append(_("The customer has been notified."))
            self.outcome.say(Content.styled(" ".join(said), "$text-success"))

    # Acting on the lock

    def unlock(self) -> None:
        """Ask first, in words: which account, which lock, and what follows an unlock."""
        review = self.review
        if review is None or self.action_now() != "unlock" or self.confirming:
            return
        fresh_until = review.code_fresh_until
        if fresh_until is None or fresh_until <= self.hotline.wall_clock():
            # Before the agent tells the caller "I am unlocking it now": the service would refuse it.
            self.refused(NotVerified(fresh_code_needed()))
            return
        self.confirming = True
        self.outcome.say(Content(""))
        reason = self.reason.value
        self.app.push_screen(
            ConfirmAction(
                _("Unlock the account?"),
                _("Unlock {account}, locked for: {lock}").format(
                    account=review.account_number, lock=review.lock_label or _("reason not recorded")
                ),
                reason if reason.strip() else None,
                follows=unlock_follows(),
            ),
            callback=self.unlock_answered,
        )

    def unlock_answered(self, yes: bool | None) -> None:
        self.confirming = False
        if yes:
            self.act(_("Unlocking…"), unlock_account, self.unlocked_now)
        else:
            self.outcome.say(Content(_("Nothing was changed: the account is still locked.")))

    def request(self) -> None:
        if self.action_now() == "request":
            self.act(_("Filing the request…"), request_unlock, self.requested)

    def act(self, busy: str, service: Callable[[Any, OnCall, str], Answer], done: Callable[[Answer], None]) -> None:
        """Run one lock action for this call's customer with the reason typed, and show its answer."""
        self.begin(busy)
        reason = self.reason.value
        call = OnCall(self.agent_id, self.hotline.wall_clock(), self.ticket_id, self.customer_id)
        self.run_service(
            lambda: service(self.database.sessions, call, reason),
            done,
            refused=self.refused,
            group=UNLOCK_GROUP,
        )

    def begin(self, doing: str) -> None:
        self.busy = True
        self.outcome.say(Content(doing))
        self.screen.refresh_bindings()

    def unlocked_now(self, result: UnlockResult) -> None:
        self.busy = False
        self.unlocked = result
        self.done()

    def requested(self, _: UnlockRequestView) -> None:
        self.busy = False
        self.outcome.say(Content(""))
        self.done()

    def done(self) -> None:
        """The reason box goes; the screen reads the account again."""
        reason = self.reason
        reason.value = ""
        self.post_message(self.Done(reason.has_focus))

    def refused(self, refusal: ServiceError) -> None:
        self.busy = False
        text = safe_text(str(refusal), style="$text-error")
        if isinstance(refusal, NotVerified):
            text = Content.assemble(
                text,
                "\n",
                _("Press {key_for} to open the verify panel and send the caller a fresh code.").format(
                    key_for=self.key_for("account.verify")
                ),
            )
        self.outcome.say(text)
        self.screen.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app reports an unexpected failure (screens.base); here the unlock keys come back.
        if event.worker.group == UNLOCK_GROUP and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            self.outcome.say(Content(""))
            self.screen.refresh_bindings()
