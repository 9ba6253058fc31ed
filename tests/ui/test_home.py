"""The database facts screen (f3 from a desk), the keymap and the command palette, driven through the real app."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import OperationalError
from textual.command import CommandPalette

from console.app import HotlineApp, binding_ids
from console.commands import HotlineCommands
from console.db import Database
from console.services.system import DatabaseInfo
from screens import home
from screens.home import HomeScreen
from screens.login import LoginScreen
from tests.ui.console_driver import drive


async def test_home_shows_the_schema_revision_and_customer_count(app: HotlineApp, agents: dict[str, str]) -> None:
    from console.schema import head_revision

    async with drive(app) as console:
        await console.log_in("ada")
        await console.press("f3")  # from the admin's desk
        await console.sees(f"revision {head_revision()} (up to date)", "Customers         0")


async def test_a_database_that_fails_while_reading_facts_says_so_in_place(
    app: HotlineApp, agents: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(database: object) -> DatabaseInfo:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(home, "describe_database", unreachable)
    async with drive(app, notifications=True) as console:
        await console.log_in("ada")
        await console.press("f3")  # from the admin's desk
        await console.wait_until(
            lambda: console.text().count("The database cannot be reached;") == 2, what="the fact, and a notice"
        )
        text = console.text()
        assert "connection refused" not in text and "SELECT" not in text


async def test_refresh_reads_the_facts_again(
    app: HotlineApp, agents: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Database] = []
    real = home.describe_database

    def counting(database: Database) -> DatabaseInfo:
        calls.append(database)
        return real(database)

    monkeypatch.setattr(home, "describe_database", counting)
    async with drive(app) as console:
        await console.log_in("ada")
        await console.press("f3")  # from the admin's desk
        await console.press("f5")
        assert len(calls) == 2
        await console.sees("(up to date)")


async def test_quit_key_closes_the_console(app: HotlineApp) -> None:
    async with drive(app) as console:
        await console.press("ctrl+q", wait=False)
        await console.pause()
    assert app.return_code == 0


async def test_toggle_dark_switches_the_theme(app: HotlineApp) -> None:
    async with drive(app) as console:
        dark = app.current_theme.dark
        await console.press("ctrl+t", wait=False)
        assert app.current_theme.dark is not dark


async def test_keymap_from_settings_remaps_a_binding_by_id(
    app_with: Callable[..., HotlineApp], agents: dict[str, str]
) -> None:
    app = app_with(keymap={"home.log_out": "f4", "home.refresh": "f6"})
    async with drive(app) as console:
        await console.log_in("ada")
        await console.press("f3")  # from the admin's desk
        await console.sees("f6 Refresh")  # the footer shows the new key (log out is in the palette only)
        await console.press("ctrl+l", wait=False)
        await console.pause()
        assert isinstance(app.screen, HomeScreen)
        await console.press("f4", wait=False)
        await console.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_an_unknown_keymap_id_is_reported(app_with: Callable[..., HotlineApp]) -> None:
    app = app_with(keymap={"home.logout": "f4"})
    async with drive(app, notifications=True) as console:
        await console.pause()
        await console.sees("names unknown bindings:", "home.logout. Known: app.quit")


def test_every_binding_has_a_unique_id() -> None:
    ids = binding_ids()
    assert len(ids) == len(set(ids))
    expected = {
        "app.quit",
        "app.commands",
        "app.toggle_dark",
        "app.lock",
        "home.log_out",
        "home.refresh",
        "home.workspace",
        "workspace.claim",
        "workspace.lookup",
        "workspace.new_ticket",
        "workspace.wrap_up",
        "workspace.directory",
        "workspace.my_tickets",
        "wrap_up.finish",
        "wrap_up.cancel",
        "lock.log_out",
        "home.feedback",
        "workspace.feedback",
        "feedback.save",
        "desk.forwarded",
    }
    assert expected <= set(ids)


async def test_palette_lists_the_screens_actions_with_their_current_keys(
    app_with: Callable[..., HotlineApp], agents: dict[str, str]
) -> None:
    app = app_with(keymap={"app.toggle_dark": "f6"})
    async with drive(app) as console:
        login_commands = {c.name for c in HotlineCommands(app.screen).commands()}
        assert login_commands == {"Quit", "Light/dark", "Help"}  # nothing to log out of yet

        await console.log_in("ada")  # an agent lands on the workspace, a supervisor on the queue
        await console.press("f3")  # the database facts, from the admin's desk
        commands = {c.name: c.help for c in HotlineCommands(app.screen).commands()}
        assert commands == {
            "Back": "Back to your desk (esc)",
            "Log out": "Log out and return to the login screen (^l)",
            "Refresh": "Read the database facts again (f5)",
            "Call workspace": "Take calls, find callers and work tickets (f2)",
            "Feedback": "Feedback waiting in each department: read it, see its history, move its status on (^f)",
            "Quit": "Close Hotline and return to the command prompt (^q)",
            "Light/dark": "Switch between the light and the dark theme (f6)",
            "Lock": "Hide the console until you type your password again (f12)",
            "Help": "The keys of this screen; on the demo database, the demo callers and their numbers (f1)",
        }


async def test_palette_offers_no_screenshot_command(app: HotlineApp) -> None:
    # A screenshot would write customer data to whatever directory the console runs in.
    async with drive(app) as console:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Quit" not in titles
        await console.press("ctrl+p", wait=False)
        await console.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_in_traditional_chinese_the_footer_and_palette_name_actions_in_it_and_keymaps_still_apply(
    app_with: Callable[..., HotlineApp], agents: dict[str, str]
) -> None:
    app = app_with(language="zh-TW", keymap={"app.toggle_dark": "f6"})
    async with drive(app) as console:
        await console.sees("f1 說明")  # the login screen's footer (the remapped key is in the palette, below)
        await console.log_in("ada")
        await console.press("f3")  # the database facts, from the admin's desk
        await console.sees("esc 返回", "f5 更新")
        commands = {c.name: c.help for c in HotlineCommands(app.screen).commands()}
        assert commands["登出"] == "登出並返回登入頁面 (^l)"
        assert commands["淺色/深色"] == "在淺色和深色主題之間切換 (f6)"
        assert "Log out" not in commands
