"""Wrap-up and notes: a disposition is required, follow-ups stay pending, drafts survive a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Input, RadioSet

from console.app import HotlineApp, make_app
from console.db import Database
from console.services.tickets import load_draft, ticket_notes
from console.settings import Settings
from screens.workspace import WorkspaceScreen
from screens.wrap_up import NO_DISPOSITION, PAST_DATE, WrapUpScreen
from tests.support.call_floor import WANG
from tests.ui.call_helpers import FakeClock, ring_and_wait, workspace
from tests.ui.conftest import PASSWORD, SIZE, log_in, screen_text, settle
from tests.ui.test_workspace import ticket_row


def message_text(app: HotlineApp) -> str:
    return str(app.screen.query_one("#wrap-up-message").render())


async def take_call(pilot, database: Database) -> int:  # type: ignore[no-untyped-def]
    await ring_and_wait(pilot, database, WANG.phone or "", "CN")
    await pilot.press("f2")
    await settle(pilot)
    ticket = workspace(pilot.app).ticket
    assert ticket is not None
    return ticket.ticket_id


async def test_wrap_up_cannot_finish_without_a_disposition(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        ticket_id = await take_call(pilot, sqlite_database)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, WrapUpScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, WrapUpScreen)  # still asking
        assert message_text(app) == NO_DISPOSITION
        assert NO_DISPOSITION in screen_text(app)
        assert app.screen.query_one("#disposition", RadioSet).has_focus
        await settle(pilot)
        assert ticket_row(sqlite_database, ticket_id).status == "open"
        # Back to the call with Escape: nothing changed.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        assert ticket_row(sqlite_database, ticket_id).status == "open"


async def test_a_resolved_call_closes_with_talk_and_wrap_up_time_apart(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    clock = FakeClock()
    app.clock = clock
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        ticket_id = await take_call(pilot, sqlite_database)
        await pilot.press(*"Asked about the lock")
        clock.advance(185)  # three minutes on the phone
        await pilot.press("f9")
        await pilot.pause()
        assert "Talk time         3:05" in screen_text(app)
        assert "Asked about the lock" in screen_text(app)  # the note goes with the wrap-up
        clock.advance(40)  # then forty seconds of wrap-up
        await pilot.press("enter")  # the first disposition: Resolved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        row = ticket_row(sqlite_database, ticket_id)
        assert (row.status, row.disposition) == ("closed", "resolved")
        assert (row.talk_seconds, row.wrap_up_seconds) == (185, 40)
        assert [n.body for n in ticket_notes(sqlite_database.sessions, ticket_id, app.agent.id)] == [
            "Asked about the lock"
        ]
        assert f"Ticket #{ticket_id} is closed: Resolved." in screen_text(app)
        assert "No ticket open." in screen_text(app)


async def test_a_follow_up_needs_a_date_stays_pending_and_can_be_reopened(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        ticket_id = await take_call(pilot, sqlite_database)
        await pilot.press(*"Will check the [red]bank[/] transfer")
        await pilot.press("f9")
        await pilot.pause()
        dialog = app.screen
        date_field = dialog.query_one("#follow-up-date", Input)
        follow_up = dialog.query_one("#follow-up")
        assert not follow_up.display  # only for a follow-up
        await pilot.press("down", "enter")  # Follow-up needed
        await pilot.pause()
        assert follow_up.display
        yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
        date_field.value = yesterday
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message_text(app) == PAST_DATE
        date_field.value = "next week"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message_text(app).startswith("Type the follow-up date as YYYY-MM-DD")
        due = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
        date_field.value = due
        await pilot.press("ctrl+s")
        await settle(pilot)
        row = ticket_row(sqlite_database, ticket_id)
        assert (row.status, row.disposition, row.follow_up_due.isoformat()) == (  # type: ignore[union-attr]
            "pending",
            "follow_up",
            due,
        )
        # My tickets lists it as pending; Enter reopens it onto the workspace.
        await pilot.press("f6")
        await settle(pilot)
        assert f"#{ticket_id}  pending · due {due}" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        screen = workspace(app)
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
    async with first.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        ticket_id = await take_call(pilot, sqlite_database)
        await pilot.press(*"Caller will send a screenshot")
        await pilot.press("ctrl+q")  # quit at once, before the typing pause has passed
        await pilot.pause()
    assert first.return_code == 0
    ann = first.agent
    assert ann is not None
    assert load_draft(sqlite_database.sessions, ticket_id, ann.id) == "Caller will send a screenshot"

    second = make_app(settings, sqlite_database)
    async with second.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        await pilot.press("f6")
        await settle(pilot)
        assert f"#{ticket_id}  open" in screen_text(second)
        await pilot.press("enter")  # resume the open ticket
        await settle(pilot)
        notes = second.screen.query_one("#notes")
        assert notes.text == "Caller will send a screenshot"  # type: ignore[attr-defined]
        assert "Draft restored." in screen_text(second)


async def test_notes_are_saved_as_a_draft_while_the_agent_types(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database
) -> None:
    from tests.ui.call_helpers import wait_until

    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        ticket_id = await take_call(pilot, sqlite_database)
        await pilot.press(*"Card charged twice")
        assert app.agent is not None
        agent_id = app.agent.id
        await wait_until(
            pilot,
            lambda: load_draft(sqlite_database.sessions, ticket_id, agent_id) == "Card charged twice",
            what="the debounced draft save",
        )
        assert "Draft saved." in screen_text(app)
