"""Pasted notes keep their words, newlines and tabs and lose every control character, in the box and the draft."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from console.app import HotlineApp
from console.services import tickets
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import drive

# What a terminal hands over when the agent pastes from a hostile web page or a chat: ESC sequences
# that clear the screen and set the window title, BEL, a C1 CSI and a right-to-left override.
PASTED = "Caller says\x1b[2J the fee\x07 is \u202ewrong\u202c\x9b31m\r\n\tasked for a refund\x1b]0;pwned\x07"
KEPT = "Caller says[2J the fee is wrong31m\n\tasked for a refund]0;pwned"
CONTROLS = {"\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\r"}


async def test_a_pasted_escape_never_reaches_the_notes_box_or_the_saved_draft(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    ticket = world.open_ticket("locked_password_failures")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        notes = demo_app.screen.query_one("#notes", TextArea)
        notes.focus()
        notes.post_message(events.Paste(PASTED))
        await console.wait_until(lambda: notes.text != "", what="the paste in the notes box")
        assert notes.text == KEPT
        assert not CONTROLS & set(notes.text)
        # Save now, unless the debounced save has already run (a loaded machine can take that long here).
        console.workspace.ticket_panel.notes.save_now()
        await console.settle()
    saved = tickets.load_draft(world.sessions, ticket, world.agent("lina"))
    assert saved == KEPT
