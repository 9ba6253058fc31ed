"""Verified state belongs to the caller who passed the code, seen from the agent's side: picking another
customer mid-call ends it, and an agent disabled by an admin finds the console locked at the next action."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import DataTable

from console.app import HotlineApp
from console.seed.demo import DEMO_ACCOUNTS
from console.services import codes, verification
from console.services.context import OnCall
from models import Ticket
from screens.lock import LockScreen
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import drive

CALLER_A = "locked_password_failures"
CUSTOMER_B = "delayed_withdrawal"


def _ticket_customer(world: World, ticket_id: int) -> int | None:
    with world.sessions() as session:
        return session.scalar(select(Ticket.customer_id).where(Ticket.id == ticket_id))


async def test_picking_another_customer_on_a_verified_call_opens_nothing_of_theirs_until_they_pass_a_code(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    ticket = world.verified_call(CALLER_A)
    b_account = DEMO_ACCOUNTS[CUSTOMER_B].account_number
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        # Caller A is verified: the account screen opens for them.
        await console.open_account()
        assert "Caller not verified" not in console.text()
        await console.back()

        # The agent looks up customer B and picks them: the ticket is B's now, and it says so.
        await console.find(b_account)
        await console.press("enter", wait=False)
        await console.wait_until(
            lambda: _ticket_customer(world, ticket) == world.customer(CUSTOMER_B),
            what="the ticket to name customer B",
        )
        await console.settle()
        await console.sees("Verification ended")

        # Neither the account screen nor the money screen shows B's data.
        account = await console.open_account()
        assert "Caller not verified" in console.shown("#account-message")
        assert not account.query_one("#account-body").display
        await console.back()
        money = await console.open_money()
        assert "Caller not verified" in console.shown("#statement-message")
        assert money.query_one("#statement-table", DataTable).row_count == 0
        await console.back()

        # B passes a code of their own on this call; now their statement opens.
        lina, b = world.agent("lina"), world.customer(CUSTOMER_B)
        verification.start_verification(
            world.sessions, OnCall(agent_id=lina, now=clock.now, ticket_id=ticket, customer_id=b)
        )
        sent = codes.send_code(
            world.sessions,
            world.keyring,
            OnCall(agent_id=lina, now=clock.now, ticket_id=ticket, customer_id=b),
            "sms",
            "verify",
        )
        outcome = codes.check_code(
            world.sessions,
            world.keyring,
            sent.challenge_id,
            OnCall(agent_id=lina, now=clock.now, ticket_id=ticket),
            world.last_code(CUSTOMER_B),
        )
        assert outcome.verified
        money = await console.open_money()
        assert money.query_one("#statement-table", DataTable).row_count > 0


async def test_an_agent_disabled_while_logged_in_finds_the_console_locked_with_the_reason(
    demo_app: HotlineApp, world: World
) -> None:
    ticket = world.verified_call(CALLER_A)
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        world.disable("lina")
        # The next thing the console asks of the services (here the account screen) is refused, and the
        # console locks with the reason; nothing of the caller stays on screen.
        await console.press("f10", wait=False)
        await console.wait_until(lambda: isinstance(demo_app.screen, LockScreen), what="the lock screen")
        text = await console.sees("disabled by an admin")
        assert DEMO_ACCOUNTS[CALLER_A].name not in text
