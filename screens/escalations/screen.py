"""EscalationScreen: the supervisor's desk, where supervisors land: the queue of everything waiting for
them, the item opened, and deciding it (a confirmation, and the password when it is over 5 minutes old)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.services.agents import AgentView
from console.services.context import Actor
from console.services.decisions import DecisionDone, decide_escalation
from console.services.errors import Conflict, NotFound, PasswordNeeded, ServiceError
from console.services.escalations import EscalationItem
from screens.confirm import ConfirmAction
from screens.desk import DeskScreen, desk_bindings
from screens.escalations.dialogs import PasswordAgain
from screens.escalations.item import NOTHING_OPEN, ItemPanel
from screens.escalations.queue import EscalationQueue

DECIDE_GROUP = "escalations.decide"


@dataclass(frozen=True)
class Decision:
    """What the supervisor chose, kept while the confirmation and the password are asked for."""

    item: EscalationItem
    approve: bool
    reason: str


class EscalationScreen(DeskScreen):
    """The queue above (beside, on a wide terminal) the item opened; the keys decide the item opened."""

    CSS_PATH = "escalations.tcss"
    AUTO_FOCUS = "#queue-table"
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9", "approve", N_("Approve"), id="escalations.approve", tooltip=N_("Approve the item opened")),
        Binding("f8", "reject", N_("Turn down"), id="escalations.reject", tooltip=N_("Turn down the item opened")),
        Binding("f6", "reason", N_("Reason"), id="escalations.reason", tooltip=N_("Type the reason for your decision")),
        # Enter on the queue opens the chosen item too (the table's own key).
        Binding("o", "open", N_("Open"), id="escalations.open", tooltip=N_("Open the item chosen in the queue")),
        # The queue refreshes by itself; these two stay in the palette so the footer fits 80 columns.
        Binding("escape", "queue", N_("Queue"), id="escalations.queue", show=False, tooltip=N_("Back to the queue")),
        Binding(
            "f5", "refresh", N_("Refresh"), id="escalations.refresh", show=False, tooltip=N_("Read the queue again")
        ),
        *desk_bindings("escalations", workspace_in_footer=True),
    ]

    def __init__(self, agent: AgentView) -> None:
        super().__init__(agent)
        self.deciding = False

    @property
    def queue(self) -> EscalationQueue:
        return self.query_one(EscalationQueue)

    @property
    def item_panel(self) -> ItemPanel:
        return self.query_one(ItemPanel)

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="desk"):
            yield EscalationQueue(self.agent.id)
            yield ItemPanel(self.agent.id)
        yield Footer(compact=True)

    def actor(self) -> Actor:
        return Actor(self.agent.id, self.hotline.wall_clock())

    # The queue and the item

    def on_escalation_queue_opened(self, message: EscalationQueue.Opened) -> None:
        self.item_panel.open(message.item)
        self.item_panel.reason_box.focus()

    def on_escalation_queue_loaded(self, message: EscalationQueue.Loaded) -> None:
        """Someone else decided or changed the item opened: say so, and show it as it is now."""
        opened = self.item_panel.item
        if opened is None or self.deciding:
            return
        now = next((item for item in message.items if item.key == opened.key), None)
        if now is None:
            self.item_panel.show_nothing(
                _("That item is no longer waiting: it was decided at another console, or it ended.")
            )
        elif now.version != opened.version:
            self.item_panel.open(now, keep_reason=True)
            self.item_panel.notice.say(_("It changed at another console since you opened it; review it again."))

    def action_open(self) -> None:
        item = self.queue.highlighted
        if item is not None:
            self.on_escalation_queue_opened(EscalationQueue.Opened(item))

    def action_queue(self) -> None:
        self.queue.table.focus()

    def action_reason(self) -> None:
        if self.item_panel.detail is not None:
            self.item_panel.reason_box.focus()

    def action_refresh(self) -> None:
        self.queue.load()

    # Deciding

    def action_approve(self) -> None:
        self.start_decision(approve=True)

    def action_reject(self) -> None:
        self.start_decision(approve=False)

    def start_decision(self, *, approve: bool) -> None:
        panel = self.item_panel
        detail = panel.detail
        if self.deciding:
            return
        if detail is None:
            panel.notice.say(_("Open an item first: choose it in the queue and press Enter."), refusal=True)
            return
        reason = panel.reason.strip()
        if not reason:
            panel.notice.say(_("Type the reason for your decision first."), refusal=True)
            panel.reason_box.focus()
            return
        decision = Decision(detail.item, approve, reason)
        words = detail.approve_words if approve else detail.reject_words
        title = _("Approve?") if approve else _("Turn it down?")
        self.app.push_screen(
            ConfirmAction(title, words, reason), callback=lambda yes: self.confirmed(decision, bool(yes))
        )

    def confirmed(self, decision: Decision, yes: bool) -> None:
        if yes:
            self.send(decision)
        else:
            self.item_panel.notice.say(_("Nothing was decided."))

    def send(self, decision: Decision) -> None:
        self.deciding = True
        self.item_panel.notice.say(_("Deciding…"))
        item, actor = decision.item, self.actor()
        self.run_service(
            lambda: decide_escalation(
                self.database.sessions,
                actor,
                item.kind,
                item.subject_id,
                item.version,
                approve=decision.approve,
                reason=decision.reason,
            ),
            self.decided,
            refused=lambda refusal: self.refused(decision, refusal),
            group=DECIDE_GROUP,
        )

    def refused(self, decision: Decision, refusal: ServiceError) -> None:
        self.deciding = False
        panel = self.item_panel
        if isinstance(refusal, PasswordNeeded):
            panel.notice.say(_("Your password is needed first."))
            self.app.push_screen(
                PasswordAgain(self.agent, str(refusal)),
                callback=lambda typed: self.send(decision) if typed else panel.notice.say(_("Nothing was decided.")),
            )
            return
        panel.notice.say(str(refusal), refusal=True, multiline=True)
        self.notify_agent(str(refusal))
        if isinstance(refusal, (Conflict, NotFound)):
            self.queue.load()  # it changed or went: the queue and the item show it as it is now

    def decided(self, done: DecisionDone) -> None:
        self.deciding = False
        self.item_panel.show_nothing(_(NOTHING_OPEN))
        self.item_panel.notice.say(done.said, multiline=True)
        self.notify_agent(done.said, warning=False)
        self.queue.load()
        self.queue.table.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows a failure; the desk must not stay stuck deciding.
        if event.worker.group == DECIDE_GROUP and event.state is WorkerState.ERROR:
            self.deciding = False
            self.item_panel.notice.say(_("The decision was not made."), refusal=True)
