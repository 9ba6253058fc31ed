"""The two dialogs before a decision: the confirmation that repeats what will happen, and the password
typed again when the last one is over 5 minutes old."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Footer, Static

from console.i18n import N_, _
from console.services.agents import AgentView, confirm_password
from console.services.context import Actor
from console.text import safe_text
from screens.base import HotlineModal
from screens.password_form import PasswordForm

PASSWORD_GROUP = "escalations.password"


class ConfirmDecision(HotlineModal[bool]):
    """Repeats exactly what the decision will do; True to go ahead, False to go back."""

    CSS_PATH = "escalations.tcss"
    AUTO_FOCUS = "#confirm-yes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", N_("Yes, do it"), id="confirm.yes", tooltip=N_("Make the decision as written")),
        Binding(
            "escape,n", "cancel", N_("No, go back"), id="confirm.no", tooltip=N_("Back to the item; nothing is changed")
        ),
    ]

    def __init__(self, title: str, what_happens: str, reason: str) -> None:
        super().__init__()
        self.title_text = title
        self.what_happens = what_happens
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="panel dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(safe_text(self.what_happens + ".", style="bold"), id="confirm-what")
            yield Static(Content.styled(_("Reason: "), "$text-muted") + safe_text(self.reason), id="confirm-reason")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Yes, do it"), id="confirm-yes", variant="primary")
                yield Button(_("No, go back"), id="confirm-no")
        yield Footer(compact=True)

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class PasswordAgain(HotlineModal[bool]):
    """The logged-in supervisor types their password again before deciding; True once it is accepted."""

    CSS_PATH = "escalations.tcss"
    AUTO_FOCUS = "#again-password"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", N_("Back"), id="password_again.cancel", tooltip=N_("Back to the item without deciding")
        ),
    ]

    def __init__(self, agent: AgentView, why: str) -> None:
        super().__init__()
        self.agent = agent
        self.why = why

    def compose(self) -> ComposeResult:
        agent_id = self.agent.id
        yield PasswordForm(
            Static(_("Type your password again"), classes="panel-title"),
            Static(safe_text(self.why, multiline=True), id="again-why"),
            username=self.agent.username,
            ids=("again-password", "again-confirm", "again-message"),
            button=_("Confirm"),
            group=PASSWORD_GROUP,
            form_id="password-again",
            check=lambda _username, password, _new_password: confirm_password(
                self.database.sessions, Actor(agent_id, self.hotline.wall_clock()), password
            ),
        )
        yield Footer(compact=True)

    def on_password_form_accepted(self, message: PasswordForm.Accepted) -> None:
        message.stop()
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
