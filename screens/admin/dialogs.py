"""The admin's desk dialogs: a new login, a role, a yes-or-no, and a new password shown once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from console.i18n import N_, _
from console.text import fill, safe_text
from screens.base import HotlineModal, Notice

ROLES = ("agent", "supervisor", "admin")
ROLE_WORDS = {
    "agent": N_("Agent: takes calls and acts on verified callers"),
    "supervisor": N_("Supervisor: also decides escalations"),
    "admin": N_("Admin: manages agents, the schema and the audit log"),
}


def _role_choices(chosen: str) -> RadioSet:
    return RadioSet(
        *(RadioButton(_(ROLE_WORDS[role]), value=role == chosen, id=f"role-{role}", compact=True) for role in ROLES),
        id="role-choice",
        compact=True,
    )


def _chosen_role(dialog: Screen[Any]) -> str | None:
    pressed = dialog.query_one("#role-choice", RadioSet).pressed_button
    return None if pressed is None or pressed.id is None else pressed.id.removeprefix("role-")


def _buttons(save: str) -> Horizontal:
    return Horizontal(
        Button(save, id="dialog-save", variant="primary", compact=True),
        Button(_("Cancel"), id="dialog-cancel", compact=True),
        classes="dialog-buttons",
    )


_SAVE_AND_CANCEL: list[BindingType] = [
    Binding("ctrl+s", "save", N_("Save"), id="admin_dialog.save", priority=True, tooltip=N_("Do it, as filled in")),
    Binding(
        "escape", "cancel", N_("Cancel"), id="admin_dialog.cancel", tooltip=N_("Close this dialog; nothing changes")
    ),
]


@dataclass(frozen=True)
class NewLogin:
    """What the admin typed for a new login; the services check every rule."""

    username: str
    display_name: str
    role: str
    password: str = field(repr=False)


class AddAgentDialog(HotlineModal[NewLogin | None]):
    """Username, name, role and a first password typed twice; dismisses with them, or None."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#new-username"
    BINDINGS: ClassVar[list[BindingType]] = _SAVE_AND_CANCEL

    def compose(self) -> ComposeResult:
        with Vertical(id="add-agent", classes="panel dialog") as dialog:
            dialog.border_title = _("Add an agent")
            with Grid(classes="facts dialog-fields"):
                yield Label(_("Username"), classes="fact-label")
                yield Input(id="new-username", placeholder=_("lower-case, e.g. wang.fang"), max_length=64, compact=True)
                yield Label(_("Name"), classes="fact-label")
                yield Input(id="new-name", placeholder=_("as colleagues know them"), max_length=128, compact=True)
                yield Label(_("Password"), classes="fact-label")
                yield Input(
                    id="new-agent-password", placeholder=_("at least 8 characters"), password=True, compact=True
                )
                yield Label(_("Again"), classes="fact-label")
                yield Input(id="new-agent-repeat", placeholder=_("the same again"), password=True, compact=True)
            yield Label(_("Role"), classes="field-label")
            yield _role_choices("agent")
            yield Notice(id="add-agent-message")
            yield _buttons(_("Add"))
        yield Footer(compact=True)

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "new-agent-repeat":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#dialog-save")
    def action_save(self) -> None:
        value = {name: self.query_one(f"#{name}", Input).value for name in ("new-username", "new-name")}
        password = self.query_one("#new-agent-password", Input)
        repeat = self.query_one("#new-agent-repeat", Input)
        notice = self.query_one("#add-agent-message", Notice)
        role = _chosen_role(self)
        if not value["new-username"].strip():
            notice.say(_("Type the username."), refusal=True)
            self.query_one("#new-username", Input).focus()
        elif password.value != repeat.value or not password.value:
            notice.say(_("Type the same password in both boxes."), refusal=True)
            password.clear()
            repeat.clear()
            password.focus()
        elif role is None:
            notice.say(_("Choose the role."), refusal=True)
        else:
            self.dismiss(NewLogin(value["new-username"].strip(), value["new-name"].strip(), role, password.value))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class RoleDialog(HotlineModal[str | None]):
    """The role for one login, the current one chosen; dismisses with the role, or None."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#role-choice"
    BINDINGS: ClassVar[list[BindingType]] = _SAVE_AND_CANCEL

    def __init__(self, username: str, role: str) -> None:
        super().__init__()
        self.username = username
        self.role = role

    def compose(self) -> ComposeResult:
        with Vertical(id="change-role", classes="panel dialog") as dialog:
            dialog.border_title = _("Change the role")
            yield Static(
                fill(_("The role of {username}"), username=safe_text(self.username, style="bold")),
                classes="dialog-text",
            )
            yield _role_choices(self.role)
            yield _buttons(_("Save"))
        yield Footer(compact=True)

    @on(Button.Pressed, "#dialog-save")
    def action_save(self) -> None:
        self.dismiss(_chosen_role(self))

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(HotlineModal[bool]):
    """A question with its consequence; dismisses True only for the yes button (or its key)."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#dialog-cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Yes"), id="admin_confirm.yes", priority=True, tooltip=N_("Yes, do it")),
        Binding("escape", "cancel", N_("No"), id="admin_confirm.no", tooltip=N_("No; nothing changes")),
    ]

    def __init__(self, title: str, question: Content, yes: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="panel dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.question, classes="dialog-text")
            yield _buttons(self.yes)
        yield Footer(compact=True)

    @on(Button.Pressed, "#dialog-save")
    def action_save(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class PasswordShownOnce(HotlineModal[None]):
    """The new password of a reset, on screen until the admin closes this; it is kept nowhere else."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#dialog-save"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "close",
            N_("Done"),
            id="admin_password.done",
            tooltip=N_("Close; the password is not shown again"),
        ),
    ]

    def __init__(self, username: str, password: str) -> None:
        super().__init__()
        self.username = username
        self._password = password

    def compose(self) -> ComposeResult:
        with Vertical(id="password-once", classes="panel dialog") as dialog:
            dialog.border_title = _("New password (shown once)")
            yield Static(
                fill(_("New password for {username}"), username=safe_text(self.username, style="bold")),
                classes="dialog-text",
            )
            yield Static(safe_text(self._password, style="bold"), id="shown-password")
            yield Static(
                fill(
                    _(
                        "Give it to {username} in person. It is shown this once and kept nowhere (the database holds"
                        " only its hash); they choose their own at the next login."
                    ),
                    username=self.username,
                ),
                classes="dialog-text",
            )
            done = Button(_("Done"), id="dialog-save", variant="primary", compact=True)
            yield Horizontal(done, classes="dialog-buttons")
        yield Footer(compact=True)

    @on(Button.Pressed, "#dialog-save")
    def action_close(self) -> None:
        self._password = ""
        self.dismiss(None)
