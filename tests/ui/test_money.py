"""The money screen driven through the real console on the demo data: a fee question, a delayed
withdrawal put on follow-up, and a dispute from a statement row to a proposed adjustment."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import DataTable, Input, Select, TabbedContent

from console.app import HotlineApp
from console.seed.demo import DEMO_ACCOUNTS
from console.services.fees import quote
from console.services.outbox import recent_messages
from models import EntryKind, LedgerEntry, Ticket, Transaction
from screens.money import MoneyScreen
from tests.support.world import World
from tests.ui.call_helpers import wait_until
from tests.ui.conftest import SIZE, log_in, screen_text, settle
from tests.ui.demo_console import resume


def money(app: HotlineApp) -> MoneyScreen:
    screen = app.screen
    assert isinstance(screen, MoneyScreen), f"expected the money screen, not {screen!r}"
    return screen


def shown(app: HotlineApp, selector: str) -> str:
    return str(money(app).query_one(selector).render())


async def type_into(pilot, selector: str, text: str) -> None:
    box = money(pilot.app).query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.press(*text) if text else None


async def pick_row(pilot, table_id: str, predicate) -> None:
    """Move the table's cursor to the first row whose cells satisfy `predicate`, and press Enter."""
    screen = money(pilot.app)
    table = screen.query_one(table_id, DataTable)
    for index in range(table.row_count):
        if predicate([str(cell) for cell in table.get_row_at(index)]):
            table.focus()
            table.move_cursor(row=index)
            await pilot.press("enter")
            await settle(pilot)
            return
    raise AssertionError(f"no row of {table_id} matched")


async def open_statement_row(pilot, ticket: int, amount: str, shown_as: str) -> MoneyScreen:
    """As lina: resume the ticket, open the statement (ctrl+b), filter by the amount the caller says, pick the row."""
    await resume(pilot, "lina", ticket)
    await pilot.press("ctrl+b")
    await settle(pilot)
    await type_into(pilot, "#filter-amount", amount)
    await pilot.press("enter")
    await settle(pilot)
    await pick_row(pilot, "#statement-table", lambda cells: shown_as in cells[3])
    return money(pilot.app)


async def test_a_fee_question_is_answered_without_a_caller(demo_app: HotlineApp, world: World) -> None:
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        await log_in(pilot, "lina", "lina-demo")
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        screen = money(demo_app)
        assert screen.query_one("#money-tabs", TabbedContent).active == "fees"
        screen.query_one("#fee-direction", Select).value = "withdrawal"
        await type_into(pilot, "#fee-asset", "usdt")
        await pilot.press("enter")
        await settle(pilot)
        assert {row.asset_code for row in screen.fees} == {"USDT"}
        await pick_row(pilot, "#fee-table", lambda cells: cells[1] == "On-chain")
        await type_into(pilot, "#quote-amount", "500")
        await pilot.press("enter")
        await settle(pilot)
        expected = quote(world.sessions, "on_chain", "USDT", "withdrawal", "500")
        assert f"the fee is {expected.fee_text}, so {expected.net_text} leaves the wallet" in shown(
            demo_app, "#fee-message"
        )
        # Below the minimum: the schedule's minimum in plain words, nothing else changes.
        await type_into(pilot, "#quote-amount", "0.5")
        await pilot.press("enter")
        await settle(pilot)
        assert "minimum" in shown(demo_app, "#fee-message").lower()


async def test_the_statement_is_refused_until_the_caller_is_verified(demo_app: HotlineApp, world: World) -> None:
    ticket = world.open_ticket("delayed_withdrawal", reason="deposit_withdrawal")
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        await resume(pilot, "lina", ticket)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert "Caller not verified" in shown(demo_app, "#statement-message")
        assert money(demo_app).query_one("#statement-table", DataTable).row_count == 0


async def test_a_delayed_withdrawal_is_put_on_follow_up(demo_app: HotlineApp, world: World) -> None:
    case = "delayed_withdrawal"
    ticket = world.verified_call(case, reason="deposit_withdrawal")
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_statement_row(pilot, ticket, "8000", "8,000.00 CNY")
        assert len(screen.rows) == 1 and screen.rows[0].kind == "withdrawal"
        assert "DELAYED" in shown(demo_app, "#detail-text")
        await type_into(pilot, "#follow-up-note", "Bank says the transfer is queued.")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "On follow-up" in shown(demo_app, "#detail-message"), what="the follow-up")
        assert "expect it by" in shown(demo_app, "#detail-message")
    with world.sessions() as session:
        stored = session.get(Ticket, ticket)
        assert stored is not None and stored.status.value == "pending" and stored.follow_up_due is not None
    (notice, *_) = recent_messages(world.sessions, world.keyring.fernet(), DEMO_ACCOUNTS[case].account_number)
    assert notice.kind == "withdrawal_delay"


