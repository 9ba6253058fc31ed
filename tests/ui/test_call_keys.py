"""The keys an agent presses for four whole calls (issue 14's closing note), through the real console on the
demo data: each test presses exactly those keys, counts them, and checks the end state. Words the agent
types (what the caller dictates, a reason) are typed, not counted.

Today (before issue 14): 4, 11, 3 and 10. Now: 4, 6, 2 (+ 3 to wrap up) and 6 (the row is the newest; each
row further down is one more arrow)."""

from __future__ import annotations

from sqlalchemy import select

from console.app import HotlineApp
from models import Adjustment, ApprovalStatus, CustomerStatus, Ticket
from screens.confirm import ConfirmAction
from screens.money import MoneyScreen
from screens.verify import VerifyScreen
from screens.workspace import WorkspaceScreen
from screens.wrap_up import WrapUpScreen
from tests.support.world import World
from tests.ui.console_driver import Console, drive


class Keys:
    """The agent's hands: `press` counts each key, `type` puts in words without counting them."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.pressed: list[str] = []

    async def press(self, *keys: str) -> None:
        for key in keys:
            self.pressed.append(key)
            await self.console.press(key)

    async def type(self, text: str) -> None:
        await self.console.pilot.press(*text)
        await self.console.settle()


def closed_ticket(world: World, ticket_id: int) -> Ticket:
    with world.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


async def take_the_call(console: Console, world: World, case: str) -> int:
    """The caller's phone rings and the console shows it waiting (the screen pop comes with f2)."""
    phone = world.customer_row(case).phone_e164
    assert phone is not None
    await console.log_in("lina", "lina-demo")
    await console.settle()
    await console.ring(world.database, phone)
    return world.customer(case)


async def test_call_1_screen_pop_to_verified_by_sms_is_4_keys(demo_app: HotlineApp, world: World) -> None:
    case = "locked_password_failures"
    async with drive(demo_app) as console:
        await take_the_call(console, world, case)
        keys = Keys(console)
        await keys.press("f2")  # take the call: the caller's card pops
        await console.wait_until(lambda: console.workspace.card is not None, what="the card")
        await keys.press("f11")  # the verify panel, its script read out
        await console.wait_until(lambda: console.on(VerifyScreen).start is not None, what="the script")
        await keys.press("ctrl+s")  # send the code
        await keys.type(world.last_code(case))  # the caller reads it out
        await keys.press("enter")
        await console.sees("Verified by SMS code")
        assert keys.pressed == ["f2", "f11", "ctrl+s", "enter"]
        ticket = console.on(VerifyScreen).ticket_id
    assert world.ticket(ticket).verified_factor == "sms"


async def test_call_2_verified_to_unlocked_and_wrapped_up_is_6_keys(demo_app: HotlineApp, world: World) -> None:
    case = "locked_password_failures"
    async with drive(demo_app) as console:
        await take_the_call(console, world, case)
        await console.take_call()
        await console.open_verify()
        await console.send_code()
        await console.enter_code(world.last_code(case))
        await console.sees("Verified by SMS code")
        ticket = console.on(VerifyScreen).ticket_id
        # From the verify panel, verified:
        keys = Keys(console)
        await keys.press("f10")  # straight to the account, the reason box ready
        await keys.type("Caller confirmed the five attempts were hers")
        await keys.press("enter")  # unlock …
        console.on(ConfirmAction)
        await keys.press("enter")  # … yes, as written
        await console.wait_until(lambda: "Unlocked." in console.shown("#lock-outcome"), what="the unlock")
        await keys.press("f9")  # straight to the wrap-up: what was done, the reason suggested
        await console.wait_until(lambda: console.on(WrapUpScreen).summary is not None, what="the summary")
        assert "Unlocked (Too many wrong passwords)" in console.shown("#call-done")
        await keys.press("enter")  # Resolved …
        await keys.press("enter")  # … Finish
        await console.wait_until(lambda: isinstance(console.app.screen, WorkspaceScreen), what="the workspace")
        assert keys.pressed == ["f10", "enter", "enter", "f9", "enter", "enter"]
    assert world.customer_row(case).status == CustomerStatus.ACTIVE
    done = closed_ticket(world, ticket)
    assert (done.status.value, done.disposition and done.disposition.value, done.reason.value) == (
        "closed",
        "resolved",
        "locked_account",
    )


