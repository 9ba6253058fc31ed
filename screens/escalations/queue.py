"""EscalationQueue: everything waiting for a supervisor, oldest first, kept up to date by itself."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from console.i18n import N_, _
from console.services.context import Actor
from console.services.escalation_watch import QueueWatch
from console.services.escalations import EscalationItem, escalation_queue
from console.text import cell_text, clean_text
from screens.base import Notice, OnHotline
from screens.escalations.words import age_text

QUEUE_GROUP = "escalations.queue"
WATCH_GROUP = "escalations.watch"
COLUMNS = (N_("Kind"), N_("Waiting"), N_("Asked by"), N_("Account"), N_("What"))


class EscalationQueue(OnHotline, Vertical):
    """The queue as a table; Enter opens an item. It reloads when the database says it changed (LISTEN on
    PostgreSQL, a polled fingerprint on SQLite), when a lockout in it ends, and when asked."""

    @dataclass
    class Changed(Message):
        """The watch says the queue may have changed."""

    @dataclass
    class Loaded(Message):
        items: list[EscalationItem]

    @dataclass
    class Opened(Message):
        item: EscalationItem

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="queue", classes="panel")
        self.agent_id = agent_id
        self.items: list[EscalationItem] = []
        self.loaded_at = 0.0
        self.loads = 0
        self.filled_width = 0  # the width the summary column was last fitted to
        self.border_title = _("Waiting for a supervisor")

    def compose(self) -> ComposeResult:
        yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield Static(_("Nothing is waiting for a supervisor."), id="queue-empty", classes="muted")
        yield Notice(id="queue-message")

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#queue-table", DataTable)

    @property
    def notice(self) -> Notice:
        return self.query_one("#queue-message", Notice)

    def on_mount(self) -> None:
        self.table.display = False
        # No read of its own here: the watch reports a change as soon as it watches, and that first
        # read is the queue's (a read before it could miss an item filed in between).
        self.watch_queue()
        self.set_interval(1.0, self.tick, name="escalations.ages")

    def actor(self) -> Actor:
        return Actor(self.agent_id, self.hotline.wall_clock())

    # Loading

    def load(self) -> None:
        actor = self.actor()
        self.run_service(
            lambda: escalation_queue(self.database.read_sessions, actor),
            self.show,
            group=QUEUE_GROUP,
            latest_only=True,
        )

    def show(self, items: list[EscalationItem]) -> None:
        self.items = items
        self.loaded_at = self.hotline.clock()
        self.loads += 1
        self.fill()
        self.border_title = (
            _("Waiting for a supervisor ({count_items})").format(count_items=len(items))
            if items
            else _("Waiting for a supervisor")
        )
        self.post_message(self.Loaded(items))

    def fill(self) -> None:
        """The rows, the summary wrapped to the width left after the short columns (nothing cut off at 80)."""
        items, table = self.items, self.table
        keep = self.highlighted.key if self.highlighted is not None else None
        rows = [self._cells(item, self.age_of(item)) for item in items]
        short = [max([cell_len(_(COLUMNS[i]))] + [cell_len(row[i].plain) for row in rows]) + 2 for i in range(4)]
        short[1] = max(
            short[1], cell_len(_("{hours} h {minutes:02d} min").format(hours=9, minutes=59)) + 2
        )  # ages grow between loads
        self.filled_width = self.content_size.width
        what = max(16, self.filled_width - sum(short) - 4)
        table.clear(columns=True)
        for label in COLUMNS[:-1]:
            table.add_column(_(label), key=label)
        table.add_column(_(COLUMNS[-1]), key=COLUMNS[-1], width=what)
        heights = [len(cells[-1].wrap(self.app.console, what)) for cells in rows]
        for item, cells, height in zip(items, rows, heights, strict=True):
            table.add_row(*cells, key=item.key, height=height)
        # The height is set, not left to `auto`: an auto-height table measures its rows on idle, and a layout
        # run in between could keep it at no rows at all (seen once in a few runs).
        table.styles.height = table.header_height + sum(heights)
        if keep is not None and keep in {item.key for item in items}:
            table.move_cursor(row=table.get_row_index(keep))
        table.display = bool(items)
        self.query_one("#queue-empty").display = not items

    def on_resize(self) -> None:
        """Refit the summary column to a new width. Only a new width: the panel's height follows the rows, and
        rebuilding them on that resize would empty the table in the middle of its own layout."""
        if self.items and self.content_size.width != self.filled_width:
            self.fill()

    def _cells(self, item: EscalationItem, age: float) -> tuple[Text, ...]:
        return (
            cell_text(item.kind_label),
            cell_text(age_text(age), right=True),
            cell_text(item.asked_by or "-"),
            cell_text(item.account_number or "-"),
            Text(clean_text(item.summary), overflow="fold"),
        )

    def age_of(self, item: EscalationItem) -> float:
        """Seconds the item has waited now: its age when loaded, and the time since."""
        return item.age_seconds + self.hotline.clock() - self.loaded_at

    def tick(self) -> None:
        """Once a second: the ages, and a reload when a lockout in the queue has ended."""
        now = self.hotline.wall_clock()
        if any(item.until is not None and item.until <= now for item in self.items):
            self.load()
            return
        for item in self.items:
            # The table may have been rebuilt meanwhile; the next tick catches up.
            with contextlib.suppress(Exception):
                self.table.update_cell(item.key, "Waiting", cell_text(age_text(self.age_of(item)), right=True))

    # Live updates

    def watch_queue(self) -> None:
        """Listen (PostgreSQL) or poll (SQLite) in a thread until the queue leaves the screen."""
        watch = QueueWatch(self.database.read_sessions, self.actor())

        def changed() -> None:
            self.post_message(self.Changed())

        def run() -> None:
            worker = get_current_worker()
            watch.run(changed, lambda: worker.is_cancelled)

        self.run_service(run, lambda _: None, group=WATCH_GROUP)

    def on_escalation_queue_changed(self, message: Changed) -> None:
        message.stop()
        self.load()

    # Choosing

    @property
    def highlighted(self) -> EscalationItem | None:
        table = self.table
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        item = next((i for i in self.items if i.key == event.row_key.value), None)
        if item is not None:
            self.post_message(self.Opened(item))
