"""The supervisor's desk, driven as chenjing drives it: the queue on login, an item opened, a decision
confirmed in words and the password typed again, the item gone; refusals said in place; the queue
updating by itself (on PostgreSQL too); and, with two consoles on one database, an adjustment and a complaint
asked for on the agent's screen, shown in the queue within 2 s, decided, and heard of on the agent's console."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from console.app import HotlineApp, make_app
from console.commands import HotlineCommands
from console.db import open_database
from console.keys import KeyRing
from console.seed.demo import DEMO_ACCOUNTS
from console.services import unlocks
from console.services.context import OnCall
from console.services.decisions import decide_escalation
from console.services.escalation_watch import LISTENER_NAME
from console.settings import with_overrides
from models import Feedback
from screens.confirm import ConfirmAction
from screens.escalations import EscalationScreen
from screens.escalations.dialogs import PasswordAgain
from tests.support.desk import FEE, LOCKED_OUT, RISK, adjustment_waiting, locked_out, supervisor, unlock_waiting
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import Console, drive

RISK_ACCOUNT = DEMO_ACCOUNTS[RISK].account_number


@pytest.fixture
def second_console(demo_app: HotlineApp, demo_keyring: KeyRing, clock: FrozenWallClock) -> Iterator[HotlineApp]:
    """Another console on the same demo database (its own engine, like another PC), on the same clock."""
    database = open_database(demo_app.database.engine.url.render_as_string(hide_password=False), demo_keyring)
    app = make_app(demo_app.settings, database)
    app.wall_clock = clock
    yield app
    database.dispose()


async def test_a_supervisor_lands_on_the_queue_oldest_first_with_who_asked(demo_app: HotlineApp, world: World) -> None:
    unlock_waiting(world)
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        desk = console.desk
        assert console.queue_accounts()[-1] == RISK_ACCOUNT
        # the demo's adjustment, unlock and complaint, and this one
        await console.sees("Waiting for a supervisor (4)", "Unlock (risk lock)", "Adjustment 800.000000 USDT")
        assert [item.asked_at for item in desk.queue.items] == sorted(item.asked_at for item in desk.queue.items)


async def test_approving_with_a_stale_password_confirms_in_words_asks_for_it_and_the_item_leaves(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    unlock_waiting(world)
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        clock.advance(timedelta(minutes=6))  # the password was typed at login, over 5 minutes ago now
        panel = await console.open_item(RISK_ACCOUNT)
        assert "lifting a risk lock" in console.shown("#item-decisions")
        assert "Why the agent asks: Caller explains the deposits." in console.shown("#item-case")
        await console.decide("Payslips checked against the deposits.")
        dialog = console.on(ConfirmAction)
        assert console.shown("#confirm-what").startswith(f"Unlock {RISK_ACCOUNT}, lifting a risk lock;")
        assert "Payslips checked" in console.shown("#confirm-reason")
        assert dialog.is_attached
        await console.confirm()
        await console.wait_until(lambda: isinstance(demo_app.screen, PasswordAgain), what="the password dialog")
        assert "last typed more than 5 minutes ago" in console.shown("#again-why")
        await console.type_password_again("chenjing-demo")
        await console.wait_until(lambda: RISK_ACCOUNT not in console.queue_accounts(), what="the item to leave")
        assert isinstance(demo_app.screen, EscalationScreen)
        assert "Approved: OK10674452 is unlocked; lina is told." in console.shown("#decision-message")
        assert panel.detail is None
    assert world.customer_row(RISK).status.value == "active"


async def test_a_wrong_password_is_said_in_the_dialog_and_nothing_is_decided(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    unlock_waiting(world)
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        clock.advance(timedelta(minutes=6))
        await console.open_item(RISK_ACCOUNT)
        await console.decide("ok")
        await console.confirm()
        await console.wait_until(lambda: isinstance(demo_app.screen, PasswordAgain), what="the password dialog")
        await console.type_password_again("not-it")
        assert console.shown("#again-message") == "That is not your password."
        await console.press("escape")
        assert "Nothing was decided." in console.shown("#decision-message")
        assert RISK_ACCOUNT in console.queue_accounts()
    assert world.customer_row(RISK).status.value == "locked"


async def test_a_decision_by_the_requester_is_refused_in_place(demo_app: HotlineApp, world: World) -> None:
    unlock_waiting(world, username="chenjing")
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        await console.open_item(RISK_ACCOUNT)
        await console.decide("I checked it myself.", approve=False)
        assert console.shown("#confirm-what") == f"Keep {RISK_ACCOUNT} locked and turn the unlock request down."
        await console.confirm()
        assert "You filed this unlock request; another supervisor must decide it." in console.shown("#decision-message")
        assert RISK_ACCOUNT in console.queue_accounts()


async def test_no_decision_without_a_reason_or_an_item(demo_app: HotlineApp, world: World) -> None:
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        await console.press("f9")
        assert "Open an item first" in console.shown("#decision-message")
        await console.open_item(DEMO_ACCOUNTS["adjustment_waiting"].account_number)
        await console.press("f9")
        assert console.shown("#decision-message") == "Type the reason for your decision first."
        assert isinstance(demo_app.screen, EscalationScreen)
        # Letters typed in the reason are the reason, not the desk's keys ("o" opens from the queue).
        await console.type_into("#decision-reason", "no proof of the deposit")
        assert console.desk.item_panel.reason == "no proof of the deposit"


async def test_at_80x24_the_queue_scrolls_to_the_item_under_the_cursor(demo_app: HotlineApp, world: World) -> None:
    """The queue takes at most a third of a small terminal; moving down it brings each item into view."""
    adjustment_waiting(world)  # a fourth item, below the demo's three
    async with drive(demo_app, size=(80, 24)) as console:
        await console.log_in("chenjing", "chenjing-demo")
        await console.wait_until(lambda: len(console.desk.queue.items) >= 4, what="the queue")
        table = console.desk.queue.table
        assert table.size.height < table.virtual_size.height  # more rows than fit
        for _ in range(table.row_count - 1):
            await console.press("down")
        assert table.cursor_row == table.row_count - 1 and table.scroll_offset.y > 0
        last = console.desk.queue.items[-1]
        assert last.account_number is not None
        await console.press("enter")
        await console.sees(f"· {last.account_number} · asked by")  # the item opened is the one in view


async def test_the_queue_shows_a_new_item_by_itself_within_2_seconds(demo_app: HotlineApp, world: World) -> None:
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        loads = console.desk.queue.loads
        adjustment_waiting(world)  # an agent at another console
        await console.wait_until(
            lambda: DEMO_ACCOUNTS["wrong_fee"].account_number in console.queue_accounts(),
            what="the new item, without a key press",
            timeout=2.0,
        )
        assert console.desk.queue.loads > loads


async def test_the_agent_who_asked_sees_the_decision_on_their_console(
    demo_app: HotlineApp, second_console: HotlineApp, world: World
) -> None:
    request = unlock_waiting(world)
    ticket = request_ticket = _ticket_of(world, request.request_id)
    async with drive(demo_app, notifications=True) as lina, drive(second_console) as chenjing:
        await lina.resume("lina", ticket)
        await chenjing.log_in("chenjing", "chenjing-demo")
        await chenjing.open_item(RISK_ACCOUNT)
        await chenjing.decide("Payslips match the deposits.")
        await chenjing.confirm()
        await chenjing.wait_until(lambda: RISK_ACCOUNT not in chenjing.queue_accounts(), what="the decision")
        said = f"chenjing approved your unlock request for {RISK_ACCOUNT}: Payslips match the deposits."
        await lina.wait_until(lambda: said in lina.shown("#decision-news"), what="the notice on lina's console")
        await lina.wait_until(
            lambda: lina.text().count("chenjing approved your") == 2, what="the notice beside the calls, and a toast"
        )
        await lina.wait_until(
            lambda: "approved by chenjing" in lina.shown("#earlier-notes"), what="the ticket's notes refreshed"
        )
        assert lina.workspace.ticket is not None and lina.workspace.ticket.ticket_id == request_ticket


def _ticket_of(w: World, request_id: int) -> int:
    from models import UnlockRequest

    with w.sessions() as session:
        request = session.get(UnlockRequest, request_id)
        assert request is not None and request.ticket_id is not None
        return request.ticket_id


async def test_an_item_changed_at_another_console_is_shown_again_with_a_word(
    demo_app: HotlineApp, world: World
) -> None:
    request = unlock_waiting(world)
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        panel = await console.open_item(RISK_ACCOUNT)
        opened = panel.detail
        assert opened is not None
        ticket = world.verified_call(RISK, username="marcus")
        unlocks.amend_unlock_request(
            world.sessions,
            OnCall(agent_id=world.agent("marcus"), now=world.now, ticket_id=ticket),
            request.request_id,
            request.version,
            "Payslips too.",
        )
        await console.wait_until(
            lambda: "changed at another console" in console.shown("#decision-message"), what="the word"
        )
        await console.wait_until(
            lambda: panel.detail is not None and panel.detail.item.version > opened.item.version,
            what="the item as it is now",
        )
        assert "Why the agent asks: Payslips too." in console.shown("#item-case")


async def test_the_palette_lists_every_desk_action(demo_app: HotlineApp) -> None:
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        names = {command.name for command in HotlineCommands(demo_app.screen).commands()}
        assert {"Approve", "Turn down", "Reason", "Open", "Queue", "Refresh", "Call workspace", "Log out"} <= names


async def test_a_supervisor_on_a_call_is_pointed_to_the_queue_to_lift_a_lockout(
    demo_app: HotlineApp, world: World
) -> None:
    ticket = locked_out(world, username="chenjing")
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        assert DEMO_ACCOUNTS[LOCKED_OUT].account_number in console.queue_accounts()
        await console.press("f2")
        await console.resume_ticket(ticket)
        await console.open_verify()
        state = console.shown("#verify-state")
        assert "it is waiting in your escalation queue" in state
        assert "only a supervisor can lift" not in state


# Two consoles on one database: the agent asks on screen, the supervisor's queue shows it by itself, the
# supervisor decides, and the agent hears of it.

FEE_ACCOUNT = DEMO_ACCOUNTS[FEE].account_number
COMPLAINT = "two_factor_off"  # no feedback in the demo
COMPLAINT_ACCOUNT = DEMO_ACCOUNTS[COMPLAINT].account_number


async def in_the_queue_within_2_seconds(console: Console, account: str, loads: int, since: float | None = None) -> None:
    """The queue lists an item for `account` less than 2 s after `since` (the event loop's time; by default
    now, just after the agent's console said the item was filed), having loaded again by itself since it had
    loaded `loads` times. No key is pressed at this console meanwhile."""
    loop = asyncio.get_running_loop()
    left = (since if since is not None else loop.time()) + 2.0 - loop.time()
    await console.wait_until(lambda: account in console.queue_accounts(), what=f"{account} in the queue", timeout=left)
    assert console.desk.queue.loads > loads


async def test_a_large_adjustment_proposed_on_screen_is_approved_at_another_console_and_posted(
    demo_app: HotlineApp, second_console: HotlineApp, world: World
) -> None:
    # Over lina's threshold, as 800 USDT is over the demo's 700 (the dispute is about a 5 USDT fee).
    demo_app.settings = with_overrides(demo_app.settings, approval_thresholds={"USDT": "3"})
    ticket = world.verified_call(FEE, reason="statement_dispute")
    async with drive(demo_app, notifications=True) as lina, drive(second_console) as chenjing:
        await chenjing.log_in("chenjing", "chenjing-demo")
        assert FEE_ACCOUNT not in chenjing.queue_accounts()
        await lina.resume("lina", ticket)
        money = await lina.open_statement_row("500", "500.000000 USDT")
        dispute = await lina.dispute_row("4", "Charged 5 USDT; the schedule says 1 USDT.")
        await lina.propose_adjustment("4", "Fee above the published schedule.")
        loads = chenjing.desk.queue.loads
        await lina.confirm()
        await lina.wait_until(lambda: "waits for a supervisor" in lina.shown("#dispute-message"), what="the hold")
        await in_the_queue_within_2_seconds(chenjing, FEE_ACCOUNT, loads)
        await chenjing.sees("Adjustment 4.000000 USDT")
        assert world.adjustment_entries(FEE) == []

        await chenjing.open_item(FEE_ACCOUNT)
        await chenjing.decide("Fee checked against the schedule.")
        assert chenjing.shown("#confirm-what").startswith(f"Post 4.000000 USDT to {FEE_ACCOUNT}")
        await chenjing.confirm()
        await chenjing.wait_until(lambda: FEE_ACCOUNT not in chenjing.queue_accounts(), what="the decision")
        assert chenjing.shown("#decision-message").startswith("Approved:")

        said = f"chenjing approved your adjustment of 4.000000 USDT on dispute D{dispute.dispute_id}"
        await lina.sees("chenjing approved your adjustment")  # a toast, over the money screen
        # The money screen still open shows it: the dispute settled at once.
        await lina.wait_until(
            lambda: any("Adjusted" in row for row in lina.rows("#dispute-table")), what="the dispute settled"
        )
        await lina.press("f3")
        await lina.type_into("#filter-amount", "4")  # the statement is still filtered to the 500 USDT row
        await lina.press("enter")
        await lina.wait_until(
            lambda: ["Adjustment", "4.000000 USDT"] in [row[1:3] for row in lina.rows("#statement-table")],
            what="the entry on the statement",
        )
        (entry,) = [row for row in lina.rows("#statement-table") if row[1] == "Adjustment"]
        assert entry[-1] == f"D{dispute.dispute_id}" and money.is_attached
        await lina.back()
        assert said in lina.shown("#decision-news")
    assert world.adjustment_entries(FEE) == [4_000_000]


async def test_a_complaint_escalated_on_screen_is_resolved_at_another_console_and_the_agent_hears(
    demo_app: HotlineApp, second_console: HotlineApp, world: World
) -> None:
    ticket = world.open_ticket(COMPLAINT, reason="feedback")
    async with drive(demo_app, notifications=True) as lina, drive(second_console) as chenjing:
        await chenjing.log_in("chenjing", "chenjing-demo")
        assert COMPLAINT_ACCOUNT not in chenjing.queue_accounts()
        await lina.resume("lina", ticket)
        await lina.open_feedback()
        loads = chenjing.desk.queue.loads
        await lina.give_feedback(
            "complaint", "fees", "Charged twice for one withdrawal.", escalate="Caller asks for a supervisor."
        )
        filed = asyncio.get_running_loop().time()
        await lina.sees("is with Payments.", "supervisors' queue.")  # a toast, wrapped
        await in_the_queue_within_2_seconds(chenjing, COMPLAINT_ACCOUNT, loads, since=filed)
        await chenjing.sees("Complaint about fees: Charged twice")

        await chenjing.open_item(COMPLAINT_ACCOUNT)
        await chenjing.decide("Second charge refunded.")
        assert chenjing.shown("#confirm-what").startswith("Resolve the complaint of")
        await chenjing.confirm()
        await chenjing.wait_until(lambda: COMPLAINT_ACCOUNT not in chenjing.queue_accounts(), what="the decision")
        assert "upheld" in chenjing.shown("#decision-message")

        with world.sessions() as session:
            complaint = session.scalars(select(Feedback).where(Feedback.ticket_id == ticket)).one()
        said = f"chenjing resolved the complaint F{complaint.id} you escalated: Upheld: Second charge refunded."
        await lina.wait_until(lambda: said in lina.shown("#decision-news"), what="the notice on lina's console")
        await lina.wait_until(
            lambda: f"Complaint F{complaint.id} resolved by chenjing" in lina.shown("#earlier-notes"),
            what="the ticket's notes refreshed",
        )
    with world.sessions() as session:
        resolved = session.get(Feedback, complaint.id)
        assert resolved is not None and resolved.escalation_resolution == "Upheld: Second charge refunded."


async def test_a_decision_made_while_the_agent_was_logged_out_is_told_at_their_next_login(
    demo_app: HotlineApp, second_console: HotlineApp, world: World
) -> None:
    unlock_waiting(world)  # lina's request for the risk lock
    async with drive(demo_app, notifications=True) as lina, drive(second_console) as chenjing:
        await lina.log_in("lina", "lina-demo")
        await lina.settle()  # her console has asked once: it hears decisions from now on
        await lina.press("ctrl+l", wait=False)  # lunch: the console stays open at the login form
        await lina.sees("Log out with a call open?")  # her call with the caller comes back at the next login
        await lina.press("enter", wait=False)
        await lina.wait_until(lambda: demo_app.agent is None, what="lina logged out")
        await chenjing.log_in("chenjing", "chenjing-demo")
        await chenjing.open_item(RISK_ACCOUNT)
        await chenjing.decide("Payslips match the deposits.")
        await chenjing.confirm()
        await chenjing.wait_until(lambda: RISK_ACCOUNT not in chenjing.queue_accounts(), what="the decision")
        await lina.log_in("lina", "lina-demo")
        said = f"chenjing approved your unlock request for {RISK_ACCOUNT}: Payslips match the deposits."
        await lina.wait_until(lambda: said in lina.shown("#decision-news"), what="the notice at the next login")


@pytest.mark.postgres
async def test_on_postgresql_the_queue_shows_a_new_item_and_a_decision_elsewhere_by_itself_within_2_seconds(
    demo_app_on_postgres: HotlineApp, world_on_postgres: World
) -> None:
    w = world_on_postgres  # its services are the other consoles
    async with drive(demo_app_on_postgres) as chenjing:
        await chenjing.log_in("chenjing", "chenjing-demo")
        # The queue listens rather than polls: its own connection waits on the channel.
        await chenjing.wait_until(lambda: _listening(w), what="the queue's listener")
        assert FEE_ACCOUNT not in chenjing.queue_accounts()

        loads = chenjing.desk.queue.loads
        pending = adjustment_waiting(w)  # lina, at another console
        await in_the_queue_within_2_seconds(chenjing, FEE_ACCOUNT, loads)

        decide_escalation(
            w.sessions,
            supervisor(w, "admin"),
            "adjustment",
            pending.adjustment_id,
            pending.version,
            approve=False,
            reason="No receipt.",
        )
        await chenjing.wait_until(
            lambda: FEE_ACCOUNT not in chenjing.queue_accounts(),
            what="the item decided elsewhere to leave",
            timeout=2.0,
        )


def _listening(w: World) -> bool:
    """Whether a connection named as the queue's listener is waiting on the database (pg_stat_activity)."""
    with w.sessions() as session:
        return bool(
            session.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND query LIKE 'LISTEN%'"),
                {"name": LISTENER_NAME},
            )
        )