async def test_call_3_a_fee_question_is_2_keys(demo_app: HotlineApp, world: World) -> None:
    case = "wrong_fee"
    async with drive(demo_app) as console:
        await take_the_call(console, world, case)
        await console.take_call()
        ticket = console.workspace.ticket
        assert ticket is not None
        keys = Keys(console)
        await keys.press("ctrl+b")  # money: the fee schedule, as the caller is not verified
        money = console.on(MoneyScreen)
        await console.wait_until(lambda: bool(money.fees), what="the schedule")
        # "What does an on-chain USDT withdrawal cost?": the box has the keyboard; the caller's words narrow
        # the schedule to one line, which is said at once.
        await keys.type("usdt on-chain withdrawal")
        await keys.press("enter")
        await console.wait_until(lambda: len(money.fees) == 1, what="the one line")
        row = money.fees[0]
        assert (row.direction, row.method, row.asset_code) == ("withdrawal", "on_chain", "USDT")
        said = console.shown("#fee-message")
        assert said.startswith(f"On-chain withdrawal of USDT: the fee is {row.fee_text}; the minimum is")
        assert row.minimum_text in said and row.expected_text in said
        assert keys.pressed == ["ctrl+b", "enter"]
        # Enter on another line of the schedule says that one (clear the words to see them all).
        await console.type_into("#fee-asset", "")
        await console.press("enter")
        await console.pick_row("#fee-table", lambda cells: cells[:3] == ["Deposit", "Bank transfer", "CNY"])
        assert console.shown("#fee-message").startswith("Bank transfer deposit of CNY: no fee; the minimum is")
        # The wrap-up knows it was a fee question.
        await keys.press("f9")
        await console.wait_until(lambda: console.on(WrapUpScreen).summary is not None, what="the summary")
        assert "Fee told (Withdrawal · On-chain · USDT)" in console.shown("#call-done")
        await keys.press("enter", "enter")
        await console.wait_until(lambda: isinstance(console.app.screen, WorkspaceScreen), what="the workspace")
    assert closed_ticket(world, ticket.ticket_id).reason.value == "deposit_withdrawal"


async def test_call_4_a_dispute_to_a_proposed_adjustment_is_6_keys(demo_app: HotlineApp, world: World) -> None:
    case = "wrong_fee"  # charged 5 USDT on a 500 USDT withdrawal; the schedule says 1
    ticket = world.verified_call(case, reason="statement_dispute")
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        keys = Keys(console)
        await keys.press("ctrl+b")  # money: the statement, as the caller is verified
        money = console.on(MoneyScreen)
        await console.wait_until(lambda: bool(money.rows), what="the statement")
        row = next(i for i, r in enumerate(money.rows) if r.kind == "withdrawal" and r.amount == 500_000_000)
        await keys.press(*["down"] * row)
        await keys.press("enter")  # the row: its detail, the dispute's amount box ready
        await keys.type("4")
        await keys.press("enter")  # on to the description
        await keys.type("Charged 5 USDT; the schedule says 1 USDT.")
        await keys.press("enter")  # the dispute opens; the adjustment offered is the claim
        await console.wait_until(lambda: money.selected_dispute is not None, what="the dispute")
        await keys.type("Fee above the published schedule.")
        await keys.press("enter")  # propose …
        await console.sees("Credit 4.000000 USDT to")
        await keys.press("enter")  # … yes, as written
        await console.wait_until(lambda: "posted" in console.shown("#dispute-message"), what="the adjustment")
        assert keys.pressed == ["ctrl+b", *["down"] * row, "enter", "enter", "enter", "enter", "enter"]
    with world.sessions() as session:
        (adjustment,) = session.scalars(select(Adjustment).where(Adjustment.customer_id == world.customer(case))).all()
        assert (adjustment.amount, adjustment.status) == (4_000_000, ApprovalStatus.APPLIED)
