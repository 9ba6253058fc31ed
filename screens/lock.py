"""LockScreen: an opaque screen over an idle console that only the logged-in agent's password lifts."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center
from textual.widgets import Footer, Static

from console.i18n import N_, _
from console.text import fill, safe_text
from screens.base import HotlineScreen
from screens.password_form import CHECKING, PasswordForm

if TYPE_CHECKING:
    from console.services.agents import AgentView

__all__ = ["CHECKING", "UNLOCK_GROUP", "LockScreen"]

UNLOCK_GROUP = "lock.unlock"


class LockScreen(HotlineScreen):
    """Covers the whole console (a full screen, not a see-through dialog): nothing under it shows.

    There is no Header here on purpose: its title is harmless, but nothing of the workspace, not even
    the sub-title, needs to be on a screen the agent has walked away from.
    """

    CSS_PATH = "lock.tcss"
    AUTO_FOCUS = "#unlock-password"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+l",
            "log_out",
            N_("Log out"),
            id="lock.log_out",
            tooltip=N_("Log out instead; drafts are already saved"),
        ),
    ]

    def __init__(self, agent: AgentView, reason: str) -> None:
        super().__init__()
        self.agent = agent
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Center():
            # Only the agent who is logged in can lift the lock: the username is not typed.
            yield PasswordForm(
                Static(_("Hotline is locked"), classes="panel-title"),
                Static(safe_text(self.reason), id="lock-reason"),
                Static(
                    fill(
                        _("Logged in as {name} ({username})"),
                        name=safe_text(self.agent.display_name, style="bold"),
                        username=self.agent.username,
                    ),
                    id="lock-agent",
                ),
                username=self.agent.username,
                ids=("unlock-password", "unlock", "lock-message"),
                button=_("Unlock"),
                group=UNLOCK_GROUP,
                form_id="lock-form",
            )
        yield Footer()

    @property
    def checking(self) -> bool:
        return self.query_one(PasswordForm).checking

    def action_log_out(self) -> None:
        self.hotline.log_out()

    def on_password_form_accepted(self, message: PasswordForm.Accepted) -> None:
        self.hotline.unlock(message.agent)
