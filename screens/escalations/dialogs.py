"""The password typed again before a decision when the last one is over 5 minutes old (the confirmation
that repeats what will happen is the console's one `ConfirmAction`, screens/confirm.py)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from console.i18n import N_, _
from console.services.agents import AgentView, confirm_password
from console.services.context import Actor
from console.text import safe_text
from screens.base import HotlineModal
from screens.password_form import PasswordForm

PASSWORD_GROUP = "escalations.password"


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
