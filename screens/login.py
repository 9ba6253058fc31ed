"""LoginScreen: an agent types username and password; the check runs off the event loop."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center
from textual.widgets import Footer, Header, Input, Static

from console.i18n import N_, _
from console.text import safe_text
from screens.base import HotlineScreen
from screens.password_form import CHECKING, PasswordForm

__all__ = ["CHECKING", "LoginScreen"]


class LoginScreen(HotlineScreen):
    """The first screen: who is at this console."""

    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#username"
    # Enter is a priority binding so focus moves before the next typed key is routed: an agent
    # who types "ann⏎password⏎" in one burst must not find the password in the username field.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", N_("Next field"), priority=True, show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Center():
            yield PasswordForm(
                Static(_("Log in to Hotline"), classes="panel-title"),
                Static(safe_text(self.hotline.database_label), id="login-database", classes="muted"),
                username=None,
                ids=("password", "log-in", "login-message"),
                button=_("Log in"),
                group="login",
                form_id="login-form",
            )
        yield Footer()

    @property
    def form(self) -> PasswordForm:
        return self.query_one(PasswordForm)

    @property
    def checking(self) -> bool:
        return self.form.checking

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only Enter in the username field is taken early; elsewhere Enter reaches the focused
        # widget as usual, after the keys typed before it (so the password is complete).
        if action == "enter":
            return self.focused is self.query_one("#username", Input)
        return True

    def action_enter(self) -> None:
        self.set_focus(self.form.password)  # synchronous, unlike Input.Submitted

    def on_password_form_accepted(self, message: PasswordForm.Accepted) -> None:
        self.hotline.log_in(message.agent)
