"""The money screen driven through the real console on the demo data: a fee question, a delayed
withdrawal put on follow-up, and a dispute from a statement row to a proposed adjustment."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, Select, TabbedContent

from console.app import HotlineApp
from console.seed.demo import DEMO_ACCOUNTS
from console.services.context import OnCall
from console.services.disputes import caller_disputes
from console.services.fees import quote
from console.services.outbox import recent_messages
from models import EntryKind, LedgerEntry, Ticket, Transaction
from screens.confirm import ConfirmAction
from screens.money import MoneyScreen
from screens.money import disputes as disputes_tab
from screens.money import fees as fees_tab
from screens.money import statement as statement_tab
from tests.support.world import World
from tests.ui.console_driver import Console, drive


async def open_statement_row(console: Console, ticket: int, amount: str, shown_as: str) -> MoneyScreen:
    """As lina: resume the ticket, open the statement, filter by the amount the caller says, pick the row."""
    await console.resume("lina", ticket)
    return await console.open_statement_row(amount, shown_as)


def count_service_calls(monkeypatch: pytest.MonkeyPatch, *modules: ModuleType) -> list[str]:
    """Record, by name, every service call the modules make: a round trip to the database each."""
    made: list[str] = []

    def counted(name: str, service: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            made.append(name)
            return service(*args, **kwargs)

        return call

    for module in modules:
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__.startswith("console.services.")
                and next(iter(inspect.signature(value).parameters), None) == "sessions"
            ):
                monkeypatch.setattr(module, name, counted(name, value))
    return made


async def test_a_fee_question_is_answered_without_a_caller(demo_app: HotlineApp, world: World) -> None:
    async with drive(demo_app, notifications=True) as console:
        await console.log_in("lina", "lina-demo")
        screen = await console.open_money()
        assert screen.query_one("#money-tabs", TabbedContent).active == "fees"
        screen.query_one("#fee-direction", Select).value = "withdrawal"
        await console.type_into("#fee-asset", "usdt")
        await console.press("enter")
        assert {row.asset_code for row in screen.fees} == {"USDT"}
        await console.pick_row("#fee-table", lambda cells: cells[1] == "On-chain")
        await console.type_into("#quote-amount", "500")
        await console.press("enter")
        expected = quote(world.sessions, "on_chain", "USDT", "withdrawal", "500")
        assert f"the fee is {expected.fee_text}, so {expected.net_text} leaves the wallet" in console.shown(
            "#fee-message"
        )
        # Below the minimum: the schedule's minimum in plain words, nothing else changes.
        await console.type_into("#quote-amount", "0.5")
        await console.press("enter")
        assert "minimum" in console.shown("#fee-message").lower()


async def test_the_statement_is_refused_until_the_caller_is_verified(demo_app: HotlineApp, world: World) -> None:
    ticket = world.open_ticket("delayed_withdrawal", reason="deposit_withdrawal")
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        await console.open_money()
        assert "Caller not verified" in console.shown("#statement-message")
        assert console.on(MoneyScreen).query_one("#statement-table", DataTable).row_count == 0


async def test_a_delayed_withdrawal_is_put_on_follow_up(demo_app: HotlineApp, world: World) -> None:
    case = "delayed_withdrawal"
    ticket = world.verified_call(case, reason="deposit_withdrawal")
    async with drive(demo_app, notifications=True) as console:
        screen = await open_statement_row(console, ticket, "8000", "8,000.00 CNY")
        assert len(screen.rows) == 1 and screen.rows[0].kind == "withdrawal"
        assert "DELAYED" in console.shown("#detail-text")
        await console.type_into("#follow-up-note", "Bank says the transfer is queued.")
        await console.press("enter", wait=False)
        await console.wait_until(lambda: "On follow-up" in console.shown("#detail-message"), what="the follow-up")
        assert "expect it by" in console.shown("#detail-message")
    with world.sessions() as session:
        stored = session.get(Ticket, ticket)
        assert stored is not None and stored.status.value == "pending" and stored.follow_up_due is not None
    (notice, *_) = recent_messages(world.sessions, world.keyring.fernet(), DEMO_ACCOUNTS[case].account_number)
    assert notice.kind == "withdrawal_delay"


async def test_a_dispute_goes_from_statement_row_to_a_posted_adjustment(
    demo_app: HotlineApp, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = "wrong_fee"  # charged 5 USDT on a 500 USDT withdrawal; the schedule says 1
    ticket = world.verified_call(case, reason="statement_dispute")
    reads: list[object] = []

    def counted_reads(*args: object) -> object:
        reads.append(args)
        return caller_disputes(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(disputes_tab, "caller_disputes", counted_reads)
    async with drive(demo_app, notifications=True) as console:
        screen = await open_statement_row(console, ticket, "500", "500.000000 USDT")
        reads.clear()
        assert "differs from the schedule" in console.shown("#detail-text")
        await console.type_into("#dispute-amount", "4")
        await console.type_into("#dispute-description", "Charged 5 USDT; the schedule says 1 USDT.")
        await console.press("enter", wait=False)
        await console.wait_until(
            lambda: screen.query_one("#money-tabs", TabbedContent).active == "disputes", what="the disputes tab"
        )
        assert screen.selected_dispute is not None and screen.selected_dispute.status == "open"
        assert "Open" in console.shown("#dispute-timeline")
        await console.type_into("#adjust-amount", "4")
        await console.type_into("#adjust-reason", "Fee above the published schedule.")
        await console.press("enter")
        # One more key, after the words: the amount with its asset, the account, the dispute.
        dispute_id = screen.selected_dispute.dispute_id
        account = DEMO_ACCOUNTS[case].account_number
        await console.sees(f"Credit 4.000000 USDT to {account} for dispute D{dispute_id}.")
        await console.confirm()
        await console.wait_until(lambda: "posted" in console.shown("#dispute-message"), what="the adjustment")
        assert "Adjusted" in console.shown("#dispute-timeline")
        assert "Not done" not in console.text()  # no worker failed on the way
        # One key press, one round trip: opening the dispute and proposing the adjustment each returned
        # what the tab shows; the disputes list was never read again.
        assert reads == []
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


async def test_escape_on_the_adjustment_confirmation_posts_nothing(demo_app: HotlineApp, world: World) -> None:
    case = "wrong_fee"
    ticket = world.verified_call(case, reason="statement_dispute")
    async with drive(demo_app, notifications=True) as console:
        screen = await open_statement_row(console, ticket, "500", "500.000000 USDT")
        await console.type_into("#dispute-amount", "4")
        await console.type_into("#dispute-description", "Fee above schedule.")
        await console.press("enter", wait=False)
        await console.wait_until(lambda: screen.selected_dispute is not None, what="the dispute")
        await console.type_into("#adjust-amount", "4")
        await console.type_into("#adjust-reason", "Fee above the published schedule.")
        await console.press("enter")
        console.on(ConfirmAction)
        await console.press("escape")
        await console.wait_until(lambda: "Nothing was posted" in console.shown("#dispute-message"), what="the answer")
        assert screen.query_one("#adjust-amount", Input).value == "4"  # kept for a second try
    with world.sessions() as session:
        assert session.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.ADJUSTMENT)).all() == []


async def test_a_large_adjustment_waits_for_a_supervisor(demo_app: HotlineApp, world: World) -> None:
    from console.settings import with_overrides

    demo_app.settings = with_overrides(demo_app.settings, approval_thresholds={"USDT": "3"})
    case = "wrong_fee"
    ticket = world.verified_call(case, reason="statement_dispute")
    async with drive(demo_app, notifications=True) as console:
        await open_statement_row(console, ticket, "500", "500.000000 USDT")
        await console.type_into("#dispute-amount", "4")
        await console.type_into("#dispute-description", "Fee above schedule.")
        await console.press("enter", wait=False)
        await console.wait_until(lambda: console.on(MoneyScreen).selected_dispute is not None, what="the dispute")
        await console.type_into("#adjust-amount", "4")
        await console.type_into("#adjust-reason", "Fee above the published schedule.")
        await console.press("enter")
        await console.confirm()
        await console.wait_until(
            lambda: "waits for a supervisor" in console.shown("#dispute-message"), what="the approval notice"
        )
        assert "Awaiting approval" in console.shown("#dispute-timeline")
        await console.sees("4.000000 USDT")
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
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", lina_call)
        await console.open_money()
        await console.press("f4")
        screen = console.on(MoneyScreen)
        seen = screen.selected_dispute
        assert seen is not None and screen.query_one("#edit-claimed", Input).value == "1,500.00"
        await console.type_into("#edit-description", mine)
        # Meanwhile marcus, on his own call with her, saves the same dispute first.
        disputes.update_dispute(
            world.sessions,
            OnCall(agent_id=world.agent("marcus"), now=world.now, ticket_id=marcus_call),
            seen.dispute_id,
            seen.version,
            description="Caller adds: her phone was lost last week.",
        )
        await console.press("enter", wait=False)
        await console.wait_until(
            lambda: "Someone else saved this dispute first" in console.shown("#dispute-message"),
            what="the refusal",
        )
        assert "what you typed is kept" in console.shown("#dispute-message")
        assert screen.query_one("#edit-description", Input).value == mine
        assert (
            "her phone was lost"
            in disputes.caller_disputes(
                world.sessions,
                OnCall(
                    agent_id=world.agent("lina"), now=world.now, ticket_id=lina_call, customer_id=world.customer(case)
                ),
            )[0].description
        )
        # Having seen the other change, she saves again: now it goes through.
        screen.query_one("#edit-description", Input).focus()
        await console.press("enter", wait=False)
        await console.wait_until(lambda: "saved" in console.shown("#dispute-message"), what="the second save")
    (saved,) = disputes.caller_disputes(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=lina_call, customer_id=world.customer(case)),
    )
    assert saved.description == mine


async def test_the_adjusting_key_press_is_one_round_trip_and_the_statement_shows_the_line_when_shown(
    demo_app: HotlineApp, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = "wrong_fee"
    ticket = world.verified_call(case, reason="statement_dispute")
    calls = count_service_calls(monkeypatch, fees_tab, statement_tab, disputes_tab)
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        screen = await console.open_money()
        await console.press("f3")
        await console.pick_row("#statement-table", lambda cells: cells[2] == "500.000000 USDT")
        await console.type_into("#dispute-amount", "4")
        await console.type_into("#dispute-description", "Charged 5 USDT; the schedule says 1 USDT.")
        calls.clear()
        await console.press("enter")
        # Opening the dispute: one command; the statement it changed is on another tab now, so not read.
        assert calls == ["open_dispute"]
        assert screen.query_one("#money-tabs", TabbedContent).active == "disputes"
        dispute = screen.selected_dispute
        assert dispute is not None
        await console.type_into("#adjust-reason", "Fee above the published schedule.")
        await console.press("enter")
        calls.clear()
        await console.confirm()  # the adjusting key press
        await console.sees("posted to the account")
        assert calls == ["propose_adjustment"]
        # The agent looks at the statement: that key press reads it, once, and the new line is there.
        calls.clear()
        await console.press("f3")
        assert calls == ["statement"]
        table = screen.query_one("#statement-table", DataTable)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[1] == "Adjustment" and first[2] == "4.000000 USDT" and first[7] == f"D{dispute.dispute_id}"
        # Shown again with nothing changed: no read.
        calls.clear()
        await console.press("f4")
        await console.press("f3")
        assert calls == []
