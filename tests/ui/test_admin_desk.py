"""The admin's desk, driven through the real app: an admin lands on it, sees the agents, adds one, resets a
password and sees it once; the schema, the audit check and the policies; and the agent whose password was
reset chooses a new one at the login."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from textual.widgets import Input

from console.app import HotlineApp
from console.db import Database
from console.schema import head_revision
from console.services import agents as agents_service
from screens.admin import AdminDeskScreen
from screens.admin.dialogs import PasswordShownOnce
from screens.escalations import EscalationScreen
from screens.new_password import NewPasswordDialog
from screens.workspace import WorkspaceScreen
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import drive


async def test_an_admin_lands_on_the_desk_and_sees_the_agents_schema_and_policies(
    app: HotlineApp, agents: dict[str, str], floor: dict[str, int]
) -> None:
    async with drive(app) as console:
        await console.log_in("ada")
        desk = console.admin_desk
        assert [row[:4] for row in console.agent_rows()] == [
            ["ada", "Ada Admin", "Admin", "active"],
            ["ann", "Ann Agent", "Agent", "active"],
            ["sam", "Sam Supervisor", "Supervisor", "active"],
        ]
        assert console.shown("#schema-database") == console.shown("#schema-code") == head_revision()
        assert "Up to date." in console.shown("#schema-state")
        policies = console.shown("#policies-body")
        assert "CNY    5,000.00 CNY" in policies
        assert "USD    700 (no such asset in this database)" in policies  # the floor has yuan only
        assert "more than 30 different customers in 60 minutes" in policies
        assert desk.query_one("#agents-table").has_focus


async def test_the_admin_adds_an_agent_and_resets_a_password_shown_once(
    app: HotlineApp, agents: dict[str, str], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ada")
        await console.add_agent("bea", "Bea Baker", "supervisor", "bea-first-password")
        assert ["bea", "Bea Baker", "Supervisor", "active"] in [row[:4] for row in console.agent_rows()]
        assert console.shown("#agents-message") == "Added supervisor bea."

        password = await console.reset_password("ann")
        assert isinstance(app.screen, PasswordShownOnce) and len(password) >= 15
        await console.sees(password)
        await console.press("escape")
        assert isinstance(app.screen, AdminDeskScreen)
        assert password not in console.text()
        assert ["ann", "Ann Agent", "Agent", "new password due"] in [row[:4] for row in console.agent_rows()]
    # The password shown is ann's now, and it asks for her own at the next login; her old one is gone.
    with pytest.raises(agents_service.PasswordChangeRequired):
        agents_service.authenticate(sqlite_database.sessions, "ann", password, now=datetime.now(UTC))
    with pytest.raises(agents_service.LoginRefused, match="Wrong username or password"):
        agents_service.authenticate(sqlite_database.sessions, "ann", PASSWORD, now=datetime.now(UTC))


async def test_a_change_to_a_login_shows_the_line_it_returned_without_reading_the_table_again(
    app: HotlineApp, agents: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.services import admin

    reads: list[object] = []
    real = admin.list_agents

    def counting(*args: Any) -> Any:
        reads.append(args)
        return real(*args)

    monkeypatch.setattr(admin, "list_agents", counting)
    async with drive(app) as console:
        await console.log_in("ada")
        reads.clear()
        # One key press, one round trip: each command returns the line the table shows, in its place by name.
        await console.add_agent("bea", "Bea Baker", "supervisor", "bea-first-password")
        assert [row[0] for row in console.agent_rows()] == ["ada", "ann", "bea", "sam"]
        await console.reset_password("ann")
        await console.press("escape")
        assert ["ann", "Ann Agent", "Agent", "new password due"] in [row[:4] for row in console.agent_rows()]
        assert reads == []


async def test_a_refusal_is_said_in_place_on_the_desk(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.log_in("ada")
        console.select_agent("ada")
        await console.press("f6")
        await console.press("ctrl+s")
        assert console.shown("#agents-message").startswith("ada is the only enabled admin;")
        assert console.agent_rows()[0][:4] == ["ada", "Ada Admin", "Admin", "active"]


async def test_the_audit_check_runs_from_its_key_and_says_its_result(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.log_in("ada")
        assert "Not checked from this console yet." in console.shown("#audit-result")
        await console.press("f10")
        assert console.shown("#audit-result").startswith("The audit log is intact:")


async def test_an_agent_whose_password_was_reset_chooses_a_new_one_at_the_login(
    app: HotlineApp, agents: dict[str, str]
) -> None:
    async with drive(app) as console:
        await console.log_in("ada")
        password = await console.reset_password("ann")
        await console.press("escape")
        await console.press("ctrl+l")
        await console.log_in("ann", password)
        assert isinstance(app.screen, NewPasswordDialog)
        await console.fill("#new-password", "ann-own-password")
        await console.fill("#repeat-password", "not the same")
        await console.press("enter")
        assert console.shown("#new-password-message") == "The two new passwords differ; type them again."
        await console.fill("#new-password", "ann-own-password")
        await console.fill("#repeat-password", "ann-own-password")
        await console.press("enter")
        assert isinstance(app.screen, WorkspaceScreen)
        await console.press("ctrl+l")
        await console.log_in("ann", "ann-own-password")
        assert isinstance(app.screen, WorkspaceScreen)


async def test_the_desk_fits_80_by_24_and_every_key_is_in_the_palette(app: HotlineApp, agents: dict[str, str]) -> None:
    from console.commands import HotlineCommands

    async with drive(app, size=(80, 24)) as console:
        await console.log_in("ada")
        await console.sees("ada", "Agents")
        names = {command.name for command in HotlineCommands(app.screen).commands()}
        assert {"Add agent", "Disable", "Enable", "Role", "Reset password", "Check audit log", "Refresh"} <= names
        await console.press("f4")
        await console.sees("Add an agent", "Add", "Cancel")
        assert app.screen.query_one("#new-username", Input).has_focus
        await console.press("escape")
        assert isinstance(app.screen, AdminDeskScreen)


async def test_a_supervisor_lands_on_the_escalation_queue_not_the_admins_desk(
    app: HotlineApp, agents: dict[str, str]
) -> None:
    async with drive(app) as console:
        await console.log_in("sam")
        assert isinstance(app.screen, EscalationScreen)
