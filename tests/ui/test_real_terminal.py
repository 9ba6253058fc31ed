"""The real `hotline` in a pseudo-terminal: a burst of keys at the login lands where it was aimed, and a
call left open by quitting comes back after a restart with its talk time."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console import cli
from console.seed.demo import demo_callers
from tests.support.real_terminal import CTRL_Q, ENTER, F2, RealTerminal

# The console's Textual driver needs a POSIX terminal.
pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")

LOGIN_BURST = b"lina\tlina-demo\r"  # the burst: username, Tab, password, Enter in one write
WORKSPACE_TEXT = "Find caller"  # only the call workspace shows it


@pytest.fixture
def demo_env(isolated_user_dirs: Path) -> dict[str, str]:
    """A demo database built by `hotline demo`, and the environment that points the console at it."""
    assert cli.main(["demo", "--no-console"]) == 0
    return dict(os.environ)


@pytest.fixture
def terminals() -> Iterator[list[RealTerminal]]:
    opened: list[RealTerminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def start(terminals: list[RealTerminal], env: dict[str, str]) -> RealTerminal:
    terminal = RealTerminal(["run", "--demo"], env)
    terminals.append(terminal)
    terminal.wait_for("Log in to Hotline")
    return terminal


def test_a_burst_of_keys_at_the_login_logs_in(demo_env: dict[str, str], terminals: list[RealTerminal]) -> None:
    """`lina`, Tab, `lina-demo`, Enter in one write once left `linalina-demo` in the username box."""
    terminal = start(terminals, demo_env)
    terminal.write(LOGIN_BURST)
    terminal.wait_for(WORKSPACE_TEXT)
    assert "linalina" not in terminal.text
    terminal.write(CTRL_Q)
    assert terminal.wait_exit() == 0


def test_quit_with_a_call_open_then_restart_gives_the_call_back_with_its_talk_time(
    demo_env: dict[str, str], terminals: list[RealTerminal], isolated_user_dirs: Path
) -> None:
    database = isolated_user_dirs / "data" / "demo.db"
    terminal = start(terminals, demo_env)
    terminal.write(LOGIN_BURST)
    terminal.wait_for(WORKSPACE_TEXT)
    zhang = next(c for c in demo_callers_at(database) if c.account_number == "OK10382417")
    assert zhang.phone is not None
    assert cli.main(["ring", "--demo", *zhang.phone.split(), "--line", "CN"]) == 0
    terminal.wait_for(r"Calls waiting \(1\)")
    terminal.write(F2)
    ticket_id = int(terminal.wait_for(r"Ticket #(\d+)").group(1))
    taken = time.monotonic()  # the ticket is on screen: the call was taken no later than this
    terminal.wait_for(zhang.name)
    time.sleep(2.5)  # on the phone for a while
    seen = len(terminal.text)
    terminal.write(CTRL_Q)
    terminal.wait_for("Quit with a call open", after=seen)
    terminal.write(ENTER)
    assert terminal.wait_exit() == 0
    with sqlite3.connect(database) as connection:
        (status,) = connection.execute("SELECT status FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    assert status == "open"

    restarted = start(terminals, demo_env)
    restarted.write(LOGIN_BURST)
    restarted.wait_for(WORKSPACE_TEXT)
    restarted.wait_for(rf"Ticket #{ticket_id}\b")
    resumed = time.monotonic()
    restarted.wait_for(zhang.name)
    # The call timer counts from the take, not from this console's start: at least the time since then.
    timer = restarted.wait_for(r"Call (\d+):(\d\d)")
    talked = int(timer.group(1)) * 60 + int(timer.group(2))
    # A timer started by the restarted console would show about 0:00; this one has the quit and restart in it.
    # (2 s of slack: between a frame being drawn and this test reading it on a loaded machine.)
    assert talked >= 3 and talked >= int(resumed - taken) - 2
    restarted.write(CTRL_Q)
    restarted.wait_for("Quit with a call open")
    restarted.write(b"\x1b")  # escape: stay on the call
    time.sleep(0.5)
    assert restarted.process.poll() is None
    restarted.write(CTRL_Q)
    restarted.write(ENTER)
    assert restarted.wait_exit() == 0


def demo_callers_at(path: Path) -> list:  # type: ignore[type-arg]
    from console.db import open_database
    from console.keys import KeyRing

    database = open_database(f"sqlite:///{path}", KeyRing.generate())
    try:
        return list(demo_callers(database.read_sessions))
    finally:
        database.dispose()
