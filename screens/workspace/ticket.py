"""TicketPanel: the ticket of the call (reason, notes saved as a draft, wrap-up), and DraftNotes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Select, Static, TextArea
from textual.worker import Worker, WorkerState

from console.i18n import _
from console.services.context import Actor, OnCall
from console.services.labels import ticket_status_label
from console.services.tickets import (
    NoteView,
    TicketView,
    WrapUp,
    load_draft,
    open_ticket,
    reopen_ticket,
    save_draft,
    ticket_notes,
    update_ticket,
    wrap_up,
)
from console.text import clean_text, fill, safe_text
from screens.base import OnHotline
from screens.call_text import earlier_notes_content, reason_options
from screens.fields import LabelledSelect, labelled
from screens.formatting import duration_text
from screens.free_text_area import FreeTextArea

# Notes are saved as a draft this long after the agent stops typing.
DRAFT_DEBOUNCE_SECONDS = 0.5

TICKET_GROUP = "workspace.ticket"
OPEN_GROUP = "workspace.open_ticket"
DRAFT_GROUP = "workspace.draft"
DRAFT_LOAD_GROUP = "workspace.draft_load"
WRAP_UP_GROUP = "workspace.wrap_up"

# The notes box gives up TextArea's f6 (select line) and f7 (select all) to the workspace.
_NOTES_BINDINGS: list[BindingType] = [
    binding
    for key, bindings in TextArea._merge_bindings().key_to_bindings.items()
    if key not in {"f6", "f7"}
    for binding in bindings
]


class NotesArea(FreeTextArea, inherit_bindings=False):
    """The ticket's notes: a text area whose function keys belong to the workspace; pastes lose control characters."""

    BINDINGS = _NOTES_BINDINGS


class DraftNotes(OnHotline, NotesArea):
    """The notes box, saved as the ticket's draft a moment after the agent stops typing.

    One save at a time, so an older text can never land after a newer one; `status` says where the
    draft stands ("Typing…", "Draft saved.").
    """

    def __init__(self, agent_id: int, status: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.agent_id = agent_id
        self.ticket_id: int | None = None
        self.paused = False  # wrapping up: the note goes with the wrap-up
        self._status = status
        self._saved = ""  # what the database holds for the ticket on screen
        self._timer: Timer | None = None
        self._worker: Worker[None] | None = None
        self._again = False

    def reset(self, ticket_id: int | None) -> None:
        """An empty box for `ticket_id` (None: no ticket, nothing to save)."""
        self.ticket_id = ticket_id
        self.paused = False
        self._saved = ""
        self.load_text("")
        self._status("")

    def restore(self, body: str) -> None:
        """Show the saved draft, unless the agent has started typing."""
        if self.text or not body:
            return
        self._saved = body
        self.load_text(clean_text(body, multiline=True))
        self._status(_("Draft restored."))

    def pause(self) -> None:
        """No more saves: the note goes with the wrap-up."""
        self.paused = True
        self._stop_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_text_area_changed(self) -> None:
        if self.ticket_id is None or self.paused or self.text == self._saved:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DRAFT_DEBOUNCE_SECONDS, self.save_now)
        self._status(_("Typing…"))

    def save_now(self) -> Worker[None] | None:
        """Save the notes if they changed; the worker doing it (or already doing it), if any."""
        self._stop_timer()
        ticket_id = self.ticket_id
        if ticket_id is None or self.paused:
            return None
        if self._worker is not None and self._worker.is_running:
            self._again = True
            return self._worker
        body = self.text
        if body == self._saved:
            return None
        call = OnCall(agent_id=self.agent_id, now=self.hotline.wall_clock(), ticket_id=ticket_id)
        self._worker = self.run_service(
            lambda: save_draft(self.database.sessions, call, body),
            lambda _: self.saved(ticket_id, body),
            group=DRAFT_GROUP,
        )
        return self._worker

    def saved(self, ticket_id: int, body: str) -> None:
        if self.ticket_id != ticket_id:
            return
        self._saved = body
        self._status(_("Draft saved."))
        if self._again:
            self._again = False
            self.save_now()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == DRAFT_GROUP:
            self._again = False
            self._status(_("Draft not saved."))


