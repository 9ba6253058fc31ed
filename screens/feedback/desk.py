"""FeedbackDeskScreen: for supervisors and admins, what waits in each department, newest first; one
piece in full with its history, and its status moved on with a key (and a note, if there is one)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.services.agents import AgentView
from console.services.context import Actor
from console.services.errors import Conflict, ServiceError
from console.services.feedback import FeedbackView
from console.services.feedback_desk import (
    MAX_NOTE,
    change_feedback_status,
    department_feedback,
    waiting_by_department,
)
from console.services.labels import feedback_status_label
from console.text import cell_text
from screens.base import HotlineScreen, Notice
from screens.feedback.text import FIRST_DEPARTMENT, departments, feedback_detail, first_line

LIST_GROUP = "desk.list"
COUNTS_GROUP = "desk.counts"
STATUS_GROUP = "desk.status"

# The status each key moves the highlighted feedback to.
_STATUS_ACTIONS = {"forwarded": "desk.forwarded", "acknowledged": "desk.acknowledged", "closed": "desk.closed"}


class FeedbackDeskScreen(HotlineScreen):
    """One department's waiting feedback at a time; the keys offer only the moves the highlighted one allows."""

    CSS_PATH = "feedback.tcss"
    AUTO_FOCUS = "#desk-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "set_status('forwarded')",
            N_("Forwarded"),
            id="desk.forwarded",
            tooltip=N_("Mark the highlighted feedback as forwarded to the department"),
        ),
        Binding(
            "f3",
            "set_status('acknowledged')",
            N_("Acknowledged"),
            id="desk.acknowledged",
            tooltip=N_("Mark the highlighted feedback as acknowledged by the department"),
        ),
        Binding(
            "f4",
            "set_status('closed')",
            N_("Closed"),
            id="desk.closed",
            tooltip=N_("Close the highlighted feedback; it leaves the list"),
        ),
        Binding(
            "f6",
            "department",
            N_("Department"),
            id="desk.department",
            tooltip=N_("Choose the department whose feedback is listed"),
        ),
        Binding(
            "f5",
            "refresh",
            N_("Refresh"),
            id="desk.refresh",
            tooltip=N_("Read the department's feedback again"),
        ),
        Binding(
            "ctrl+o",
            "home",
            N_("Home"),
            id="desk.home",
            show=False,
            tooltip=N_("Back to your home screen"),
        ),
    ]

    def __init__(self, agent: AgentView, department: str = FIRST_DEPARTMENT) -> None:
        super().__init__()
        self.agent = agent
        self.department = department
        self.items: list[FeedbackView] = []
        self.counts: dict[str, int] = {}
        self.changing = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="desk"):
            with Horizontal(id="desk-top"):
                yield Label(_("Department"), id="desk-department-label", classes="muted")
                yield Select(
                    [(label, value) for value, label in departments()],
                    value=self.department,
                    allow_blank=False,
                    id="desk-department",
                    compact=True,
                )
                yield Static(id="desk-counts", classes="muted")
            yield DataTable(id="desk-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="desk-detail")
            yield Input(placeholder=_("Note for the status change (optional)"), id="desk-note", max_length=MAX_NOTE)
            yield Notice(id="desk-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = _("Feedback by department")
        self.table.add_columns(
            _("No."), _("Recorded"), _("Kind"), _("Area"), _("Status"), _("Customer"), _("The caller's words")
        )
        self.load()

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#desk-table", DataTable)

    @property
    def notice(self) -> Notice:
        return self.query_one("#desk-message", Notice)

    @property
    def selected(self) -> FeedbackView | None:
        row = self.table.cursor_row
        return self.items[row] if self.items and 0 <= row < len(self.items) else None

    def actor(self) -> Actor:
        return Actor(self.agent.id, self.hotline.wall_clock())

    # Reading

    def load(self, keep: int | None = None) -> None:
        department, actor = self.department, self.actor()
        self.run_service(
            lambda: department_feedback(self.database.read_sessions, actor, department),
            lambda items: self.show(department, items, keep),
            refused=lambda refusal: self.notice.say(str(refusal), refusal=True),
            group=LIST_GROUP,
            latest_only=True,
        )
        self.run_service(
            lambda: waiting_by_department(self.database.read_sessions, actor),
            self.show_counts,
            group=COUNTS_GROUP,
            latest_only=True,
        )

    def show(self, department: str, items: list[FeedbackView], keep: int | None) -> None:
        if department != self.department:
            return
        self.items = items
        table = self.table
        table.clear()
        for item in items:
            table.add_row(
                *map(
                    cell_text,
                    (
                        f"F{item.feedback_id}",
                        f"{item.recorded_at:%Y-%m-%d %H:%M}",
                        item.category_label,
                        item.area_label,
                        item.status_label + (_(" · escalated") if item.escalation else ""),
                        item.account_masked or "-",
                        first_line(item.words),
                    ),
                )
            )
        rows = [item.feedback_id for item in items]
        if keep in rows:
            table.move_cursor(row=rows.index(keep))
        self.show_selected()

    def show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        waiting = " · ".join(f"{label} {counts[value]}" for value, label in departments() if counts.get(value))
        self.query_one("#desk-counts", Static).update(
            _("Waiting: {waiting}.").format(waiting=waiting) if waiting else _("Nothing waits in any department.")
        )

    @on(DataTable.RowHighlighted, "#desk-table")
    def show_selected(self) -> None:
        detail = self.query_one("#desk-detail", Static)
        item = self.selected
        if item is None:
            label = dict(departments()).get(self.department, self.department)
            detail.update(_("Nothing waits in {label}.").format(label=label))
        else:
            detail.update(feedback_detail(item))
        self.refresh_bindings()

    @on(Select.Changed, "#desk-department")
    def department_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.department:
            self.department = event.value
            self.notice.say("")
            self.load()

    # Keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "set_status":
            item = self.selected
            return item is not None and str(parameters[0]) in item.next_statuses
        return True

    def action_department(self) -> None:
        self.query_one("#desk-department", Select).focus()

    def action_refresh(self) -> None:
        self.load(keep=self.selected.feedback_id if self.selected else None)

    def action_home(self) -> None:
        self.app.pop_screen()

    def action_set_status(self, status: str) -> None:
        item = self.selected
        if item is None or self.changing:
            return
        note = self.query_one("#desk-note", Input).value
        actor = self.actor()
        self.changing = True
        self.run_service(
            lambda: change_feedback_status(self.database.sessions, actor, item.feedback_id, item.version, status, note),
            self.changed,
            refused=self.refused,
            group=STATUS_GROUP,
        )

    def changed(self, view: FeedbackView) -> None:
        self.changing = False
        self.query_one("#desk-note", Input).value = ""
        self.notice.say(
            _("F{feedback_id} is now {lower}.").format(
                feedback_id=view.feedback_id, lower=feedback_status_label(view.status).lower()
            )
        )
        self.load(keep=view.feedback_id)

    def refused(self, refusal: ServiceError) -> None:
        self.changing = False
        self.notice.say(str(refusal), refusal=True)
        if isinstance(refusal, Conflict):
            # Someone else moved it first: show where it stands now; the note stays as typed.
            self.load(keep=self.selected.feedback_id if self.selected else None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A failure (not a refusal) reaches the app as a notice; the keys must not stay stuck.
        if event.state is WorkerState.ERROR and event.worker.group == STATUS_GROUP:
            self.changing = False
