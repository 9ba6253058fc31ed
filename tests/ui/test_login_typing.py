"""Typing fast: keys that arrive in one burst land in the field the agent meant."""

from __future__ import annotations

from textual import events

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