class TicketPanel(OnHotline, Vertical):
    """The ticket on the call: who it is for, the reason, the notes, the call timer; edits saved one at a time."""

    @dataclass
    class Ready(Message):
        """A ticket to work on now: opened by hand, resumed or reopened."""

        ticket: TicketView
        # The caller's masked number, when the call came through the queue and is known here.
        caller_masked: str | None = None

    @dataclass
    class Updated(Message):
        ticket: TicketView

    @dataclass
    class WrappedUp(Message):
        ticket: TicketView

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="ticket", classes="panel")
        self.agent_id = agent_id
        self.ticket: TicketView | None = None
        self.started: float | None = None
        self._writing = False
        self._changes: dict[str, Any] = {}
        self.border_title = _("Ticket")

    def on_call(self, ticket_id: int) -> OnCall:
        """The agent's call on this ticket as the services take it, at the console clock's now."""
        return OnCall(agent_id=self.agent_id, now=self.hotline.wall_clock(), ticket_id=ticket_id)

    def compose(self) -> ComposeResult:
        yield Static(id="ticket-summary")
        yield LabelledSelect(reason_options(), id="reason", allow_blank=False, prompt=_("Reason"), label=_("Reason"))
        yield Static(id="earlier-notes")
        notes = DraftNotes(
            self.agent_id,
            self.show_draft_state,
            id="notes",
            soft_wrap=True,
            show_line_numbers=False,
            placeholder=_("Notes for this call (saved as you type)"),
        )
        yield labelled(notes, _("Notes"))
        yield Static(id="draft-state", classes="muted")

    @property
    def notes(self) -> DraftNotes:
        return self.query_one(DraftNotes)

    @property
    def reason(self) -> Select[str]:
        return self.query_one("#reason", Select)

    @property
    def wrapping(self) -> bool:
        return self.notes.paused

    def show_draft_state(self, text: str) -> None:
        self.query_one("#draft-state", Static).update(text)

    def no_ticket_text(self) -> str:
        return _("No ticket open. Take a call ({key_for}) or open one by hand ({key_for2}).").format(
            key_for=self.key_for("workspace.claim"), key_for2=self.key_for("workspace.new_ticket")
        )

    def show_none(self) -> None:
        self.ticket = None
        self.started = None
        self.border_title = _("Ticket")
        self.border_subtitle = ""
        self.query_one("#ticket-summary", Static).update(Content.styled(self.no_ticket_text(), "$text-muted"))
        self.notes.reset(None)
        self.query_one("#earlier-notes").display = False
        self.screen.set_class(True, "-no-ticket")

    def start(self, ticket: TicketView) -> None:
        """Work on `ticket` now: the call timer from when its call began, its reason, and its draft note restored."""
        self.ticket = ticket
        self.started = self.call_began(ticket)
        self._changes.clear()
        self.screen.set_class(False, "-no-ticket")
        self.reason.value = ticket.reason
        self.notes.reset(ticket.ticket_id)
        self.query_one("#earlier-notes").display = False
        self.show()
        self.load_draft(ticket.ticket_id)

    def call_began(self, ticket: TicketView) -> float:
        """When the ticket's call began, on the console's timer clock: the time it was taken, as the
        database holds it, so the talk time goes on counting after a restart of the console."""
        now = self.hotline.clock()
        if ticket.call_started_at is None:
            return now
        talked = (self.hotline.wall_clock() - ticket.call_started_at).total_seconds()
        return now - max(0.0, talked)

    def show(self) -> None:
        ticket = self.ticket
        if ticket is None:
            return
        # Border titles are markup: the status comes from the database, so it goes in as text.
        self.border_title = fill(
            _("Ticket #{ticket_id} · {status}"), ticket_id=ticket.ticket_id, status=ticket_status_label(ticket.status)
        )
        self.show_timer()
        customer = (
            fill(_("For {name}"), name=safe_text(ticket.customer_name, style="bold"))
            if ticket.customer_name
            else Content.styled(_("No customer attached yet."), "$text-muted")
        )
        self.query_one("#ticket-summary", Static).update(customer)

    def show_timer(self) -> None:
        if self.ticket is None or self.started is None:
            return
        elapsed = self.hotline.clock() - self.started
        self.border_subtitle = _("Call {duration_text}").format(duration_text=duration_text(elapsed))

    # Opening

    def open_new(self, customer_id: int | None) -> None:
        self.run_service(
            lambda: open_ticket(
                self.database.sessions,
                Actor(self.agent_id, self.hotline.wall_clock()),
                customer_id=customer_id,
            ),
            self.ready,
            group=OPEN_GROUP,
        )

    def reopen(self, ticket_id: int) -> None:
        self.run_service(
            lambda: reopen_ticket(
                self.database.sessions,
                self.on_call(ticket_id),
            ),
            self.ready,
            group=OPEN_GROUP,
        )

    def ready(self, ticket: TicketView) -> None:
        self.post_message(self.Ready(ticket))

    # The draft, as saved

    def load_draft(self, ticket_id: int) -> None:
        def read() -> tuple[str, list[NoteView]]:
            body = load_draft(self.database.read_sessions, ticket_id, self.agent_id)
            return body, ticket_notes(self.database.read_sessions, ticket_id, self.agent_id)

        self.run_service(
            read, lambda loaded: self.draft_loaded(ticket_id, *loaded), group=DRAFT_LOAD_GROUP, latest_only=True
        )

    def draft_loaded(self, ticket_id: int, body: str, earlier: list[NoteView]) -> None:
        if self.ticket is None or self.ticket.ticket_id != ticket_id:
            return
        shown = self.query_one("#earlier-notes", Static)
        shown.update(earlier_notes_content(earlier))
        shown.display = bool(earlier)  # notes saved on earlier calls (a reopened ticket)
        self.notes.restore(body)

    # Edits

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.ticket is None or event.value == Select.NULL:
            return
        wanted = self._changes.get("reason", self.ticket.reason)
        if event.value != wanted:
            self.change(reason=str(event.value))

    def change(self, **change: Any) -> None:
        """Ticket edits go to the database one at a time, each with the version the last returned."""
        self._changes.update(change)
        self._write_changes()

    def _write_changes(self) -> None:
        if self._writing or self.ticket is None or not self._changes:
            return
        changes, self._changes = self._changes, {}
        self._writing = True
        version = self.ticket.version
        call = self.on_call(self.ticket.ticket_id).about(changes.pop("customer_id", None))
        self.run_service(
            lambda: update_ticket(self.database.sessions, call, version, **changes),
            self.updated,
            group=TICKET_GROUP,
        )

    def updated(self, ticket: TicketView) -> None:
        self._writing = False
        if self.ticket is None or self.ticket.ticket_id != ticket.ticket_id:
            return
        self.ticket = ticket
        self.show()
        self.post_message(self.Updated(ticket))
        self._write_changes()

    # Wrap-up

    def wrap_up(self, answer: WrapUp) -> None:
        if self.ticket is None:
            return
        self.notes.pause()
        ticket_id = self.ticket.ticket_id
        self.run_service(
            lambda: wrap_up(
                self.database.sessions,
                self.on_call(ticket_id),
                answer,
            ),
            self.wrapped_up,
            group=WRAP_UP_GROUP,
        )

    def wrapped_up(self, ticket: TicketView) -> None:
        self.notes.paused = False
        self.post_message(self.WrappedUp(ticket))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows the failure; the panel must not stay stuck waiting.
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == TICKET_GROUP:
            self._writing = False
            self._changes.clear()
        elif event.worker.group == WRAP_UP_GROUP:
            self.notes.paused = False
