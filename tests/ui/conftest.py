"""Fixtures for the real console: settings, agents of each role, the call floor, the app.

The steps that drive it are in console_driver.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from console.app import HotlineApp, make_app
from console.db import Database
from console.services import admin
from console.services.agents import add_agent
from console.services.context import Actor
from console.settings import Settings, load_settings, with_overrides
from models import Agent
from tests.support.call_floor import build_call_floor

PASSWORD = "correct-horse-battery"
SIZE = (120, 40)


@pytest.fixture
def settings(isolated_user_dirs: object, sqlite_database: Database) -> Settings:
    """Settings as a user would have them, pointing at the test's database."""
    url = sqlite_database.engine.url.render_as_string(hide_password=False)
    return with_overrides(load_settings(), database_url=url)


@pytest.fixture
def agents(sqlite_database: Database) -> dict[str, str]:
    """One agent per role, all with PASSWORD; role -> username."""
    usernames = {"agent": "ann", "supervisor": "sam", "admin": "ada"}
    names = {"agent": "Ann Agent", "supervisor": "Sam Supervisor", "admin": "Ada Admin"}
    for role, username in usernames.items():
        add_agent(sqlite_database.sessions, username, PASSWORD, role, display_name=names[role], now=datetime.now(UTC))
    return usernames


def disable_login(database: Database, username: str, by: str = "ada") -> None:
    """The admin `by` (of the `agents` fixture) disables a login, as from the admin's desk."""
    with database.sessions() as session:
        by_id = session.scalar(select(Agent.id).where(Agent.username == by))
    assert by_id is not None
    admin.disable_agent(database.sessions, Actor(by_id, datetime.now(UTC)), username)


@pytest.fixture
def floor(sqlite_database: Database, agents: dict[str, str]) -> dict[str, int]:
    """Hotlines and the fixed customers of tests/support/call_floor.py; account -> customer id."""
    return build_call_floor(sqlite_database)


@pytest.fixture
def app(settings: Settings, sqlite_database: Database) -> HotlineApp:
    return make_app(settings, sqlite_database)


@pytest.fixture
def app_with(settings: Settings, sqlite_database: Database) -> Callable[..., HotlineApp]:
    """make_app with some settings or the database replaced."""

    def build(database: Database | None = None, **changes: object) -> HotlineApp:
        return make_app(with_overrides(settings, **changes), database or sqlite_database)

    return build
