"""AgentsPanel: every login in a table, and the admin's changes to the one selected, each through a dialog."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable

from console.i18n import _
from console.services import admin
from console.services.admin import AgentLine, PasswordReset
from console.services.context import Actor
from console.services.errors import ServiceError
from console.services.labels import role_label
from console.text import cell_text, fill, safe_text
from screens.admin.dialogs import AddAgentDialog, ConfirmDialog, NewLogin, PasswordShownOnce, RoleDialog
from screens.base import Notice, OnHotline

AGENTS_GROUP = "admin.agents"
CHANGE_GROUP = "admin.agents.change"


def status_words(line: AgentLine) -> str:
    if not line.enabled:
        return _("disabled")
    if line.locked:
        return _("locked out")
    return _("new password due") if line.password_change_required else _("active")


class AgentsPanel(OnHotline, Vertical):
    """The logins, by username; the admin acts on the highlighted one. Refusals are said in place."""

    def __init__(self, actor: Callable[[], Actor]) -> None:
        super().__init__(id="agents", classes="panel")
        self.actor = actor
        self.lines: list[AgentLine] = []
        self.border_title = _("Agents")

    def compose(self) -> ComposeResult:
        yield DataTable(id="agents-table", cursor_type="row", zebra_stripes=True)
        yield Notice(id="agents-message")

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#agents-table", DataTable)

    @property
    def notice(self) -> Notice:
        return self.query_one("#agents-message", Notice)

    def on_mount(self) -> None:
        self.table.add_columns(_("Username"), _("Name"), _("Role"), _("Status"), _("Last login (UTC)"))

    # Reading

    def load(self) -> None:
        self.run_service(
            lambda: admin.list_agents(self.database.read_sessions, self.actor()),
            self.show,
            refused=self.refused,
            group=AGENTS_GROUP,
            latest_only=True,
        )

    def show(self, lines: list[AgentLine]) -> None:
        chosen = self.selected
        self.lines = lines
        table = self.table
        table.clear()
        for line in lines:
            last = f"{line.last_login_at:%Y-%m-%d %H:%M}" if line.last_login_at else _("never")
            table.add_row(
                cell_text(line.username),
                cell_text(line.display_name),
                cell_text(role_label(line.role)),
                cell_text(status_words(line), "bold" if status_words(line) != _("active") else ""),
                cell_text(last),
                key=line.username,
            )
        if chosen is not None and chosen.username in {line.username for line in lines}:
            table.move_cursor(row=table.get_row_index(chosen.username))

    def adopt(self, line: AgentLine) -> None:
        """Show a login as a change just returned it, in its place by username: no second read."""
        others = [shown for shown in self.lines if shown.username != line.username]
        self.show(sorted([*others, line], key=lambda shown: shown.username))

    @property
    def selected(self) -> AgentLine | None:
        if not self.lines or self.table.row_count == 0:
            return None
        row = self.table.cursor_row
        return self.lines[row] if 0 <= row < len(self.lines) else None

    # Changing

    def add(self) -> None:
        self.app.push_screen(AddAgentDialog(), callback=self.add_answered)

    def add_answered(self, login: NewLogin | None) -> None:
        if login is None:
            return
        self.change(
            lambda actor: admin.add_agent(
                self.database.sessions, actor, login.username, login.password, login.role, login.display_name or None
            ),
            lambda line: _("Added {role} {username}.").format(
                role=role_label(line.role).lower(), username=line.username
            ),
        )

    def disable(self) -> None:
        if (line := self.chosen()) is None:
            return
        question = fill(
            _("Disable {username}? They can no longer log in, and a console they have open locks at its next action."),
            username=safe_text(line.username, style="bold"),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(
                    lambda actor: admin.disable_agent(self.database.sessions, actor, line.username),
                    lambda done: _("{username} is disabled.").format(username=done.username),
                )

        self.app.push_screen(ConfirmDialog(_("Disable a login"), question, _("Disable")), callback=answered)

    def enable(self) -> None:
        if (line := self.chosen()) is None:
            return
        self.change(
            lambda actor: admin.enable_agent(self.database.sessions, actor, line.username),
            lambda done: _("{username} is enabled.").format(username=done.username),
        )

    def change_role(self) -> None:
        if (line := self.chosen()) is None:
            return

        def answered(role: str | None) -> None:
            if role is not None:
                self.change(
                    lambda actor: admin.change_role(self.database.sessions, actor, line.username, role),
                    lambda done: _("{username}'s role is now {role}.").format(
                        username=done.username, role=role_label(done.role).lower()
                    ),
                )

        self.app.push_screen(RoleDialog(line.username, line.role), callback=answered)

    def reset_password(self) -> None:
        if (line := self.chosen()) is None:
            return
        question = fill(
            _("Give {username} a new random password? Their current one stops working; it is shown to you once."),
            username=safe_text(line.username, style="bold"),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda: admin.reset_password(self.database.sessions, self.actor(), line.username),
                    self.password_reset,
                    refused=self.refused,
                    group=CHANGE_GROUP,
                )

        self.app.push_screen(ConfirmDialog(_("Reset a password"), question, _("Reset")), callback=answered)

    def password_reset(self, reset: PasswordReset) -> None:
        # Straight to the dialog: the panel keeps no copy of the password.
        self.notice.say(
            _("{username} has a new password; they choose their own at the next login.").format(
                username=reset.agent.username
            )
        )
        self.app.push_screen(PasswordShownOnce(reset.agent.username, reset.new_password))
        self.adopt(reset.agent)

    def chosen(self) -> AgentLine | None:
        line = self.selected
        if line is None:
            self.notice.say(_("No agent is selected."), refusal=True)
        return line

    def change(self, call: Callable[[Actor], AgentLine], said: Callable[[AgentLine], str]) -> None:
        """Run one change as the admin, now; say what happened, and show the line the change returned."""

        def done(line: AgentLine) -> None:
            self.notice.say(said(line))
            self.adopt(line)  # one key press, one round trip: the command returned what the row shows

        self.run_service(lambda: call(self.actor()), done, refused=self.refused, group=CHANGE_GROUP)

    def refused(self, refusal: ServiceError) -> None:
        self.notice.say(str(refusal), refusal=True)
