"""WrapUpScreen: the end of a call; a disposition (and a follow-up date) is asked for before it closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from console.services.labels import disposition_choices
from console.services.tickets import WrapUp
from console.text import safe_text
from screens.base import HotlineModal, Notice
from screens.formatting import duration_text

FOLLOW_UP = "follow_up"
NO_DISPOSITION = "Choose a disposition before finishing the call."
NO_DATE = "A follow-up needs a due date: type it as YYYY-MM-DD."
BAD_DATE = "Type the follow-up date as YYYY-MM-DD, for example {example}."
PAST_DATE = "The follow-up date is in the past."
NOTE_PREVIEW_LINES = 3


class WrapUpScreen(HotlineModal[WrapUp | None]):
    """Asks how the call ended; dismisses with the agent's `WrapUp`, or None to go back to the call.

    The wrap-up time runs from the moment this dialog opens, apart from the talk time before it.
    """

    CSS_PATH = "wrap_up.tcss"
    AUTO_FOCUS = "#disposition"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "finish",
            "Finish",
            id="wrap_up.finish",
            priority=True,
            tooltip="Close the ticket (or leave it pending) with this disposition",
        ),
        Binding(
            "escape",
            "cancel",
            "Back to the call",
            id="wrap_up.cancel",
            tooltip="Close this dialog; the ticket stays open",
        ),
    ]

    def __init__(
        self,
        ticket_id: int,
        talk_seconds: int,
        note: str,
        today: date,
        clock: Callable[[], float],
    ) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.talk_seconds = max(0, talk_seconds)
        self.note = note
        self.today = today
        self.clock = clock
        self.opened_at = clock()

    def compose(self) -> ComposeResult:
        with Vertical(id="wrap-up", classes="panel") as dialog:
            dialog.border_title = f"Wrap up ticket #{self.ticket_id}"
            with Grid(classes="facts"):
                yield Label("Talk time", classes="fact-label")
                yield Static(duration_text(self.talk_seconds), id="talk-time")
                yield Label("Wrap-up time", classes="fact-label")
                yield Static(duration_text(0), id="wrap-up-time")
                yield Label("Note", classes="fact-label")
                yield Static(self.note_preview(), id="note-preview")
            yield Label("Disposition (required)", classes="field-label")
            with RadioSet(id="disposition"):
                for label, value in disposition_choices():
                    yield RadioButton(label, id=f"disposition-{value}")
            with Vertical(id="follow-up"):
                yield Label("Follow-up due (YYYY-MM-DD)", classes="field-label")
                yield Input(
                    (self.today + timedelta(days=1)).isoformat(),
                    id="follow-up-date",
                    max_length=10,
                )
            yield Notice(id="wrap-up-message")
            with Horizontal(id="wrap-up-buttons"):
                yield Button("Finish", id="finish", variant="primary")
                yield Button("Back to the call", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#follow-up").display = False
        self.set_interval(1.0, self.show_wrap_up_time, name="wrap-up time")

    def note_preview(self) -> Content:
        lines = self.note.strip().splitlines()
        if not lines:
            return Content.styled("(no note)", "italic")
        shown = "\n".join(lines[:NOTE_PREVIEW_LINES])
        more = len(lines) - NOTE_PREVIEW_LINES
        preview = safe_text(shown, multiline=True)
        return preview + Content(f"\n(+{more} more lines)") if more > 0 else preview

    def wrap_up_seconds(self) -> int:
        return max(0, int(self.clock() - self.opened_at))

    def show_wrap_up_time(self) -> None:
        self.query_one("#wrap-up-time", Static).update(duration_text(self.wrap_up_seconds()))

    def disposition(self) -> str | None:
        pressed = self.query_one("#disposition", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return None
        return pressed.id.removeprefix("disposition-")

    @on(RadioSet.Changed, "#disposition")
    def disposition_chosen(self) -> None:
        follow_up = self.disposition() == FOLLOW_UP
        self.query_one("#follow-up").display = follow_up
        self.notice.say("")

    @on(Button.Pressed, "#finish")
    @on(Input.Submitted, "#follow-up-date")
    def action_finish(self) -> None:
        disposition = self.disposition()
        if disposition is None:
            self.notice.say(NO_DISPOSITION, refusal=True)
            self.query_one("#disposition", RadioSet).focus()
            return
        follow_up_due = None
        if disposition == FOLLOW_UP:
            follow_up_due = self.follow_up_date()
            if follow_up_due is None:
                return
        self.dismiss(
            WrapUp(
                disposition=disposition,
                talk_seconds=self.talk_seconds,
                wrap_up_seconds=self.wrap_up_seconds(),
                follow_up_due=follow_up_due,
                note=self.note,
            )
        )

    def follow_up_date(self) -> date | None:
        """The typed date, or None after saying in plain words what is wrong with it."""
        field = self.query_one("#follow-up-date", Input)
        text = field.value.strip()
        problem = None
        due = None
        if not text:
            problem = NO_DATE
        else:
            try:
                due = date.fromisoformat(text)
            except ValueError:
                problem = BAD_DATE.format(example=(self.today + timedelta(days=1)).isoformat())
            else:
                if due < self.today:
                    problem = PAST_DATE
        if problem is not None:
            self.notice.say(problem, refusal=True)
            field.focus()
            return None
        return due

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def notice(self) -> Notice:
        return self.query_one("#wrap-up-message", Notice)
