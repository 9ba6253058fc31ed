"""WrapUpScreen: the end of a call: what was done on it, the reason it suggests, and a disposition (and a
follow-up date) asked for before it closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Select, Static

from console.i18n import N_, _, sentence
from console.services.call_summary import CallSummary
from console.services.errors import ServiceError
from console.services.labels import call_done_label, disposition_choices, reason_choices
from console.services.tickets import WrapUp
from console.text import safe_text
from screens.base import HotlineModal, Notice
from screens.formatting import duration_text

FOLLOW_UP = "follow_up"
NO_DISPOSITION = N_("Choose a disposition before finishing the call.")
NO_DATE = N_("A follow-up needs a due date: type it as YYYY-MM-DD.")
BAD_DATE = N_("Type the follow-up date as YYYY-MM-DD, for example {example}.")
PAST_DATE = N_("The follow-up date is in the past.")
NOTE_PREVIEW_LINES = 3
SUMMARY_GROUP = "wrap_up.summary"


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
            N_("Finish"),
            id="wrap_up.finish",
            priority=True,
            tooltip=N_("Close the ticket (or leave it pending) with this disposition"),
        ),
        Binding(
            "escape",
            "cancel",
            N_("Back to the call"),
            id="wrap_up.cancel",
            tooltip=N_("Close this dialog; the ticket stays open"),
        ),
    ]

    def __init__(
        self,
        ticket_id: int,
        talk_seconds: int,
        note: str,
        today: date,
        clock: Callable[[], float],
        summary: Callable[[], CallSummary] | None = None,
    ) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        # Reads what was done on the call (a service call, run in a worker once the dialog shows).
        self.read_summary = summary
        self.summary: CallSummary | None = None
        self.reason_chosen = False  # the agent picked a reason themselves: a suggestion never overrides it
        self._suggesting = False
        self.talk_seconds = max(0, talk_seconds)
        self.note = note
        self.today = today
        self.clock = clock
        self.opened_at = clock()

    def compose(self) -> ComposeResult:
        with Vertical(id="wrap-up", classes="panel") as dialog:
            dialog.border_title = _("Wrap up ticket #{ticket_id}").format(ticket_id=self.ticket_id)
            with Grid(classes="facts"):
                yield Label(_("Talk time"), classes="fact-label")
                yield Static(duration_text(self.talk_seconds), id="talk-time")
                yield Label(_("Wrap-up time"), classes="fact-label")
                yield Static(duration_text(0), id="wrap-up-time")
                yield Label(_("Note"), classes="fact-label")
                yield Static(self.note_preview(), id="note-preview")
                yield Label(_("Done"), classes="fact-label")
                yield Static(_("Reading what was done on this call…"), id="call-done")
                yield Label(_("Reason"), classes="fact-label")
                yield Select(
                    reason_choices(),
                    id="wrap-up-reason",
                    allow_blank=True,
                    compact=True,
                    prompt=_("as on the ticket"),
                )
            yield Label(_("Disposition (required)"), classes="field-label")
            with RadioSet(id="disposition", compact=True):
                for label, value in disposition_choices():
                    yield RadioButton(label, id=f"disposition-{value}", compact=True)
            with Vertical(id="follow-up"):
                yield Label(_("Follow-up due (YYYY-MM-DD)"), classes="field-label")
                yield Input(
                    (self.today + timedelta(days=1)).isoformat(),
                    id="follow-up-date",
                    max_length=10,
                )
            yield Notice(id="wrap-up-message")
            with Horizontal(id="wrap-up-buttons"):
                yield Button(_("Finish"), id="finish", variant="primary", compact=True)
                yield Button(_("Back to the call"), id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#follow-up").display = False
        self.set_interval(1.0, self.show_wrap_up_time, name="wrap-up time")
        if self.read_summary is not None:
            self.run_service(self.read_summary, self.show_summary, refused=self.summary_refused, group=SUMMARY_GROUP)
        else:
            self.query_one("#call-done", Static).update("")

    def show_summary(self, summary: CallSummary) -> None:
        """What was done, in words; the reason it points to is chosen unless the agent chose one."""
        self.summary = summary
        things = [
            _("{done} ({detail})").format(done=call_done_label(thing.kind), detail=thing.detail)
            if thing.detail
            else call_done_label(thing.kind)
            for thing in summary.done
        ]
        self.query_one("#call-done", Static).update(
            safe_text(sentence(_("; ").join(things)) if things else _("Nothing recorded on this call."), multiline=True)
        )
        if self.reason_chosen:
            return
        self._suggesting = True
        self.query_one("#wrap-up-reason", Select).value = summary.suggested_reason or summary.reason
        if summary.suggested_label is not None:
            self.query_one("#wrap-up-reason", Select).tooltip = _("Suggested from what was done; change it if not.")

    def summary_refused(self, refusal: ServiceError) -> None:
        self.query_one("#call-done", Static).update(safe_text(str(refusal), style="$text-warning"))

    @on(Select.Changed, "#wrap-up-reason")
    def reason_changed(self) -> None:
        if self._suggesting:
            self._suggesting = False
        else:
            self.reason_chosen = True

    def chosen_reason(self) -> str | None:
        value = self.query_one("#wrap-up-reason", Select).value
        return value if isinstance(value, str) else None

    def note_preview(self) -> Content:
        lines = self.note.strip().splitlines()
        if not lines:
            return Content.styled(_("(no note)"), "italic")
        shown = "\n".join(lines[:NOTE_PREVIEW_LINES])
        more = len(lines) - NOTE_PREVIEW_LINES
        preview = safe_text(shown, multiline=True)
        return preview + Content(_("\n(+{more} more lines)").format(more=more)) if more > 0 else preview

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
        # Where the agent goes next: the date for a follow-up, else Finish (so Enter, Enter wraps up).
        self.query_one("#follow-up-date" if follow_up else "#finish").focus()

    @on(Button.Pressed, "#finish")
    @on(Input.Submitted, "#follow-up-date")
    def action_finish(self) -> None:
        disposition = self.disposition()
        if disposition is None:
            self.notice.say(_(NO_DISPOSITION), refusal=True)
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
                reason=self.chosen_reason(),
            )
        )

    def follow_up_date(self) -> date | None:
        """The typed date, or None after saying in plain words what is wrong with it."""
        field = self.query_one("#follow-up-date", Input)
        text = field.value.strip()
        problem = None
        due = None
        if not text:
            problem = _(NO_DATE)
        else:
            try:
                due = date.fromisoformat(text)
            except ValueError:
                problem = _(BAD_DATE).format(example=(self.today + timedelta(days=1)).isoformat())
            else:
                if due < self.today:
                    problem = _(PAST_DATE)
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