async def test_a_dispute_goes_from_statement_row_to_a_posted_adjustment(demo_app: HotlineApp, world: World) -> None:
    case = "wrong_fee"  # charged 5 USDT on a 500 USDT withdrawal; the schedule says 1
    ticket = world.verified_call(case, reason="statement_dispute")
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_statement_row(pilot, ticket, "500", "500.000000 USDT")
        assert "differs from the schedule" in shown(demo_app, "#detail-text")
        await type_into(pilot, "#dispute-amount", "4")
        await type_into(pilot, "#dispute-description", "Charged 5 USDT; the schedule says 1 USDT.")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: screen.query_one("#money-tabs", TabbedContent).active == "disputes", what="the disputes tab"
        )
        assert screen.selected_dispute is not None and screen.selected_dispute.status == "open"
        assert "Open" in shown(demo_app, "#dispute-timeline")
        await type_into(pilot, "#adjust-amount", "4")
        await type_into(pilot, "#adjust-reason", "Fee above the published schedule.")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "posted" in shown(demo_app, "#dispute-message"), what="the adjustment")
        assert "Adjusted" in shown(demo_app, "#dispute-timeline")
        assert "Not done" not in screen_text(demo_app)  # no worker failed on the way
    customer = world.customer(case)
    with world.sessions() as session:
        (entry,) = session.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == EntryKind.ADJUSTMENT, LedgerEntry.customer_id == customer)
        )
        assert entry.amount == 4_000_000
        # A compensating entry: the disputed statement row itself is untouched.
        disputed = session.scalars(
            select(Transaction).where(Transaction.customer_id == customer, Transaction.amount == 500_000_000)
        ).one()
        assert disputed.fee == 5_000_000


async def test_a_large_adjustment_waits_for_a_supervisor(demo_app: HotlineApp, world: World) -> None:
    from console.settings import with_overrides

    demo_app.settings = with_overrides(demo_app.settings, approval_thresholds={"USDT": "3"})
    case = "wrong_fee"
    ticket = world.verified_call(case, reason="statement_dispute")
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        await open_statement_row(pilot, ticket, "500", "500.000000 USDT")
        await type_into(pilot, "#dispute-amount", "4")
        await type_into(pilot, "#dispute-description", "Fee above schedule.")
        await pilot.press("enter")
        await wait_until(pilot, lambda: money(demo_app).selected_dispute is not None, what="the dispute")
        await type_into(pilot, "#adjust-amount", "4")
        await type_into(pilot, "#adjust-reason", "Fee above the published schedule.")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: "waits for a supervisor" in shown(demo_app, "#dispute-message"), what="the approval notice"
        )
        assert "Awaiting approval" in shown(demo_app, "#dispute-timeline")
        assert "4.000000 USDT" in screen_text(demo_app)
    with world.sessions() as session:
        assert session.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.ADJUSTMENT)).all() == []


async def test_second_save_of_a_dispute_is_refused_and_the_agents_text_is_kept(
    demo_app: HotlineApp, world: World
) -> None:
    from console.services import disputes

    case = "dispute_open"  # marcus opened it yesterday about a transfer she does not recognise
    lina_call = world.verified_call(case, reason="statement_dispute")
    marcus_call = world.verified_call(case, username="marcus", reason="statement_dispute")
    mine = "She never met the recipient; the transfer was made from a new phone."
    async with demo_app.run_test(size=SIZE, notifications=True) as pilot:
        await resume(pilot, "lina", lina_call)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = money(demo_app)
        seen = screen.selected_dispute
        assert seen is not None and screen.query_one("#edit-claimed", Input).value == "1,500.00"
        await type_into(pilot, "#edit-description", mine)
        # Meanwhile marcus, on his own call with her, saves the same dispute first.
        disputes.update_dispute(
            world.sessions,
            world.agent("marcus"),
            seen.dispute_id,
            seen.version,
            world.now,
            ticket_id=marcus_call,
            description="Caller adds: her phone was lost last week.",
        )
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: "Someone else saved this dispute first" in shown(demo_app, "#dispute-message"),
            what="the refusal",
        )
        assert "what you typed is kept" in shown(demo_app, "#dispute-message")
        assert screen.query_one("#edit-description", Input).value == mine
        assert (
            "her phone was lost"
            in disputes.caller_disputes(
                world.sessions, lina_call, world.agent("lina"), world.customer(case), world.now
            )[0].description
        )
        # Having seen the other change, she saves again: now it goes through.
        screen.query_one("#edit-description", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "saved" in shown(demo_app, "#dispute-message"), what="the second save")
    (saved,) = disputes.caller_disputes(world.sessions, lina_call, world.agent("lina"), world.customer(case), world.now)
    assert saved.description == mine
