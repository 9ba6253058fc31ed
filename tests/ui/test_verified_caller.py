"""Verified state belongs to the caller who passed the code, seen from the agent's side: picking another
customer mid-call ends it, and an agent disabled by an admin finds the console locked at the next action."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import DataTable

from console.app import HotlineApp
from console.seed.demo import DEMO_ACCOUNTS
from console.services import codes, verification
from console.services.agents import disable_agent
from models import Ticket
from screens.account import AccountScreen
from screens.lock import LockScreen
from screens.money import MoneyScreen
from tests.support.world import World
from tests.ui.call_helpers import FrozenWallClock, search, wait_until, workspace
from tests.ui.conftest import SIZE, screen_text, settle
from tests.ui.demo_console import resume

CALLER_A = "locked_password_failures"
CUSTOMER_B = "delayed_withdrawal"


def _ticket_customer(world: World, ticket_id: int) -> int | None:
    with world.sessions() as session:
        return session.scalar(select(Ticket.customer_id).where(Ticket.id == ticket_id))


async def _back_to_workspace(pilot) -> None:
    await pilot.press("escape")
    await settle(pilot)
    workspace(pilot.app)


async def test_picking_another_customer_on_a_verified_call_opens_nothing_of_theirs_until_they_pass_a_code(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    ticket = world.verified_call(CALLER_A)
    b_account = DEMO_ACCOUNTS[CUSTOMER_B].account_number
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        await resume(pilot, "lina", ticket)
        # Caller A is verified: the account screen opens for them.
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(demo_app.screen, AccountScreen)
        assert "Caller not verified" not in screen_text(demo_app)
        await _back_to_workspace(pilot)

        # The agent looks up customer B and picks them: the ticket is B's now, and it says so.
        await search(pilot, b_account)
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: _ticket_customer(world, ticket) == world.customer(CUSTOMER_B),
            what="the ticket to name customer B",
        )
        await settle(pilot)
        assert "Verification ended" in screen_text(demo_app)

        # Neither the account screen nor the money screen shows B's data.
        await pilot.press("f10")
        await settle(pilot)
        account = demo_app.screen
        assert isinstance(account, AccountScreen)
        assert "Caller not verified" in str(account.query_one("#account-message").render())
        assert not account.query_one("#account-body").display
        await _back_to_workspace(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        money = demo_app.screen
        assert isinstance(money, MoneyScreen)
        assert "Caller not verified" in str(money.query_one("#statement-message").render())
        assert money.query_one("#statement-table", DataTable).row_count == 0
        await _back_to_workspace(pilot)

        # B passes a code of their own on this call; now their statement opens.
        lina, b = world.agent("lina"), world.customer(CUSTOMER_B)
        verification.start_verification(world.sessions, ticket, lina, b, clock.now)
        sent = codes.send_code(world.sessions, world.keyring, ticket, lina, b, "sms", "verify", clock.now)
        outcome = codes.check_code(
            world.sessions, world.keyring, sent.challenge_id, ticket, lina, world.last_code(CUSTOMER_B), clock.now
        )
        assert outcome.verified
        await pilot.press("ctrl+b")
        await settle(pilot)
        money = demo_app.screen
        assert isinstance(money, MoneyScreen)
        assert money.query_one("#statement-table", DataTable).row_count > 0


async def test_an_agent_disabled_while_logged_in_finds_the_console_locked_with_the_reason(
    demo_app: HotlineApp, world: World
) -> None:
    ticket = world.verified_call(CALLER_A)
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        await resume(pilot, "lina", ticket)
        disable_agent(world.sessions, "lina")
        # The next thing the console asks of the services (here the account screen) is refused, and the
        # console locks with the reason; nothing of the caller stays on screen.
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(demo_app.screen, LockScreen), what="the lock screen")
        text = screen_text(demo_app)
        assert "disabled by an admin" in text
        assert DEMO_ACCOUNTS[CALLER_A].name not in text
