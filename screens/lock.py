"""LockScreen: an opaque screen over an idle console that only the logged-in agent's password lifts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from console.services.agents import AgentView, LoginRefused, authenticate
from console.services.system import explain_failure
from console.text import safe_text
from screens.base import HotlineScreen

UNLOCK_GROUP = "lock.unlock"
CHECKING = "Checking…"


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
            "Log out",
            id="lock.log_out",
            tooltip="Log out instead; drafts are already saved",
        ),
    ]

    @dataclass
    class Unlocked(Message):
        agent: AgentView

    @dataclass
    class Refused(Message):
        reason: str

    def __init__(self, agent: AgentView, reason: str) -> None:
        super().__init__()
        self.agent = agent
        self.reason = reason
        self.checking = False

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="lock-form", classes="panel"):
            yield Static("Hotline is locked", classes="panel-title")
            yield Static(safe_text(self.reason), id="lock-reason")
            yield Static(
                Content("Logged in as ")
                + safe_text(self.agent.display_name, style="bold")
                + Content(" (")
                + safe_text(self.agent.username)
                + Content(")"),
                id="lock-agent",
            )
            yield Label("Password", classes="field-label")
            yield Input(id="unlock-password", placeholder="password", password=True)
            yield Button("Unlock", id="unlock", variant="primary")
            yield Static(id="lock-message")
        yield Footer()

    def action_log_out(self) -> None:
        self.hotline.log_out()

    @on(Input.Submitted, "#unlock-password")
    @on(Button.Pressed, "#unlock")
    def submit(self) -> None:
        if self.checking:
            return
        password = self.query_one("#unlock-password", Input)
        if not password.value:
            self.show_message("Type your password.", error=True)
            password.focus()
            return
        self.set_checking(True)
        self.check_password(password.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group=UNLOCK_GROUP)
    def check_password(self, password: str) -> None:
        # Only the agent who is logged in can lift the lock: the username is not typed.
        try:
            agent = authenticate(self.database.sessions, self.agent.username, password)
        except LoginRefused as refused:
            result: Message = self.Refused(str(refused))
        else:
            result = self.Unlocked(agent)
        if not get_current_worker().is_cancelled:
            self.post_message(result)

    def on_lock_screen_unlocked(self, message: Unlocked) -> None:
        self.set_checking(False)
        self.query_one("#unlock-password", Input).clear()
        self.hotline.unlock(message.agent)

    def on_lock_screen_refused(self, message: Refused) -> None:
        self.set_checking(False)
        self.show_message(message.reason, error=True)
        password = self.query_one("#unlock-password", Input)
        password.clear()
        password.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == UNLOCK_GROUP and event.state is WorkerState.ERROR:
            self.set_checking(False)
            assert event.worker.error is not None
            self.show_message(explain_failure(event.worker.error), error=True)

    def set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.query_one("#unlock", Button).disabled = checking
        if checking:
            self.show_message(CHECKING)

    def show_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#lock-message", Static)
        message.set_class(error, "refusal")
        message.update(safe_text(text))
