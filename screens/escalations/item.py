"""ItemPanel: one item of the queue opened, with what the supervisor needs to decide it and the reason box."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from console.i18n import N_, _
from console.services.context import Actor
from console.services.errors import ServiceError
from console.services.escalation_detail import EscalationDetail, escalation_detail
from console.services.escalations import EscalationItem
from screens.base import Notice, OnHotline
from screens.escalations import words

DETAIL_GROUP = "escalations.detail"
NOTHING_OPEN = N_("Choose an item in the queue and press Enter to open it.")


class ItemPanel(OnHotline, VerticalScroll):
    """The item opened: who asked and when, what each decision does, the case, the customer's other
    adjustments and the call's timeline; below them, the reason the supervisor types."""

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="item", classes="panel")
        self.agent_id = agent_id
        self.item: EscalationItem | None = None
        self.detail: EscalationDetail | None = None
        self.border_title = _("Item")

    def compose(self) -> ComposeResult:
        yield Static(id="item-heading")
        yield Static(id="item-decisions")
        yield Label(_("Reason for your decision (the agent and the record see it)"), classes="field-label")
        yield Input(placeholder=_("Why you approve or turn it down"), id="decision-reason", max_length=1000)
        yield Notice(id="decision-message")
        yield Static(id="item-case", classes="item-part")
        yield Static(id="item-others", classes="item-part")
        yield Static(id="item-timeline", classes="item-part")

    @property
    def reason_box(self) -> Input:
        return self.query_one("#decision-reason", Input)

    @property
    def reason(self) -> str:
        return self.reason_box.value

    @property
    def notice(self) -> Notice:
        return self.query_one("#decision-message", Notice)

    def on_mount(self) -> None:
        self.show_nothing(_(NOTHING_OPEN))

    def show_nothing(self, text: str) -> None:
        """No item open: say why, and hide what belongs to one."""
        self.item = self.detail = None
        self.border_title = _("Item")
        self.query_one("#item-heading", Static).update(text)
        for part in ("#item-decisions", "#item-case", "#item-others", "#item-timeline", "#decision-reason", "Label"):
            self.query_one(part).display = False

    # Opening

    def open(self, item: EscalationItem, *, keep_reason: bool = False) -> None:
        """Read the item's detail; a different item starts with an empty reason and no message."""
        if self.item is None or self.item.key != item.key:
            keep_reason = False
        if not keep_reason:
            self.reason_box.value = ""
            self.notice.say("")
        self.item = item
        self.query_one("#item-heading", Static).update(words.heading(item, item.age_seconds))
        actor = Actor(self.agent_id, self.hotline.wall_clock())
        self.run_service(
            lambda: escalation_detail(self.database.read_sessions, actor, item.kind, item.subject_id),
            self.show,
            refused=self.refused,
            group=DETAIL_GROUP,
            latest_only=True,
        )

    def refused(self, refusal: ServiceError) -> None:
        self.show_nothing(str(refusal))

    def show(self, detail: EscalationDetail) -> None:
        if self.item is None or self.item.key != detail.item.key:
            return  # another item was opened meanwhile
        self.item, self.detail = detail.item, detail
        self.border_title = f"{detail.item.kind_label} · {detail.account_number or detail.item.summary}"
        self.query_one("#item-heading", Static).update(words.heading(detail.item, detail.item.age_seconds))
        self.query_one("#item-decisions", Static).update(
            words.what_happens(detail, self.key_for("escalations.approve"), self.key_for("escalations.reject"))
        )
        self.query_one("#item-case", Static).update(words.case_facts(detail))
        self.query_one("#item-others", Static).update(words.other_adjustments(detail))
        self.query_one("#item-timeline", Static).update(words.timeline(detail))
        for part in ("#item-decisions", "#item-case", "#item-others", "#item-timeline", "#decision-reason", "Label"):
            self.query_one(part).display = True
