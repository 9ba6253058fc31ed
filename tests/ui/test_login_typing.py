"""Typing fast: keys that arrive in one burst land in the field the agent meant."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from console.app import HotlineApp
from screens.workspace import WorkspaceScreen
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import drive


def _burst(app: HotlineApp, keys: list[str]) -> None:
    """Queue every key before the app handles any, as a fast typist or a paste-like burst does."""
    for key in keys:
        character = "\r" if key == "enter" else key
        app.post_message(events.Key(key, character))


async def test_username_enter_password_enter_in_one_burst_logs_in(app: HotlineApp, agents: dict[str, str]) -> None:
    async with drive(app) as console:
        await console.pause()
        _burst(app, [*"ann", "enter", *PASSWORD, "enter"])
        await console.settle()
        assert isinstance(app.screen, WorkspaceScreen)
        assert app.agent is not None and app.agent.username == "ann"


def _key(key: str) -> str:
    return {"tab": "\t", "enter": "\r"}.get(key, key)


def _burst_with_tab(app: HotlineApp, keys: list[str]) -> None:
    for key in keys:
        app.post_message(events.Key(key, _key(key)))


async def test_username_tab_password_enter_in_one_burst_logs_in(app: HotlineApp, agents: dict[str, str]) -> None:
    """The issue's burst: `lina`, Tab, `lina-demo`, Enter left `linalina-demo` in the username box."""
    async with drive(app) as console:
        await console.pause()
        _burst_with_tab(app, [*"ann", "tab", *PASSWORD, "enter"])
        await console.settle()  # the password check (argon2) may take a while on a loaded machine
        await console.wait_until(lambda: isinstance(app.screen, WorkspaceScreen), what="the workspace")
        assert app.agent is not None and app.agent.username == "ann"


async def test_keys_typed_while_the_password_is_checked_land_in_the_workspace(
    app: HotlineApp, agents: dict[str, str]
) -> None:
    """Typed on after Enter, before the workspace is up: the letters reach its lookup box, not the login form."""
    async with drive(app) as console:
        await console.pause()
        _burst_with_tab(app, [*"ann", "tab", *PASSWORD, "enter", *"zhang"])
        await console.settle()
        await console.wait_until(lambda: isinstance(app.screen, WorkspaceScreen), what="the workspace")
        box = app.screen.query_one("#lookup-input", Input)
        await console.wait_until(lambda: box.value == "zhang", what="the typed letters in the lookup box")
        assert app.keys_waiting == 0


async def test_a_burst_after_a_wrong_password_goes_to_the_password_field(
    app: HotlineApp, agents: dict[str, str]
) -> None:
    """Keys typed while a wrong password is checked are kept for the form, not dropped."""
    async with drive(app) as console:
        await console.pause()
        _burst_with_tab(app, [*"ann", "tab", *"wrong", "enter", *"abc"])
        await console.settle()
        field = app.screen.query_one("#password", Input)
        await console.wait_until(lambda: field.value == "abc", what="the keys typed after the refusal")
        assert app.screen.query_one("#username", Input).value == "ann"


async def test_a_paste_after_tab_lands_in_the_next_field(app: HotlineApp, agents: dict[str, str]) -> None:
    """A password manager types the username, Tab, then pastes the password: each in its own field."""
    async with drive(app) as console:
        await console.pause()
        _burst_with_tab(app, [*"ann", "tab"])
        app.post_message(events.Paste(PASSWORD))
        password = app.screen.query_one("#password", Input)
        await console.wait_until(lambda: password.value == PASSWORD, what="the pasted password")
        assert app.screen.query_one("#username", Input).value == "ann"
