"""Wrap-up and notes: a disposition is required, follow-ups stay pending, drafts survive a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Input, RadioSet

from console.app import HotlineApp, make_app
from console.db import Database
from console.services.tickets import load_draft, ticket_notes
from console.settings import Settings
from screens.leave_call import LeaveCallDialog
from screens.workspace import WorkspaceScreen
from screens.wrap_up import NO_DISPOSITION, PAST_DATE, WrapUpScreen
from tests.support.call_floor import WANG
from tests.ui.clocks import FakeClock
from tests.ui.console_driver import Console, drive
from tests.ui.test_workspace import ticket_row


async def take_wangs_call(console: Console, database: Database) -> int:
    """王芳 rings on the CN line and the agent takes the call; the new ticket's id."""
    await console.ring(database, WANG.phone or "", "CN")
    screen = await console.take_call()
    assert screen.ticket is not None
    return screen.ticket.ticket_id


async def test_wrap_up_cannot_finish_without_a_disposition(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press("f9", wait=False)
        await console.pause()
        assert isinstance(app.screen, WrapUpScreen)
        await console.press("ctrl+s", wait=False)
        await console.pause()
        assert isinstance(app.screen, WrapUpScreen)  # still asking
        assert console.shown("#wrap-up-message") == NO_DISPOSITION
        await console.sees(NO_DISPOSITION)
        assert app.screen.query_one("#disposition", RadioSet).has_focus
        await console.settle()
        assert ticket_row(sqlite_database, ticket_id).status == "open"
        # Back to the call with Escape: nothing changed.
        await console.press("escape")
        assert isinstance(app.screen, WorkspaceScreen)
        assert ticket_row(sqlite_database, ticket_id).status == "open"


async def test_a_resolved_call_closes_with_talk_and_wrap_up_time_apart(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    clock = FakeClock()
    app.clock = clock
    async with drive(app, notifications=True) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press(*"Asked about the lock", wait=False)
        clock.advance(185)  # three minutes on the phone
        await console.press("f9", wait=False)
        await console.pause()
        await console.sees("Talk time         3:05")
        await console.sees("Asked about the lock")  # the note goes with the wrap-up
        clock.advance(40)  # then forty seconds of wrap-up
        await console.press("enter", wait=False)  # the first disposition: Resolved
        await console.press("ctrl+s")
        assert isinstance(app.screen, WorkspaceScreen)
        row = ticket_row(sqlite_database, ticket_id)
        assert (row.status, row.disposition) == ("closed", "resolved")
        assert (row.talk_seconds, row.wrap_up_seconds) == (185, 40)
        assert [n.body for n in ticket_notes(sqlite_database.sessions, ticket_id, app.agent.id)] == [
            "Asked about the lock"
        ]
        await console.sees(f"Ticket #{ticket_id} is closed: Resolved.")
        await console.sees("No ticket open.")


async def test_a_follow_up_needs_a_date_stays_pending_and_can_be_reopened(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press(*"Will check the [red]bank[/] transfer", wait=False)
        await console.press("f9", wait=False)
        await console.pause()
        dialog = app.screen
        date_field = dialog.query_one("#follow-up-date", Input)
        follow_up = dialog.query_one("#follow-up")
        assert not follow_up.display  # only for a follow-up
        await console.press("down", "enter", wait=False)  # Follow-up needed
        await console.pause()
        assert follow_up.display
        yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
        date_field.value = yesterday
        await console.press("ctrl+s", wait=False)
        await console.pause()
        assert console.shown("#wrap-up-message") == PAST_DATE
        date_field.value = "next week"
        await console.press("ctrl+s", wait=False)
        await console.pause()
        assert console.shown("#wrap-up-message").startswith("Type the follow-up date as YYYY-MM-DD")
        due = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
        date_field.value = due
        await console.press("ctrl+s")
        row = ticket_row(sqlite_database, ticket_id)
        assert (row.status, row.disposition, row.follow_up_due.isoformat()) == (  # type: ignore[union-attr]
            "pending",
            "follow_up",
            due,
        )
        # My tickets lists it as pending; Enter reopens it onto the workspace.
        await console.press("f6")
        await console.sees(f"#{ticket_id}  Pending · due {due}")
        await console.press("enter")
        screen = console.workspace
        assert screen.ticket is not None and screen.ticket.ticket_id == ticket_id
        assert ticket_row(sqlite_database, ticket_id).status == "open"
        assert WANG.name in str(app.screen.query_one("#card-body").render())
        # What was noted on the first call is shown above the new notes.
        earlier = str(app.screen.query_one("#earlier-notes").render())
        assert "Earlier notes (1)" in earlier
        assert "Will check the [red]bank[/] transfer" in earlier


async def test_a_draft_note_survives_closing_and_reopening_the_app(
    settings: Settings, sqlite_database: Database, floor: dict[str, int]
) -> None:
    first = make_app(settings, sqlite_database)
    async with drive(first) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press(*"Caller will send a screenshot", wait=False)
        await console.press("ctrl+q", wait=False)  # quit at once, before the typing pause has passed
        await console.wait_until(lambda: isinstance(first.screen, LeaveCallDialog), what="the question")
        await console.press("enter", wait=False)  # yes: the call stays open
        await console.wait_until(lambda: first.return_code is not None, what="the console to quit", settle=False)
    assert first.return_code == 0
    ann = first.agent
    assert ann is not None
    assert load_draft(sqlite_database.sessions, ticket_id, ann.id) == "Caller will send a screenshot"

    second = make_app(settings, sqlite_database)
    async with drive(second) as console:
        await console.log_in("ann")  # the open call comes back by itself
        await console.sees(f"Ticket #{ticket_id}")
        notes = second.screen.query_one("#notes")
        assert notes.text == "Caller will send a screenshot"  # type: ignore[attr-defined]
        await console.sees("Draft restored.")


async def test_notes_are_saved_as_a_draft_while_the_agent_types(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with drive(app) as console:
        await console.log_in("ann")
        ticket_id = await take_wangs_call(console, sqlite_database)
        await console.press(*"Card charged twice", wait=False)
        assert app.agent is not None
        agent_id = app.agent.id
        await console.wait_until(
            lambda: load_draft(sqlite_database.sessions, ticket_id, agent_id) == "Card charged twice",
            what="the debounced draft save",
        )
        await console.sees("Draft saved.")
