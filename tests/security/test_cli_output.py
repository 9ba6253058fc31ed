"""What `hotline` prints: database text without terminal escapes; codes from the outbox only on the demo database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console import cli
from console.db import open_database
from console.keys import KeyRing, write_keyring
from console.seed.demo import DEMO_ACCOUNTS
from console.services import codes
from console.services.agents import hash_password
from console.services.context import OnCall
from console.services.outbox import add_message
from console.settings import load_settings
from models import Agent, OutboxChannel, Role
from tests.support.world import World

# Stored before services cleaned free text, or written by another tool: ESC sequences (clear the
# screen, set the title), BEL, a right-to-left override, and markup that must print literally.
HOSTILE = "[bold]Mallory\x1b[2J\x1b]0;pwned\x07 \u202eriley\u202c"
CONTROLS = ("\x1b", "\x07", "\u202e", "\u202c")


def _insert_agent(url: str, display_name: str) -> None:
    database = open_database(url)
    with database.sessions.begin() as session:
        session.add(Agent(username="mallory", display_name=display_name, role=Role.AGENT, password_hash="x"))
        session.add(
            Agent(username="root", display_name="Root", role=Role.ADMIN, password_hash=hash_password("root-pw-1"))
        )
    database.dispose()


def _insert_message(url: str, recipient: str, body: str) -> None:
    database = open_database(url)
    with database.sessions.begin() as session:
        add_message(
            session,
            None,
            channel=OutboxChannel.SMS,
            recipient=recipient,
            customer_id=None,
            kind="verify",
            body=body,
            now=datetime.now(UTC),
        )
    database.dispose()


def test_agent_list_prints_a_display_name_without_control_characters(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _insert_agent(sqlite_url, HOSTILE)
    write_keyring(load_settings().keys_file, KeyRing.generate())  # the admin's login is audited
    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", "root-pw-1")
    assert cli.main(["agent", "list", "--admin", "root", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "[bold]Mallory[2J]0;pwned riley" in out
    assert not any(control in out for control in CONTROLS)


def test_outbox_prints_a_message_without_control_characters(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_keyring(load_settings().keys_file, KeyRing.generate())
    _insert_message(sqlite_url, "+8613812345678\x1b[2J", f"Hello {HOSTILE}\x07")
    assert cli.main(["outbox", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "Hello [bold]Mallory[2J]0;pwned riley" in out
    assert not any(control in out for control in CONTROLS)


def test_outbox_masks_codes_and_recipients_off_the_demo_database(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_keyring(load_settings().keys_file, KeyRing.generate())
    _insert_message(sqlite_url, "+8613812345678", "Your OK Wallet code is 493017. It expires in 10 minutes.")
    assert cli.main(["outbox", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "493017" not in out and "code is ••••••." in out
    assert "13812345678" not in out and "78" in out
    assert "not a demo database" in out


def test_outbox_shows_codes_on_the_demo_database(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    write_keyring(load_settings().keys_file, world.keyring)
    case = "locked_password_failures"
    codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(
            agent_id=world.agent("lina"),
            now=world.now,
            ticket_id=world.open_ticket(case),
            customer_id=world.customer(case),
        ),
        "sms",
        "verify",
    )
    url = world.database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["outbox", "--customer", DEMO_ACCOUNTS[case].account_number, "--db", url]) == 0
    out = capsys.readouterr().out
    assert world.last_code(case) in out and "••••••" not in out
