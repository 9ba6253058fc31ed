"""LoginScreen: an agent types username and password; the check runs off the event loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from console.services.agents import AgentView, LoginRefused, authenticate
from console.services.system import explain_failure
from console.text import safe_text
from screens.base import HotlineScreen

CHECKING = "Checking…"


class LoginScreen(HotlineScreen):
    """The first screen: who is at this console."""

    CSS_PATH = "login.tcss"
    AUTO_FOCUS = "#username"
    # Enter is a priority binding so focus moves before the next typed key is routed: an agent
    # who types "ann⏎password⏎" in one burst must not find the password in the username field.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", "Next field", priority=True, show=False),
    ]

    @dataclass
    class Accepted(Message):
        agent: AgentView

    @dataclass
    class Refused(Message):
        reason: str  # the service's plain message, shown as text

    def __init__(self) -> None:
        super().__init__()
        self.checking = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="login-form", classes="panel"):
            yield Static("Log in to Hotline", classes="panel-title")
            yield Static(safe_text(self.hotline.database_label), id="login-database", classes="muted")
            yield Label("Username", classes="field-label")
            yield Input(id="username", placeholder="username", max_length=64)
            yield Label("Password", classes="field-label")
            yield Input(id="password", placeholder="password", password=True)
            yield Button("Log in", id="log-in", variant="primary")
            yield Static(id="login-message")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only Enter in the username field is taken early; elsewhere Enter reaches the focused
        # widget as usual, after the keys typed before it (so the password is complete).
        if action == "enter":
            return self.focused is self.query_one("#username", Input)
        return True

    def action_enter(self) -> None:
        self.set_focus(self.query_one("#password", Input))  # synchronous, unlike Input.Submitted

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#log-in")
    def submit(self) -> None:
        if self.checking:
            return
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        if not username.value.strip():
            self.show_message("Type your username.", error=True)
            username.focus()
            return
        if not password.value:
            self.show_message("Type your password.", error=True)
            password.focus()
            return
        self.set_checking(True)
        self.check_login(username.value, password.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def check_login(self, username: str, password: str) -> None:
        try:
            agent = authenticate(self.database.sessions, username, password)
        except LoginRefused as refused:
            result: Message = self.Refused(str(refused))
        else:
            result = self.Accepted(agent)
        if not get_current_worker().is_cancelled:
            self.post_message(result)

    def on_login_screen_refused(self, message: Refused) -> None:
        self.set_checking(False)
        self.show_message(message.reason, error=True)
        password = self.query_one("#password", Input)
        password.clear()
        password.focus()

    def on_login_screen_accepted(self, message: Accepted) -> None:
        self.set_checking(False)
        self.query_one("#password", Input).clear()
        self.hotline.log_in(message.agent)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows the notice; the form must not stay stuck in "checking".
        if event.worker.group == "login" and event.state is WorkerState.ERROR:
            self.set_checking(False)
            assert event.worker.error is not None
            self.show_message(explain_failure(event.worker.error), error=True)

    def set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.query_one("#log-in", Button).disabled = checking
        if checking:
            self.show_message(CHECKING)

    def show_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#login-message", Static)
        message.set_class(error, "refusal")
        message.update(safe_text(text))
