"""FeedbackDialog: the caller's feedback from the ticket, in their words, with its kind and product area;
where it will go is shown before saving, and a complaint can go to a supervisor from here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.services.complaints import MAX_REASON, escalate_complaint
from console.services.context import OnCall
from console.services.errors import ServiceError
from console.services.feedback import FeedbackView, call_feedback, department_for, record_feedback
from console.services.labels import feedback_category_choices, product_area_choices
from console.text import safe_text
from screens.base import HotlineModal, Notice
from screens.feedback.text import COMPLAINT
from screens.free_text_area import FreeTextArea

RECORD_GROUP = "feedback.record"
EARLIER_GROUP = "feedback.earlier"
ESCALATE_GROUP = "feedback.escalate"


class FeedbackDialog(HotlineModal[FeedbackView | None]):
    """Dismisses with the recorded feedback (escalated, when asked and allowed), or None if nothing was saved.

    What was typed stays when a service refuses. Once the feedback is saved, only the escalation can be
    tried again: saving twice never records it twice.
    """

    CSS_PATH = "feedback.tcss"
    AUTO_FOCUS = "#feedback-category"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            N_("Save"),
            id="feedback.save",
            priority=True,
            tooltip=N_("Record the feedback (and escalate the complaint, if ticked)"),
        ),
        Binding(
            "f2",
            "escalate_earlier",
            N_("Escalate earlier complaint"),
            id="feedback.escalate_earlier",
            tooltip=N_("Send a complaint recorded earlier on this call to a supervisor"),
        ),
        Binding(
            "escape",
            "cancel",
            N_("Back to the call"),
            id="feedback.cancel",
            tooltip=N_("Close this dialog; feedback not saved yet is dropped"),
        ),
    ]

    def __init__(
        self,
        call: OnCall,
        customer_name: str,
        routing: Mapping[str, str],
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.call = call
        self.customer_name = customer_name
        self.routing = routing
        self.clock = clock
        self.recorded: FeedbackView | None = None
        # Complaints recorded earlier on this call and not escalated (the dialog offers to escalate one).
        self.earlier: list[FeedbackView] = []
        self.escalating_earlier = False
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="feedback-dialog", classes="panel") as dialog:
            dialog.border_title = _("Feedback · ticket #{ticket_id}").format(ticket_id=self.call.ticket_id)
            yield Static(safe_text(self.customer_name, style="bold"), id="feedback-caller")
            # The labels stay above the choices once they are made (a compact Select shows only its value).
            with Horizontal(id="feedback-kind-labels"):
                yield Label(_("Kind of feedback"), classes="field-label")
                yield Label(_("Product area"), classes="field-label")
            with Horizontal(id="feedback-kind"):
                yield Select(feedback_category_choices(), prompt=_("Choose one"), id="feedback-category", compact=True)
                yield Select(product_area_choices(), prompt=_("Choose one"), id="feedback-area", compact=True)
            yield FreeTextArea(
                id="feedback-words",
                soft_wrap=True,
                placeholder=_("The caller's words, as they said them"),
            )
            yield Static(id="feedback-route", classes="muted")
            yield Checkbox(_("Escalate this complaint to a supervisor"), id="feedback-escalate", compact=True)
            yield Input(
                placeholder=_("Why it needs a supervisor"),
                id="feedback-reason",
                max_length=MAX_REASON,
                compact=True,
            )
            yield Notice(id="feedback-message")
            with Horizontal(id="feedback-buttons"):
                yield Button(_("Save"), id="feedback-save", variant="primary", compact=True)
                yield Button(_("Back to the call"), id="feedback-cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.show_choices()
        self.run_service(
            lambda: call_feedback(self.database.read_sessions, self.call), self.show_earlier, group=EARLIER_GROUP
        )

    def show_earlier(self, recorded: list[FeedbackView]) -> None:
        self.earlier = [view for view in recorded if view.category == COMPLAINT and view.escalation is None]
        if self.earlier and self.recorded is None:
            self.notice.say(
                _(
                    "Complaint F{feedback_id} from earlier in this call is not escalated: {key_for} escalates it."
                ).format(feedback_id=self.earlier[-1].feedback_id, key_for=self.key_for("feedback.escalate_earlier"))
            )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "escalate_earlier":
            return bool(self.earlier) and self.recorded is None
        return True

    def action_escalate_earlier(self) -> None:
        """Show the last complaint not escalated yet, as saved, ready to escalate: say why, then save."""
        if not self.earlier or self.recorded is not None:
            return
        view = self.earlier[-1]
        self.escalating_earlier = True
        self.query_one("#feedback-category", Select).value = view.category
        self.query_one("#feedback-area", Select).value = view.product_area
        self.query_one("#feedback-words", FreeTextArea).load_text(view.words)
        self.saved(view)
        self.query_one("#feedback-escalate", Checkbox).value = True
        self.call_after_refresh(self.query_one("#feedback-reason", Input).focus)
        self.notice.say(
            _("F{feedback_id} is already recorded: say why it needs a supervisor, then save.").format(
                feedback_id=view.feedback_id
            )
        )

    # What the agent chose

    @property
    def category(self) -> str | None:
        value = self.query_one("#feedback-category", Select).value
        return value if isinstance(value, str) else None

    @property
    def area(self) -> str | None:
        value = self.query_one("#feedback-area", Select).value
        return value if isinstance(value, str) else None

    @property
    def words(self) -> str:
        return self.query_one("#feedback-words", FreeTextArea).text

    @property
    def escalating(self) -> bool:
        return self.category == COMPLAINT and self.query_one("#feedback-escalate", Checkbox).value

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def show_choices(self) -> None:
        """Where the feedback will go, and the escalation only for a complaint."""
        department = department_for(self.routing, self.category or "", self.area or "")
        route = (
            _("Goes to {department}.").format(department=department)
            if department
            else _("Choose its kind and product area to see where it goes.")
        )
        self.query_one("#feedback-route", Static).update(route)
        self.query_one("#feedback-escalate").display = self.category == COMPLAINT
        self.query_one("#feedback-reason").display = self.escalating

    @property
    def notice(self) -> Notice:
        return self.query_one("#feedback-message", Notice)

    # Saving

    @on(Button.Pressed, "#feedback-save")
    @on(Input.Submitted, "#feedback-reason")
    def action_save(self) -> None:
        if self.saving:
            return
        if self.recorded is not None:
            self.escalate(self.recorded)
            return
        if self.category is None or self.area is None:
            self.notice.say(_("Choose the kind of feedback and the product area first."), refusal=True)
            return
        if self.escalating and not self.query_one("#feedback-reason", Input).value.strip():
            # Said before saving, so the feedback is not saved without the escalation the agent asked for.
            self.notice.say(_("Write down why this complaint needs a supervisor."), refusal=True)
            self.query_one("#feedback-reason", Input).focus()
            return
        category, area, words = self.category, self.area, self.words
        self.saving = True
        self.run_service(
            lambda: record_feedback(
                self.database.sessions, self.routing, self.call.at(self.clock()), category, area, words
            ),
            self.was_recorded,
            refused=self.was_refused,
            group=RECORD_GROUP,
        )

    def saved(self, view: FeedbackView) -> None:
        """`view` is recorded: what it says can no longer change here, only its escalation."""
        self.recorded = view
        for field in ("#feedback-category", "#feedback-area", "#feedback-words"):
            self.query_one(field).disabled = True
        self.refresh_bindings()

    def was_recorded(self, view: FeedbackView) -> None:
        self.saving = False
        self.saved(view)
        if self.escalating:
            self.escalate(view)
        else:
            self.dismiss(view)

    def escalate(self, view: FeedbackView) -> None:
        if not self.escalating:
            self.dismiss(view)
            return
        reason = self.query_one("#feedback-reason", Input).value
        self.saving = True
        self.run_service(
            lambda: escalate_complaint(self.database.sessions, self.call.at(self.clock()), view.feedback_id, reason),
            self.was_escalated,
            refused=lambda refusal: self.was_refused(refusal, saved=view),
            group=ESCALATE_GROUP,
        )

    def was_escalated(self, view: FeedbackView) -> None:
        self.saving = False
        self.dismiss(view)

    def was_refused(self, refusal: ServiceError, saved: FeedbackView | None = None) -> None:
        self.saving = False
        if saved is None:
            self.notice.say(str(refusal), refusal=True)
            return
        self.notice.say(
            _(
                "Feedback F{feedback_id} is saved and went to {department_label}, but it was not "
                "escalated: {refusal} Press Save to try the escalation again, or go back to the call."
            ).format(feedback_id=saved.feedback_id, department_label=saved.department_label, refusal=refusal),
            refusal=True,
            multiline=True,
        )
        self.query_one("#feedback-reason", Input).focus()

    @on(Button.Pressed, "#feedback-cancel")
    def action_cancel(self) -> None:
        # Feedback saved in this dialog is reported back; an earlier complaint not escalated is not news.
        self.dismiss(None if self.escalating_earlier else self.recorded)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A failure (not a refusal) reaches the app as a notice; the dialog must not stay stuck saving.
        if event.state is WorkerState.ERROR and event.worker.group in (RECORD_GROUP, ESCALATE_GROUP):
            self.saving = False
