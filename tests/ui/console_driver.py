"""One driver for the UI tests: an agent at the console, in the words of the desk.

`async with drive(app) as console:` runs the real app at the usual terminal size and hands back a
`Console` that logs in, resumes a ticket, takes a call, looks a customer up, opens the verify panel,
the account and money screens, works the admin's desk, types, presses keys and reads what is shown.
Each step waits for the app's workers, so a test reads as the steps an agent takes and what they see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, OptionList, RadioButton, Select, TextArea

from console.app import HotlineApp
from console.db import Database
from console.services.calls import record_incoming_call
from console.services.disputes import DisputeView
from screens.account import AccountScreen
from screens.admin import AdminDeskScreen
from screens.admin.dialogs import PasswordShownOnce
from screens.confirm import ConfirmAction
from screens.escalations import EscalationScreen
from screens.escalations.dialogs import PasswordAgain
from screens.escalations.item import ItemPanel
from screens.escalations.queue import WATCH_GROUP
from screens.feedback import FeedbackDeskScreen, FeedbackDialog
from screens.money import MoneyScreen
from screens.verify import VerifyScreen
from screens.workspace import WorkspaceScreen
from tests.ui.conftest import PASSWORD, SIZE

S = TypeVar("S", bound=Screen[object])

# Workers that run as long as their screen does, so a step never waits for them to finish.
LIVE_GROUPS = frozenset({WATCH_GROUP})


class Console:
    """The real app under a Pilot, driven as an agent drives it."""

    def __init__(self, pilot: Pilot[object]) -> None:
        self.pilot = pilot
        app = pilot.app
        assert isinstance(app, HotlineApp)
        self.app = app

    # Waiting and keys.

    async def workers_done(self) -> None:
        """Wait for every worker but those that live as long as their screen (the queue's watch)."""
        workers = [worker for worker in self.app.workers if worker.group not in LIVE_GROUPS]
        if workers:  # an empty list would mean "all of them"
            await self.app.workers.wait_for_complete(workers)

    async def settle(self) -> None:
        """Let every worker finish and every message it posted be handled."""
        await self.workers_done()
        await self.pilot.pause()
        await self.workers_done()
        await self.pilot.pause()

    async def press(self, *keys: str, wait: bool = True) -> None:
        """Press the keys; then (unless `wait=False`) let every worker finish."""
        await self.pilot.press(*keys)
        if wait:
            await self.settle()

    async def pause(self, delay: float | None = None) -> None:
        """Let pending messages be handled (and `delay` seconds pass), without waiting for workers."""
        await self.pilot.pause(delay)

    async def click(self, selector: str, *, wait: bool = True) -> None:
        """Click a widget; then (unless `wait=False`) let every worker finish."""
        await self.pilot.click(selector)
        if wait:
            await self.settle()

    async def wait_until(
        self, condition: Callable[[], bool], what: str = "", timeout: float = 5.0, *, settle: bool = True
    ) -> None:
        """Let the app run until `condition` holds (a debounce or a poll is due); fail after `timeout`.

        `settle`: then wait for running workers too (not when one is meant to be stuck).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"gave up waiting for {what or 'the condition'} after {timeout}s")
            await self.pilot.pause(0.02)
        if settle:
            await self.workers_done()
            await self.pilot.pause()

    # Signing in and the call.

    async def log_in(self, username: str, password: str = PASSWORD) -> None:
        """Fill the login form, press Enter in the password field, and wait for the answer.

        Values are set rather than typed key by key to keep the tests quick; typing is covered by
        test_login's slow-database test.
        """
        screen = self.app.screen
        screen.query_one("#username", Input).value = username
        field = screen.query_one("#password", Input)
        field.value = password
        field.focus()
        await self.press("enter")

    async def unlock(self, password: str) -> None:
        """Type the password on the lock screen and press Enter."""
        await self.fill("#unlock-password", password)
        await self.press("enter")

    async def resume(self, username: str, ticket_id: int) -> None:
        """Log in as a demo agent (password "<name>-demo") and resume one of their open tickets
        from "my tickets" (f6, Enter)."""
        await self.log_in(username, f"{username}-demo")
        await self.settle()
        await self.resume_ticket(ticket_id)

    async def resume_ticket(self, ticket_id: int) -> None:
        """On the workspace: resume one of the agent's open tickets from "my tickets" (f6, Enter)."""
        await self.press("f6")
        listing = self.app.screen.query_one("#my-ticket-list", OptionList)
        listing.highlighted = listing.get_option_index(f"ticket-{ticket_id}")
        listing.focus()
        await self.press("enter", wait=False)
        await self.wait_until(
            lambda: (
                (ticket := self.workspace.ticket) is not None
                and ticket.ticket_id == ticket_id
                and self.workspace.card is not None
            ),
            what="the ticket and its card",
        )

    async def ring(self, database: Database, number: str, line: str | None = None) -> int:
        """A call rings (as `hotline ring` records it) and the workspace's poll shows it; the call's id."""
        call = record_incoming_call(database.sessions, number, line, now=self.app.wall_clock())
        await self.wait_until(
            lambda: any(c.call_id == call.call_id for c in self.workspace.calls), what="the call to show"
        )
        return call.call_id

    async def take_call(self) -> WorkspaceScreen:
        """Take the ringing call (f2) and wait for its ticket and caller card."""
        await self.press("f2")
        screen = self.workspace
        await self.wait_until(lambda: screen.card is not None and screen.ticket is not None, what="the caller")
        return screen

    async def find(self, query: str) -> None:
        """Type `query` into the lookup box (f3) key by key and wait for its results."""
        await self.press("f3", wait=False)
        screen = self.workspace
        await self.press(*query, wait=False)
        await self.wait_until(
            lambda: screen.result is not None and screen.result.query == query.strip(),
            what=f"results for {query!r}",
        )

    async def back(self) -> WorkspaceScreen:
        """Escape back to the workspace."""
        await self.press("escape")
        return self.workspace

    # Screens.

    @property
    def workspace(self) -> WorkspaceScreen:
        """The screen on top, which must be the call workspace."""
        return self.on(WorkspaceScreen)

    def on(self, kind: type[S]) -> S:
        """The screen on top, which must be a `kind`."""
        screen = self.app.screen
        assert isinstance(screen, kind), f"expected {kind.__name__}, not {screen!r}"
        return screen

    async def open_verify(self) -> VerifyScreen:
        """Open the verify panel (f11) and wait for its script."""
        await self.press("f11")
        panel = self.on(VerifyScreen)
        await self.wait_until(lambda: panel.start is not None, what="the script")
        return panel

    async def send_code(self) -> None:
        """Send the caller a code (ctrl+s on the verify panel)."""
        await self.press("ctrl+s")

    async def enter_code(self, code: str) -> None:
        """Put what the caller reads out in the code box and press Enter."""
        await self.fill("#verify-code", code)
        await self.press("enter")

    def panel_text(self) -> str:
        """What the verify panel says: its state, the script and the outcome."""
        self.on(VerifyScreen)
        return " ".join(self.shown(selector) for selector in ("#verify-state", "#verify-say", "#verify-outcome"))

    async def open_account(self) -> AccountScreen:
        """The account screen for the ticket's customer (f10)."""
        await self.press("f10")
        return self.on(AccountScreen)

    async def open_money(self) -> MoneyScreen:
        """The money screen (ctrl+b)."""
        await self.press("ctrl+b")
        return self.on(MoneyScreen)

    async def open_statement_row(self, amount: str, shown_as: str) -> MoneyScreen:
        """The money screen (ctrl+b), its statement filtered by the amount the caller says, and the row
        whose amount reads `shown_as` picked (Enter)."""
        screen = await self.open_money()
        await self.type_into("#filter-amount", amount)
        await self.press("enter")
        await self.pick_row("#statement-table", lambda cells: shown_as in cells[2])
        return screen

    async def dispute_row(self, amount: str, description: str) -> DisputeView:
        """On the picked statement row: open a dispute for `amount` (Enter); the dispute, once shown."""
        screen = self.on(MoneyScreen)
        await self.type_into("#dispute-amount", amount)
        await self.type_into("#dispute-description", description)
        await self.press("enter", wait=False)
        await self.wait_until(lambda: screen.selected_dispute is not None, what="the dispute")
        assert screen.selected_dispute is not None
        return screen.selected_dispute

    async def propose_adjustment(self, amount: str, reason: str) -> None:
        """On the selected dispute: type the adjustment and its reason and press Enter (the confirmation
        follows; `confirm` says yes)."""
        await self.type_into("#adjust-amount", amount)
        await self.type_into("#adjust-reason", reason)
        await self.press("enter")

    async def open_feedback(self) -> FeedbackDialog:
        """The feedback dialog for the caller on the ticket (ctrl+f in the workspace)."""
        await self.press("ctrl+f")
        return self.on(FeedbackDialog)

    async def give_feedback(self, category: str, area: str, words: str, escalate: str | None = None) -> None:
        """In the feedback dialog: choose the kind and area, put in the caller's words, tick the escalation
        with its reason when given, and save (ctrl+s)."""
        dialog = self.on(FeedbackDialog)
        dialog.query_one("#feedback-category", Select).value = category
        dialog.query_one("#feedback-area", Select).value = area
        dialog.query_one("#feedback-words", TextArea).load_text(words)
        if escalate is not None:
            await self.pause()
            dialog.query_one("#feedback-escalate", Checkbox).value = True
            await self.pause()
            await self.fill("#feedback-reason", escalate)
        await self.press("ctrl+s")

    async def open_feedback_desk(self, department: str | None = None) -> FeedbackDeskScreen:
        """From a supervisor's or admin's home: the feedback desk (ctrl+f), on `department` when given."""
        await self.press("ctrl+f")
        desk = self.on(FeedbackDeskScreen)
        if department is not None:
            desk.query_one("#desk-department", Select).value = department
            await self.settle()
        return desk

    # The admin's desk.

    @property
    def admin_desk(self) -> AdminDeskScreen:
        """The screen on top, which must be the admin's desk."""
        return self.on(AdminDeskScreen)

    def agent_rows(self) -> list[list[str]]:
        """The desk's agents table, row by row, as shown."""
        grid = self.admin_desk.query_one("#agents-table", DataTable)
        return [[str(cell) for cell in grid.get_row_at(index)] for index in range(grid.row_count)]

    def select_agent(self, username: str) -> None:
        """Put the agents table's cursor on `username`'s row."""
        grid = self.admin_desk.query_one("#agents-table", DataTable)
        grid.focus()
        grid.move_cursor(row=grid.get_row_index(username))

    async def add_agent(self, username: str, name: str, role: str, password: str) -> None:
        """Add a login from the desk: the add dialog (f4), filled in, saved (ctrl+s)."""
        await self.press("f4")
        for selector, value in (
            ("#new-username", username),
            ("#new-name", name),
            ("#new-agent-password", password),
            ("#new-agent-repeat", password),
        ):
            await self.fill(selector, value)
        self.app.screen.query_one(f"#role-{role}", RadioButton).value = True
        await self.press("ctrl+s")

    async def reset_password(self, username: str) -> str:
        """Reset a login's password from the desk (f9, then yes) and read the password shown once."""
        self.select_agent(username)
        await self.press("f9")
        await self.press("ctrl+s")
        await self.wait_until(lambda: isinstance(self.app.screen, PasswordShownOnce), what="the new password")
        return self.shown("#shown-password")

    # The supervisor's desk.

    @property
    def desk(self) -> EscalationScreen:
        """The screen on top, which must be the supervisor's desk."""
        return self.on(EscalationScreen)

    def queue_accounts(self) -> list[str | None]:
        """The account of each item in the queue, oldest first."""
        return [item.account_number for item in self.desk.queue.items]

    async def open_item(self, account: str) -> ItemPanel:
        """Move to the queue's item for `account`, press Enter, and wait for what it shows."""
        await self.pick_row("#queue-table", lambda cells: account in cells)
        panel = self.desk.item_panel
        await self.wait_until(
            lambda: panel.detail is not None and panel.detail.account_number == account, what="the item opened"
        )
        return panel

    async def decide(self, reason: str, *, approve: bool = True) -> None:
        """Type the reason and press the approve (f9) or turn-down (f8) key."""
        await self.fill("#decision-reason", reason)
        await self.press("f9" if approve else "f8")

    async def confirm(self) -> None:
        """Say yes (y) in the confirmation that repeats what will happen."""
        self.on(ConfirmAction)
        await self.press("y")

    async def type_password_again(self, password: str) -> None:
        """Type the password in the dialog that asks for it again, and press Enter."""
        self.on(PasswordAgain)
        await self.fill("#again-password", password)
        await self.press("enter")

    # Typing and picking.

    async def fill(self, selector: str, value: str) -> None:
        """Set an input's value at once and focus it (no key presses)."""
        box = self.app.screen.query_one(selector, Input)
        box.value = value
        box.focus()

    async def type_into(self, selector: str, text: str) -> None:
        """Clear an input, focus it and type `text` key by key."""
        box = self.app.screen.query_one(selector, Input)
        box.focus()
        box.value = ""
        if text:
            await self.pilot.press(*text)

    async def pick_row(self, table: str, matches: Callable[[list[str]], bool]) -> None:
        """Move the table's cursor to the first row whose cells match, and press Enter."""
        grid = self.app.screen.query_one(table, DataTable)
        for index in range(grid.row_count):
            if matches([str(cell) for cell in grid.get_row_at(index)]):
                grid.focus()
                grid.move_cursor(row=index)
                await self.press("enter")
                return
        raise AssertionError(f"no row of {table} matched")

    async def hold_still(self) -> None:
        """No blinking cursors and no notices: a snapshot must not depend on when it is taken."""
        for field in self.app.screen.query(Input):
            field.cursor_blink = False
        for area in self.app.screen.query(TextArea):
            area.cursor_blink = False
        self.app.clear_notifications()
        await self.pause()

    # Reading.

    def text(self) -> str:
        """Everything visible on the terminal, as plain text (toasts included)."""
        return "\n".join(strip.text for strip in self.app.screen._compositor.render_strips())

    async def sees(self, *snippets: str, timeout: float = 5.0) -> str:
        """Wait until every snippet is on the terminal, and return what it shows.

        A table lays out rows it was given only when the app is next idle, and a toast comes a
        refresh later, so what a worker loaded may reach the screen a moment after the worker ends.
        """
        try:
            await self.wait_until(lambda: all(snippet in self.text() for snippet in snippets), timeout=timeout)
        except AssertionError:
            missing = [snippet for snippet in snippets if snippet not in self.text()]
            raise AssertionError(f"not on the terminal after {timeout}s: {missing!r}\n{self.text()}") from None
        return self.text()

    def rows(self, table: str) -> list[list[str]]:
        """A table of the top screen, row by row, as shown."""
        grid = self.app.screen.query_one(table, DataTable)
        return [[str(cell) for cell in grid.get_row_at(index)] for index in range(grid.row_count)]

    def shown(self, selector: str) -> str:
        """What one widget of the top screen renders."""
        return str(self.app.screen.query_one(selector).render())


@asynccontextmanager
async def drive(
    app: HotlineApp, *, notifications: bool = False, size: tuple[int, int] = SIZE
) -> AsyncIterator[Console]:
    """Run the real app (at the usual size unless told) and hand back its driver."""
    async with app.run_test(size=size, notifications=notifications) as pilot:
        yield Console(pilot)
