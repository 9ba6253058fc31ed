"""One name for one thing: a stored value reads the same on every screen that shows it."""

from __future__ import annotations

from textual.widgets import DataTable

from console.app import HotlineApp
from tests.support.world import World
from tests.ui.console_driver import Console, drive


def rows(console: Console, table: str) -> list[list[str]]:
    grid = console.app.screen.query_one(table, DataTable)
    return [[str(cell) for cell in grid.get_row_at(index)] for index in range(grid.row_count)]


async def test_a_withdrawal_reads_the_same_on_the_statement_the_fee_schedule_and_the_account(
    fixed_app: HotlineApp, fixed_world: World
) -> None:
    ticket = fixed_world.verified_call("wrong_fee", reason="deposit_withdrawal")
    async with drive(fixed_app) as console:
        await console.resume("lina", ticket)
        await console.open_money()
        await console.press("f3")
        await console.wait_until(lambda: bool(rows(console, "#statement-table")), what="the statement")
        # Date, Type, Amount, Fee, Status, Method, Reference, Dispute
        withdrawal = next(row for row in rows(console, "#statement-table") if "USDT" in row[2] and row[1] != "Deposit")
        _, kind, _, _, status, method, _, _ = withdrawal
        assert (kind, method) == ("Withdrawal", "On-chain")

        await console.press("f2")
        await console.wait_until(lambda: bool(rows(console, "#fee-table")), what="the fee schedule")
        # Direction, Method, Asset, ...
        schedule = [row for row in rows(console, "#fee-table") if row[2] == "USDT" and row[0] == kind]
        assert schedule and {row[1] for row in schedule} == {method}

        await console.press("escape")
        await console.open_account()
        await console.wait_until(lambda: bool(rows(console, "#transactions")), what="the recent transactions")
        # Time, Type, Status, Amount, Ref.
        recent = [row for row in rows(console, "#transactions") if "USDT" in row[3] and row[1] == kind]
        assert recent and {row[2] for row in recent} >= {status}
