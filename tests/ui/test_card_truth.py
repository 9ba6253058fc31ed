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


async def test_after_an_unlock_the_card_the_find_list_and_the_lock_panel_say_active(
    demo_app: HotlineApp, world: World
) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case)
    account = DEMO_ACCOUNTS[case].account_number
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.find(account)
        assert "Locked" in str(console.workspace.lookup.results.get_option_at_index(0).prompt)
        assert "Locked: Too many wrong passwords" in console.shown("#card-body")
        await console.open_account()
        await console.type_into("#unlock-reason", "Caller confirmed the attempts were hers")
        await console.press("enter")
        await console.confirm()
        await console.wait_until(lambda: "Active" in console.shown("#lock-state"), what="the lock panel")
        await console.back()
        await console.wait_until(lambda: "Locked" not in console.shown("#card-body"), what="the card")
        assert "Status   Active" in console.shown("#card-body")
        assert "Locked" not in str(console.workspace.lookup.results.get_option_at_index(0).prompt)


async def test_a_posted_adjustment_is_on_the_statement_with_its_dispute_and_no_disputes_is_never_under_one(
    demo_app: HotlineApp, world: World
) -> None:
    from textual.widgets import DataTable

    from screens.money import MoneyScreen

    ticket = world.verified_call(CASE, reason="statement_dispute")
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        screen = await console.open_money()
        await console.press("f4")
        await console.wait_until(lambda: "No disputes" in console.shown("#dispute-message"), what="no disputes")
        await console.press("f3")
        await console.type_into("#filter-amount", "500")
        await console.press("enter")
        await console.pick_row("#statement-table", lambda cells: "500.000000 USDT" in cells[2])
        await console.type_into("#dispute-amount", "4")
        await console.type_into("#dispute-description", "Charged 5 USDT; the schedule says 1 USDT.")
        await console.press("enter")
        dispute = screen.selected_dispute
        assert dispute is not None
        assert "No disputes" not in console.shown("#dispute-message")
        await console.type_into("#adjust-amount", "4")
        await console.type_into("#adjust-reason", "Fee above the published schedule.")
        await console.press("enter")
        await console.confirm()
        await console.wait_until(lambda: "posted" in console.shown("#dispute-message"), what="the adjustment")
        assert "Adjusted" in str(screen.query_one("#dispute-table", DataTable).get_row_at(0))
        # The statement, read again: the disputed row names its dispute (the amount filter keeps to it).
        await console.press("f3")
        table = screen.query_one("#statement-table", DataTable)
        await console.wait_until(
            lambda: any(f"D{dispute.dispute_id}" in map(str, table.get_row_at(i)) for i in range(table.row_count)),
            what="the dispute on the row",
        )
        # Without the filter: the adjustment's own line, newest first, with its dispute.
        await console.type_into("#filter-amount", "")
        await console.press("enter")
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[1] == "Adjustment" and first[2] == "4.000000 USDT" and first[7] == f"D{dispute.dispute_id}"
        assert isinstance(console.app.screen, MoneyScreen)


async def test_the_last_calls_result_goes_when_the_next_customer_is_picked(demo_app: HotlineApp, world: World) -> None:
    ticket = world.verified_call(CASE, reason="statement_dispute")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.press("f9")
        await console.press("enter", "enter")
        await console.sees(f"Ticket #{ticket} is closed")
        assert f"Ticket #{ticket} is closed" in console.shown("#calls-message")
        await console.find(DEMO_ACCOUNTS["delayed_withdrawal"].account_number)
        await console.press("enter")
        await console.wait_until(lambda: console.workspace.card is not None, what="the next card")
        assert f"Ticket #{ticket}" not in console.shown("#calls-message")
