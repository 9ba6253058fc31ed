"""NewPasswordDialog: an agent whose password an admin reset chooses their own before the login goes on."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from console.i18n import N_, _
from console.text import safe_text
from screens.base import HotlineModal, Notice

TYPE_IT = N_("Type the new password twice.")
DIFFERENT = N_("The two new passwords differ; type them again.")


class NewPasswordDialog(HotlineModal[str | None]):
    """Asks for the new password twice; dismisses with it, or None to go back to the login.

    The rules for it (length, not the admin's) are the service's: a refusal opens this dialog again
    with the reason.
    """

    AUTO_FOCUS = "#new-password"
    CSS_PATH = "new_password.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            N_("Back to the login"),
            id="new_password.cancel",
            tooltip=N_("Do not log in now; the admin's password still needs a new one next time"),
        ),
    ]

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="new-password-form", classes="panel") as form:
            form.border_title = _("Choose a new password")
            yield Static(safe_text(self.reason), id="new-password-reason")
            yield Label(_("New password"), classes="field-label")
            yield Input(id="new-password", placeholder=_("at least 8 characters"), password=True)
            yield Label(_("The new password again"), classes="field-label")
            yield Input(id="repeat-password", placeholder=_("the same again"), password=True)
            yield Notice(id="new-password-message")
            yield Button(_("Log in with it"), id="choose-password", variant="primary")
        yield Footer()

    @on(Input.Submitted, "#new-password")
    def next_field(self) -> None:
        self.query_one("#repeat-password", Input).focus()

    @on(Input.Submitted, "#repeat-password")
    @on(Button.Pressed, "#choose-password")
    def choose(self) -> None:
        first = self.query_one("#new-password", Input)
        second = self.query_one("#repeat-password", Input)
        notice = self.query_one("#new-password-message", Notice)
        if not first.value:
            notice.say(_(TYPE_IT), refusal=True)
            first.focus()
        elif first.value != second.value:
            notice.say(_(DIFFERENT), refusal=True)
            first.clear()
            second.clear()
            first.focus()
        else:
            self.dismiss(first.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
