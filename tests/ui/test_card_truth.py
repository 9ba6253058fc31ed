"""The card tells the truth (issue 14 item 5), driven through the real console on the demo data: the
verified mark with its factor and time left, kept current by the clock without a database call; the
balances per asset once verified; and both gone when the customer changes or verification ends."""

from __future__ import annotations

from datetime import timedelta

from console.app import HotlineApp
from console.seed.demo import DEMO_ACCOUNTS
from console.services.balances import caller_balances
from console.services.context import OnCall
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import drive

CASE = "wrong_fee"


async def test_a_verified_caller_shows_the_factor_time_left_and_balances(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    balances = caller_balances(world.sessions, OnCall(world.agent("lina"), clock.now, ticket, world.customer(CASE)))
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.sees(f"Verified by SMS code at {world.now:%H:%M} UTC")
        shown = console.shown("#card-verified")
        assert "fresh for high-risk actions for 5 more min" in shown
        assert "ends in 15 min" in shown
        body = console.shown("#card-body")
        assert all(line.amount_text in body for line in balances) and balances

        # Time passes on the console's clock: the mark follows it, from what is in hand.
        clock.advance(timedelta(minutes=3))
        await console.wait_until(lambda: "for 2 more min" in console.shown("#card-verified"), what="the tick")
        assert "ends in 12 min" in console.shown("#card-verified")
        clock.advance(timedelta(minutes=3))
        await console.wait_until(
            lambda: "unlocks and adjustments need a fresh code" in console.shown("#card-verified"), what="step-up"
        )
        # 15 idle minutes after the code: verification ends, and the balances go with it.
        clock.advance(timedelta(minutes=10))
        await console.wait_until(lambda: "Verification ended" in console.shown("#card-verified"), what="the end")
        assert balances[0].amount_text not in console.shown("#card-body")


async def test_an_unverified_caller_shows_no_mark_of_verification_and_no_balances(
    demo_app: HotlineApp, world: World
) -> None:
    ticket = world.open_ticket(CASE, reason="statement_dispute")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.sees("Not verified: masked data only; f11 verifies the caller.")
        assert "Balances" not in console.shown("#card-body")


async def test_the_mark_and_balances_vanish_when_the_customer_changes(demo_app: HotlineApp, world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        await console.sees("Verified by SMS code")
        assert "Balances" in console.shown("#card-body")
        await console.find(DEMO_ACCOUNTS["delayed_withdrawal"].account_number)
        await console.press("enter", wait=False)
        await console.wait_until(
            lambda: (
                (card := console.workspace.card) is not None
                and card.customer_id == world.customer("delayed_withdrawal")
            ),
            what="the other customer's card",
        )
        await console.sees("Not verified: masked data only")
        assert "Balances" not in console.shown("#card-body")
        assert "Verified by" not in console.text()


async def test_verifying_in_the_panel_puts_the_mark_on_the_card_when_it_closes(
    demo_app: HotlineApp, world: World
) -> None:
    ticket = world.open_ticket(CASE, reason="statement_dispute")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.sees("Not verified")
        await console.open_verify()
        await console.send_code()
        await console.enter_code(world.last_code(CASE))
        await console.back()
        await console.sees("Verified by SMS code", "Balances")
