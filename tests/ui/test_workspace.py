"""The call workspace, driven through the real app on a real SQLite file: ring, claim, look up, card."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Input, OptionList
from textual.worker import NoActiveWorker, get_current_worker

from console.app import HotlineApp, make_app
from console.commands import HotlineCommands
from console.db import Database, open_database
from console.services.agents import add_agent
from console.services.calls import record_incoming_call, waiting_calls
from console.settings import Settings, with_overrides
from models import Customer, IncomingCall, Ticket
from screens.admin import AdminDeskScreen
from screens.escalations import EscalationScreen
from screens.workspace import LOOKUP_GROUP, WorkspaceScreen
from tests.support.call_floor import (
    LEE_DAUGHTER,
    LEE_FATHER,
    TAN,
    WANG,
    WANG_BALANCE_SHOWN,
    WANG_WEI_2,
    ZHANG,
    Person,
    id_last4,
)
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import drive

ANNOUNCEMENT = "Another agent has already taken this call."


def ticket_row(database: Database, ticket_id: int) -> Ticket:
    with database.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        session.expunge(ticket)
        return ticket


def result_names(app: HotlineApp) -> list[str]:
    results = app.screen.query_one("#results", OptionList)
    return [str(results.get_option_at_index(i).prompt).split("  ")[0] for i in range(results.option_count)]


# Landing


async def test_an_agent_lands_on_the_call_workspace(app: HotlineApp, floor: dict[str, int]) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        assert isinstance(app.screen, WorkspaceScreen)
        await console.sees("No callers waiting.", "No ticket open.")
        assert app.screen.query_one("#lookup-input", Input).has_focus


async def test_a_supervisor_reaches_the_workspace_from_the_queue_and_goes_back(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    async with drive(app) as console:
        await console.log_in("sam")
        assert isinstance(app.screen, EscalationScreen)
        await console.press("f2")
        assert isinstance(app.screen, WorkspaceScreen)
        await console.press("ctrl+o")
        assert isinstance(app.screen, EscalationScreen)


async def test_an_admin_reaches_the_workspace_from_the_desk_and_goes_back(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    async with drive(app) as console:
        await console.log_in("ada")
        assert isinstance(app.screen, AdminDeskScreen)
        await console.press("f2")
        assert isinstance(app.screen, WorkspaceScreen)
        await console.press("ctrl+o")
        assert isinstance(app.screen, AdminDeskScreen)


async def test_the_palette_lists_every_workspace_action(app: HotlineApp, floor: dict[str, int]) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        commands = {c.name: c.help for c in HotlineCommands(app.screen).commands()}
        for name, key in [
            ("Take call", "f2"),
            ("Find", "f3"),
            ("New ticket", "f4"),
            ("Notes", "f5"),
            ("My tickets", "f6"),
            ("Hotlines", "f7"),
            ("Reason", "f8"),
            ("Wrap up", "f9"),
            ("Feedback", "^f"),
            ("Log out", "^l"),
            ("Lock", "f12"),
        ]:
            assert commands[name].endswith(f"({key})"), (name, commands.get(name))
        assert "Home" not in commands  # an agent's home is the workspace


async def test_a_remapped_claim_key_is_used_and_named_in_the_hints(
    app_with: Callable[..., HotlineApp], floor: dict[str, int], sqlite_database: Database
) -> None:
    app = app_with(keymap={"workspace.claim": "f1"})
    async with drive(app) as console:
        await console.log_in("ann")
        await console.sees("Take a call (f1)")
        await console.ring(sqlite_database, WANG.phone or "")
        await console.press("f1")
        assert WANG.name in console.shown("#card-body")


# Ring, screen pop and claim


async def test_a_ring_shows_within_two_seconds_and_one_key_takes_it_with_the_caller_found(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, settings: Settings
) -> None:
    assert settings.call_poll_seconds <= 1.0
    async with drive(app, notifications=True) as console:
        await console.log_in("ann")
        call = record_incoming_call(sqlite_database.sessions, "138 1234 5601", "CN", now=app.wall_clock())
        screen = console.workspace
        await console.wait_until(lambda: bool(screen.calls), timeout=2.0, what="the ring")
        await console.sees(
            "Calls waiting (1)", "+86 •••••••••01  CN  waiting 0:0", "A caller is waiting: +86 •••••••••01."
        )
        await console.press("f2")
        assert screen.ticket is not None
        assert WANG.name in console.shown("#card-body")
        assert console.shown("#lookup-hint") == "The caller's number belongs to 王伟."
        await console.sees("No callers waiting.")
        # The ticket was attached to the caller in the database.
        row = ticket_row(sqlite_database, screen.ticket.ticket_id)
        assert row.customer_id == floor[WANG.account] and row.call_id == call.call_id
        await console.sees(f"Ticket #{row.id} · Open")
        assert app.screen.query_one("#notes").has_focus  # ready to type


@pytest.mark.parametrize(("size", "list_on_screen"), [((120, 40), False), ((160, 40), True)])
async def test_taking_a_call_reads_my_tickets_only_when_the_list_is_on_screen(
    app: HotlineApp,
    floor: dict[str, int],
    sqlite_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    list_on_screen: bool,
) -> None:
    from screens.workspace import my_tickets as my_tickets_module

    reads: list[int] = []
    real = my_tickets_module.my_tickets

    def counting(sessions: Any, agent_id: int) -> Any:
        reads.append(agent_id)
        return real(sessions, agent_id)

    monkeypatch.setattr(my_tickets_module, "my_tickets", counting)
    async with drive(app, size=size) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, WANG.phone or "")
        reads.clear()
        screen = await console.take_call()
        assert screen.ticket is not None
        # One key press, one round trip: the list is read with the claim only where it is shown
        # (a third column on a wide terminal); under 150 columns it waits for the key that shows it.
        assert len(reads) == (1 if list_on_screen else 0)
        reads.clear()
        await console.press("f6")
        assert len(reads) == 1  # f6 reads the list every time
        listing = screen.query_one("#my-ticket-list", OptionList)
        assert listing.get_option_index(f"ticket-{screen.ticket.ticket_id}") == 0


async def test_the_selected_call_is_taken_rather_than_the_longest_waiting(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        first = await console.ring(sqlite_database, WANG.phone or "")
        second = await console.ring(sqlite_database, TAN.phone or "")
        calls = app.screen.query_one("#call-list", OptionList)
        calls.focus()
        calls.highlighted = 1
        await console.press("f2")
        assert TAN.name in console.shown("#card-body")
        assert [c.call_id for c in waiting_calls(sqlite_database.sessions, app.agent.id)] == [first]
        with sqlite_database.sessions() as session:
            assert session.get(IncomingCall, second).claimed_by_agent_id is not None  # type: ignore[union-attr]


async def test_the_calls_list_is_worked_with_the_keyboard_alone(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, WANG.phone or "")
        await console.ring(sqlite_database, TAN.phone or "")
        await console.press("shift+tab", wait=False)  # from the lookup box back to the calls
        calls = app.screen.query_one("#call-list", OptionList)
        assert calls.has_focus and calls.highlighted == 0
        await console.press("down", "enter")  # Enter on a call takes that call
        assert TAN.name in console.shown("#card-body")


async def test_two_consoles_claim_one_call_one_wins_and_the_other_is_told(
    settings: Settings, sqlite_database: Database, floor: dict[str, int]
) -> None:
    add_agent(sqlite_database.sessions, "bob", PASSWORD, "agent", display_name="Bob Agent", now=datetime.now(UTC))
    url = sqlite_database.engine.url.render_as_string(hide_password=False)
    other_database = open_database(
        url, sqlite_database.keyring
    )  # the second console has its own engine, like another PC
    # No poll between the two key presses: on a busy machine a poll could show bob the call gone
    # before his key is read, and the race under test would not happen. The test polls by hand.
    still = with_overrides(settings, call_poll_seconds=3600)
    first, second = make_app(still, sqlite_database), make_app(still, other_database)
    try:
        async with (
            drive(first, notifications=True) as ann,
            drive(second, notifications=True) as bob,
        ):
            await ann.log_in("ann")
            await bob.log_in("bob")
            record_incoming_call(sqlite_database.sessions, WANG.phone or "", None, now=ann.app.wall_clock())
            for console in (ann, bob):
                console.workspace.queue.refresh_calls()
                await console.wait_until(
                    lambda console=console: bool(console.workspace.calls), what="the call on both consoles"
                )
            # Both press the key before either console hears back from the database.
            await ann.press("f2", wait=False)
            await bob.press("f2", wait=False)
            screens = [ann.workspace, bob.workspace]
            # Both consoles run on one event loop: wait for the outcome itself, not for one app to settle.
            await ann.wait_until(
                lambda: (
                    sum(s.ticket is not None and s.card is not None for s in screens) == 1
                    and any(ANNOUNCEMENT in c.text() for c in (ann, bob))
                ),
                timeout=10,
                what="one console to win the call and the other to be told",
            )
            for console in (ann, bob):
                await console.settle()
            winners = [s for s in screens if s.ticket is not None]
            losers = [s for s in screens if s.ticket is None]
            assert len(winners) == 1 and len(losers) == 1
            loser = ann if losers[0] is screens[0] else bob
            winner = bob if loser is ann else ann
            await loser.sees(ANNOUNCEMENT)
            assert ANNOUNCEMENT not in winner.text()
            assert WANG.name in winner.shown("#card-body")
            assert WANG.name not in loser.shown("#card-body")
        with sqlite_database.sessions() as session:
            assert len(session.scalars(select(Ticket).where(Ticket.call_id.is_not(None))).all()) == 1
    finally:
        other_database.dispose()


async def test_a_number_several_customers_share_gives_a_pick_list_and_no_automatic_choice(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, LEE_FATHER.phone or "", "HK")
        await console.press("f2")
        screen = console.workspace
        assert screen.ticket is not None and screen.card is None
        assert console.shown("#lookup-hint").startswith("The caller's number matches 2 customers.")
        # The masked data that tells them apart is there: account numbers and email.
        await console.sees(LEE_FATHER.name, LEE_DAUGHTER.name, "OK••••0005", "OK••••0006", "no email")
        assert ticket_row(sqlite_database, screen.ticket.ticket_id).customer_id is None
        results = app.screen.query_one("#results", OptionList)
        assert results.has_focus
        await console.press("down", "enter")
        assert LEE_DAUGHTER.name in console.shown("#card-body")
        row = ticket_row(sqlite_database, screen.ticket.ticket_id)
        assert row.customer_id == floor[LEE_DAUGHTER.account]


async def test_an_unknown_number_says_so_and_the_ticket_goes_on_without_a_customer(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, "+8613000000000")
        await console.press("f2")
        assert console.shown("#lookup-hint").startswith("No customer has the caller's number.")
        screen = console.workspace
        assert screen.ticket is not None
        await console.sees("No customer attached yet.")
        # Found another way (the caller reads out the account number), then attached.
        await console.find(TAN.account)
        await console.press("enter")
        assert ticket_row(sqlite_database, screen.ticket.ticket_id).customer_id == floor[TAN.account]
        await console.sees("For Sarah Tan")


async def test_taking_a_call_while_a_ticket_is_open_is_refused_in_plain_words(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app, notifications=True) as console:
        await console.log_in("ann")
        await console.press("f4")
        await console.ring(sqlite_database, WANG.phone or "")
        await console.press("f2")
        await console.sees("before taking another call.")
        assert len(waiting_calls(sqlite_database.sessions, app.agent.id)) == 1


# Lookup


@pytest.mark.parametrize(
    ("query", "person"),
    [
        pytest.param("138 1234 5601", WANG, id="phone"),
        pytest.param(TAN.account, TAN, id="account"),
        pytest.param("sarah.tan@example.sg", TAN, id="email"),
        pytest.param("张三丰", ZHANG, id="chinese-name"),
        pytest.param("zhangsan", ZHANG, id="pinyin"),
        pytest.param("zsf", ZHANG, id="initials"),
        pytest.param("5601", WANG, id="phone-last-4"),
        pytest.param(id_last4(WANG_WEI_2), WANG_WEI_2, id="id-last-4"),
    ],
)
async def test_each_kind_of_query_finds_the_right_customer(
    app: HotlineApp, floor: dict[str, int], query: str, person: Person
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.find(query)
        assert result_names(app) == [person.name]
        await console.press("enter")  # one candidate: Enter shows the card
        card = console.shown("#card-body")
        assert person.name in card and person.account in card
        assert "No ticket open: f4 opens one for this customer." in card


async def test_several_matches_give_a_pick_list_and_the_agent_picks(app: HotlineApp, floor: dict[str, int]) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.find("wangwei")
        assert sorted(result_names(app)) == sorted([WANG.name, WANG_WEI_2.name])
        assert console.shown("#lookup-hint") == "2 matches by pinyin. Pick one with ↓ and Enter."
        assert console.workspace.card is None  # nothing chosen for the agent
        await console.press("enter")  # several: Enter moves to the list, it does not pick
        assert console.workspace.card is None
        assert app.screen.query_one("#results", OptionList).has_focus
        await console.press("down", "enter")
        second = result_names(app)[1]
        assert second in console.shown("#card-body")


async def test_a_query_that_cannot_be_used_shows_the_services_hint(app: HotlineApp, floor: dict[str, int]) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.find("12345")
        assert console.shown("#lookup-hint").startswith("12345 is not a valid phone number for region CN.")
        assert result_names(app) == []


async def test_a_key_looks_up_at_once_and_keys_typed_meanwhile_cost_one_more_query(
    app_with: Callable[..., HotlineApp],
    floor: dict[str, int],
    sqlite_database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from screens.workspace import lookup as workspace_module

    queries: list[str] = []
    real = workspace_module.find_customers

    def counting(sessions: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        queries.append(query)
        return real(sessions, query, *args, **kwargs)

    monkeypatch.setattr(workspace_module, "find_customers", counting)
    gate = threading.Event()
    slow = GatedLookups(sqlite_database.read_sessions, gate)
    app = app_with(database=replace(sqlite_database, read_sessions=slow))
    async with drive(app) as console:
        await console.log_in("ann")
        await console.press("f3", "z", wait=False)
        # No pause before the first query: it is in the database before another key is pressed.
        await console.wait_until(slow.waiting.is_set, what="the first lookup", settle=False)
        assert queries == ["z"]
        for key in "hangsan":
            await console.press(key, wait=False)
        assert queries == ["z"]  # nothing else starts while the database is busy
        gate.set()
        screen = console.workspace
        await console.wait_until(lambda: screen.result is not None and screen.result.query == "zhangsan", what="it")
        # Seven keys typed meanwhile: one more query, for the text as it stands.
        assert queries == ["z", "zhangsan"]


async def test_a_slow_database_does_not_delay_a_keypress(
    app_with: Callable[..., HotlineApp], floor: dict[str, int], sqlite_database: Database
) -> None:
    gate = threading.Event()
    slow = GatedLookups(sqlite_database.read_sessions, gate)
    app = app_with(database=replace(sqlite_database, read_sessions=slow))
    async with drive(app) as console:
        await console.log_in("ann")
        await console.press("f3", *"wang", wait=False)
        await console.wait_until(slow.waiting.is_set, what="the lookup to block", settle=False)
        # The lookup is stuck in the database; every typed key still lands at once.
        lookup = app.screen.query_one("#lookup-input", Input)
        for count, key in enumerate("wei", start=1):
            await console.press(key, wait=False)
            assert lookup.value == "wang" + "wei"[:count]
        assert console.workspace.result is None
        gate.set()
        screen = console.workspace
        await console.wait_until(lambda: screen.result is not None and screen.result.query == "wangwei", what="wangwei")
        assert sorted(result_names(app)) == sorted([WANG.name, WANG_WEI_2.name])


class GatedLookups:
    """A read-session factory whose lookups (only) wait at a gate: a database that answers slowly."""

    def __init__(self, real: Any, gate: threading.Event) -> None:
        self.real = real
        self.gate = gate
        self.waiting = threading.Event()

    def __call__(self) -> Any:
        try:
            group = get_current_worker().group
        except NoActiveWorker:
            group = None
        if group == LOOKUP_GROUP:
            self.waiting.set()
            assert self.gate.wait(timeout=10), "the test never opened the gate"
        return self.real()


# The card


async def test_the_card_shows_masked_data_only(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.ring(sqlite_database, WANG.phone or "", "CN")
        await console.press("f2")
        text = console.text()
        assert WANG.name in console.shown("#card-body")
        # Nothing in full: not the phone (in any form), the email, the ID number or the balance.
        phone = WANG.phone or ""
        for secret in [
            phone,
            phone.removeprefix("+86"),
            "138 1234 5601",
            "1381234",
            WANG.email or "",
            "wangwei@",
            WANG.id_number,
            WANG.id_number[:-4],
            *WANG_BALANCE_SHOWN,
        ]:
            assert secret not in text, secret
        card = console.shown("#card-body")
        assert "+86 •••••••••01 (bound)" in card
        assert "w•••@example.cn" in card
        assert "••••123X" in card
        assert "Locked: Too many wrong passwords" in card
        assert "2FA      On" in card
        assert "Repeat caller" in card and "2 earlier calls in the last 7 days" in card
        assert "Locked account       Follow-up needed" in card
        assert "Deposit / withdrawal Resolved" in card
        assert "Statement dispute    Escalated" in card
        assert "0 disputes · 0 other tickets" in card


async def test_markup_and_control_characters_in_a_customer_name_show_literally(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    with sqlite_database.sessions.begin() as session:
        session.add(
            Customer(
                account_number="OK10000099",
                full_name="[bold]Bob\x1b[2J\u202eevil",
                name_pinyin="bob",
                name_initials="b",
                region="CN",
            )
        )
    async with drive(app) as console:
        await console.log_in("ann")
        await console.find("OK10000099")
        await console.sees("[bold]Bob[2Jevil")
        await console.press("enter")
        assert "[bold]Bob[2Jevil" in console.shown("#card-body")


# Tickets by hand, reasons


async def test_a_customer_picked_without_a_ticket_gets_one_by_hand(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.find(ZHANG.account)
        await console.press("enter")
        await console.press("f4")
        screen = console.workspace
        assert screen.ticket is not None
        row = ticket_row(sqlite_database, screen.ticket.ticket_id)
        assert row.customer_id == floor[ZHANG.account] and row.call_id is None
        await console.sees(f"For {ZHANG.name}")


async def test_the_reason_chosen_with_the_keyboard_is_saved(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        await console.press("f4")
        await console.press("f8", "enter", wait=False)  # open the list: Other is highlighted, the last one
        await console.press("up", "up", "up", "up", "up", "enter")
        screen = console.workspace
        assert screen.ticket is not None and screen.ticket.reason == "locked_account"
        assert ticket_row(sqlite_database, screen.ticket.ticket_id).reason == "locked_account"
        # A second change carries the version the first one returned.
        await console.press("enter", "down", "enter")
        assert ticket_row(sqlite_database, screen.ticket.ticket_id).reason == "deposit_withdrawal"


async def test_the_directory_lists_each_hotline_with_hours_and_languages(
    app: HotlineApp, floor: dict[str, int]
) -> None:
    async with drive(app, size=(100, 30)) as console:
        await console.log_in("ann")
        assert "Hong Kong" not in console.text()  # narrow: the directory waits for its key
        await console.press("f7", wait=False)
        await console.pause()
        await console.sees("HK   +852 3001 2345  Hong Kong", "09:00-18:00 HKT, Mon-Sat", "zh-HK, en")
        assert app.screen.query_one("#hotline-list").has_focus
        await console.press("escape", wait=False)
        await console.pause()
        assert "Hong Kong" not in console.text()
