"""Every screen and dialog of the console, each reached the way an agent reaches it on the demo data.

`SCENES` maps a name to the steps that bring the console there; the snapshot tests and the footer
test drive each one at 80x24 and 120x40. The demo database is seeded at a fixed moment and opened by
a relative path, the wall clock is frozen and the monotonic clock stands still, so what a scene shows
is the same on every run.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import update
from textual.widgets import DataTable, Select

from console.app import HotlineApp, make_app
from console.db import open_database
from console.i18n import _
from console.keys import KeyRing, write_keyring
from console.seed import seed_demo
from console.seed.demo import DEMO_ACCOUNTS
from console.settings import load_settings, with_overrides
from models import Agent
from screens.confirm import ConfirmAction
from screens.escalations.dialogs import PasswordAgain
from tests.support.world import World, _start
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import Console

# The moment the fixed demo was made; the scenes happen an hour later (the world's `now`).
DEMO_MADE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

Scene = Callable[[Console, World], Awaitable[None]]


@pytest.fixture(scope="session")
def fixed_demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, KeyRing]:
    """The demo database seeded once at DEMO_MADE (the session's own demo is seeded at wall time)."""
    keyring = KeyRing.generate()
    path = tmp_path_factory.mktemp("fixed-demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}", keyring)
    try:
        seed_demo(database, keyring, now=DEMO_MADE)
    finally:
        database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path, keyring


@pytest.fixture
def fixed_world(
    fixed_demo_template: tuple[Path, KeyRing], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """A fresh copy of the fixed demo, opened as `sqlite:///demo.db` so no temporary path shows."""
    template, keyring = fixed_demo_template
    shutil.copy(template, tmp_path / "demo.db")
    monkeypatch.chdir(tmp_path)
    database = open_database("sqlite:///demo.db", keyring, trust_console_clock=True)
    world = World(database, keyring, _start(DEMO_MADE))
    with time_machine.travel(world.now, tick=False):
        yield world
    database.dispose()


@pytest.fixture
def fixed_app(fixed_world: World, isolated_user_dirs: object) -> HotlineApp:
    """The console on the fixed demo, its clocks stopped at the world's `now`."""
    settings = with_overrides(load_settings(), database_url="sqlite:///demo.db")
    write_keyring(settings.keys_file, fixed_world.keyring)
    app = make_app(settings, fixed_world.database)
    app.wall_clock = FrozenWallClock(fixed_world.now)
    app.clock = lambda: 1_000.0  # call and wrap-up timers read 0:00
    return app


def lead(english: str) -> str:
    """What the console shows for the message `english` in the interface language, up to its first
    placeholder or colon: enough to wait for in any language, short enough not to wrap."""
    return re.split(r"[{:：]", _(english), maxsplit=1)[0].strip()


def demo_login(username: str) -> Callable[[Console], Awaitable[None]]:
    async def log_in(console: Console) -> None:
        await console.log_in(username, f"{username}-demo")
        await console.settle()

    return log_in


# The scenes.


async def login(console: Console, world: World) -> None:
    await console.settle()


async def login_refused(console: Console, world: World) -> None:
    await console.log_in("lina", "not-her-password")


async def locked(console: Console, world: World) -> None:
    await demo_login("lina")(console)
    await console.press("f12")
    await console.sees(lead("Hotline is locked"))


async def new_password(console: Console, world: World) -> None:
    with world.sessions.begin() as session:
        session.execute(update(Agent).where(Agent.username == "lina").values(password_change_required=True))
    await demo_login("lina")(console)
    await console.sees(lead("Choose a new password"))


async def home(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    await console.press("f3")
    await console.sees(lead("Customers"))


async def workspace(console: Console, world: World) -> None:
    """A caller popped on a ringing call, the ticket open, notes typed."""
    await demo_login("lina")(console)
    phone = world.customer_row("locked_password_failures").phone_e164
    assert phone is not None
    await console.ring(world.database, phone, "CN")
    await console.take_call()
    await console.press("f5")
    await console.hold_still()
    await console.press(*"Locked out after five wrong passwords; wants to log in today.", wait=False)
    await console.wait_until(lambda: console.shown("#draft-state") == _("Draft saved."), what="the draft save")


async def my_tickets(console: Console, world: World) -> None:
    world.open_ticket("repeat_caller")
    await demo_login("lina")(console)
    await console.press("f6")


async def directory(console: Console, world: World) -> None:
    await demo_login("lina")(console)
    await console.press("f7")


async def lookup(console: Console, world: World) -> None:
    await demo_login("lina")(console)
    await console.find("wang wei")


async def verify(console: Console, world: World) -> None:
    ticket = world.open_ticket("locked_password_failures")
    await console.resume("lina", ticket)
    await console.open_verify()
    await console.send_code()
    await console.sees(
        lead("Code sent to {sent_to}; valid until {time}. {sends_left} more sends allowed in 15 minutes.")
    )


async def account(console: Console, world: World) -> None:
    ticket = world.verified_call("locked_password_failures")
    await console.resume("lina", ticket)
    await console.open_account()
    await console.sees(lead("Too many wrong passwords"))


async def change_contact(console: Console, world: World) -> None:
    await account(console, world)
    await console.press("f6")
    await console.type_into("#contact-value", "139 1234 5678")
    await console.sees(lead("What to change"))


async def account_security(console: Console, world: World) -> None:
    ticket = world.verified_call("two_factor_off", reason="account_security")
    await console.resume("lina", ticket)
    await console.open_account()
    await console.sees(_("2FA ") + _("off"))
    await console.press("f5")


async def fees(console: Console, world: World) -> None:
    await demo_login("lina")(console)
    await console.open_money()
    await console.pick_row("#fee-table", lambda cells: "USDT" in cells and _("On-chain") in cells)


async def statement(console: Console, world: World) -> None:
    ticket = world.verified_call("delayed_withdrawal", reason="deposit_withdrawal")
    await console.resume("lina", ticket)
    await console.open_money()
    await console.press("f3")
    await console.wait_until(lambda: console.app.screen.query_one("#statement-table", DataTable).row_count > 0)


async def withdrawal(console: Console, world: World) -> None:
    ticket = world.verified_call("delayed_withdrawal", reason="deposit_withdrawal")
    await console.resume("lina", ticket)
    await console.open_money()
    await console.press("f3")
    await console.type_into("#filter-amount", "8000")
    await console.press("enter")
    await console.pick_row("#statement-table", lambda cells: "8,000.00 CNY" in cells[2])
    await console.sees(lead("DELAYED: past its expected time. Put it on follow-up to give the caller a new estimate."))


async def disputes(console: Console, world: World) -> None:
    ticket = world.verified_call("dispute_investigating", reason="statement_dispute")
    await console.resume("lina", ticket)
    await console.open_money()
    await console.press("f4")
    await console.pick_row("#dispute-table", lambda cells: True)


async def wrap_up(console: Console, world: World) -> None:
    ticket = world.verified_call("locked_password_failures")
    await console.resume("lina", ticket)
    await console.press("f9")
    await console.sees(lead("Wrap up ticket #{ticket_id}"))


async def feedback(console: Console, world: World) -> None:
    ticket = world.open_ticket("delayed_withdrawal", reason="feedback")
    await console.resume("lina", ticket)
    dialog = await console.open_feedback()
    dialog.query_one("#feedback-category", Select).value = "complaint"
    dialog.query_one("#feedback-area", Select).value = "deposits_withdrawals"


async def feedback_desk(console: Console, world: World) -> None:
    await demo_login("chenjing")(console)
    await console.open_feedback_desk("payments")


async def escalations(console: Console, world: World) -> None:
    await demo_login("chenjing")(console)
    await console.sees(lead("Waiting for a supervisor"))


async def escalation_item(console: Console, world: World) -> None:
    await demo_login("chenjing")(console)
    await console.open_item(DEMO_ACCOUNTS["adjustment_waiting"].account_number)
    await console.fill("#decision-reason", "Chain explorer shows the deposit confirmed.")


async def confirm_decision(console: Console, world: World) -> None:
    await escalation_item(console, world)
    await console.press("f9")
    console.on(ConfirmAction)


async def password_again(console: Console, world: World) -> None:
    await escalation_item(console, world)
    clock = console.app.wall_clock
    assert isinstance(clock, FrozenWallClock)
    clock.advance(timedelta(minutes=6))  # the password was typed at login, over 5 minutes ago now
    await console.press("f9")
    await console.confirm()
    await console.wait_until(lambda: isinstance(console.app.screen, PasswordAgain), what="the password dialog")


async def admin_agents(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    await console.sees("lina", "marcus")


async def admin_system(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    console.admin_desk.policies.scroll_visible(animate=False)
    await console.settle()


async def admin_audit(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    await console.press("f10")
    await console.sees(lead("The audit log is intact: {events_checked:,} events checked."))


async def add_agent(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    await console.press("f4")
    await console.fill("#new-username", "wendy")


async def change_role(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    console.select_agent("marcus")
    await console.press("f8")


async def confirm_disable(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    console.select_agent("marcus")
    await console.press("f6")


async def password_shown_once(console: Console, world: World) -> None:
    await demo_login("admin")(console)
    await console.reset_password("marcus")
    # The password is random: show a fixed one in its place.
    shown = console.app.screen.query_one("#shown-password")
    shown.update("xxxx-xxxx-xxxx")  # type: ignore[attr-defined]


SCENES: dict[str, Scene] = {
    "login": login,
    "login_refused": login_refused,
    "locked": locked,
    "new_password": new_password,
    "home": home,
    "workspace": workspace,
    "my_tickets": my_tickets,
    "directory": directory,
    "lookup": lookup,
    "verify": verify,
    "account": account,
    "account_security": account_security,
    "change_contact": change_contact,
    "fees": fees,
    "statement": statement,
    "withdrawal": withdrawal,
    "disputes": disputes,
    "wrap_up": wrap_up,
    "feedback": feedback,
    "feedback_desk": feedback_desk,
    "escalations": escalations,
    "escalation_item": escalation_item,
    "confirm_decision": confirm_decision,
    "password_again": password_again,
    "admin_agents": admin_agents,
    "admin_system": admin_system,
    "admin_audit": admin_audit,
    "add_agent": add_agent,
    "change_role": change_role,
    "confirm_disable": confirm_disable,
    "password_shown_once": password_shown_once,
}


async def play(console: Console, world: World, name: str) -> None:
    """Bring the console to the scene, then hold it still for a picture."""
    await SCENES[name](console, world)
    await console.settle()
    await console.hold_still()
