"""PasswordForm: the password (and, to log in, the username) form that the login and lock screens share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.services.errors import LoginRefused, PasswordChangeRequired
from screens.base import Notice, OnHotline
from screens.new_password import NewPasswordDialog

if TYPE_CHECKING:
    from console.services.agents import AgentView

CHECKING = N_("Checking…")


class PasswordForm(OnHotline, Vertical):
    """A panel of fields checked off the event loop; `Accepted` carries the agent whose password it was.

    With `username` None the agent types it (login); otherwise the form is for that agent (unlock).
    After an admin reset the password, the right one opens a dialog for a new one, and the check runs
    again with both.
    `check(username, password, new_password)` is the service that checks it (default: a login, at the
    console's clock).
    """

    @dataclass
    class Accepted(Message):
        agent: AgentView

    def __init__(
        self,
        *heading: Widget,
        username: str | None,
        ids: tuple[str, str, str],
        button: str,
        group: str,
        form_id: str,
        check: Callable[[str, str, str | None], AgentView] | None = None,
    ) -> None:
        super().__init__(id=form_id, classes="panel")
        self._heading = heading
        self.username = username
        self.password_id, self.button_id, self.notice_id = ids
        self.button_label = button
        self.group = group
        self.check = check or self.log_in
        self.checking = False

    def compose(self) -> ComposeResult:
        yield from self._heading
        if self.username is None:
            yield Label(_("Username"), classes="field-label")
            yield Input(id="username", placeholder=_("username"), max_length=64)
        yield Label(_("Password"), classes="field-label")
        yield Input(id=self.password_id, placeholder=_("password"), password=True)
        yield Button(self.button_label, id=self.button_id, variant="primary")
        yield Notice(id=self.notice_id)

    @property
    def password(self) -> Input:
        return self.query_one(f"#{self.password_id}", Input)

    @property
    def notice(self) -> Notice:
        return self.query_one(f"#{self.notice_id}", Notice)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == self.password_id:
            self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.button_id:
            self.submit()

    def submit(self, new_password: str | None = None) -> None:
        if self.checking:
            return
        username = self.username
        if username is None:
            typed = self.query_one("#username", Input)
            if not typed.value.strip():
                self.notice.say(_("Type your username."), refusal=True)
                typed.focus()
                return
            username = typed.value
        password = self.password
        if not password.value:
            self.notice.say(_("Type your password."), refusal=True)
            password.focus()
            return
        self.set_checking(True)
        secret = password.value

        self.run_service(
            lambda: self.check(username, secret, new_password),
            self.accepted,
            refused=self.refused,
            refusals=(LoginRefused,),
            group=self.group,
            latest_only=True,
        )

    def log_in(self, username: str, password: str, new_password: str | None) -> AgentView:
        # The agents service (the ORM, argon2) loads in the worker, not before the login screen shows.
        from console.services.agents import authenticate

        # The console's clock: the time the password was typed is a rule's input (deciding needs it recent).
        now = self.hotline.wall_clock()
        return authenticate(self.database.sessions, username, password, now, new_password=new_password)

    def accepted(self, agent: AgentView) -> None:
        # The keys stay held: the screen that handles `Accepted` releases them once the next screen is up.
        self.set_checking(False, release=False)
        self.password.clear()
        self.post_message(self.Accepted(agent))

    def refused(self, refusal: LoginRefused) -> None:
        self.set_checking(False)
        if isinstance(refusal, PasswordChangeRequired):
            # The password was right: keep it for the check with the new one.
            self.notice.say(str(refusal))
            self.app.push_screen(NewPasswordDialog(str(refusal)), callback=self.new_password_chosen)
            return
        self.notice.say(str(refusal), refusal=True)
        self.password.clear()
        self.password.focus()

    def new_password_chosen(self, new_password: str | None) -> None:
        if new_password is None:
            self.notice.say(_("Not logged in: an admin reset this password, so a new one is needed to log in."))
            self.password.clear()
            self.password.focus()
            return
        self.submit(new_password)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows the notice; the form must not stay stuck in "checking".
        if event.worker.group == self.group and event.state is WorkerState.ERROR:
            self.set_checking(False)
            assert event.worker.error is not None
            from console.services.system import explain_failure

            self.notice.say(explain_failure(event.worker.error), refusal=True)

    def set_checking(self, checking: bool, *, release: bool = True) -> None:
        """While the password is checked, keys typed meanwhile wait for the answer (the next screen,
        or this form again) instead of landing in a field about to be cleared."""
        self.checking = checking
        if checking:
            self.hotline.hold_keys()
        elif release:
            self.hotline.release_keys()
        self.query_one(f"#{self.button_id}", Button).disabled = checking
        if checking:
            self.notice.say(_(CHECKING))
