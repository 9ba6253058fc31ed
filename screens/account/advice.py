"""AdvicePanel: the security advice given on this call, each tick saved on the ticket."""

from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Static

from console.i18n import _
from console.services.context import OnCall
from console.services.errors import ServiceError
from console.services.security_review import ADVICE, record_advice
from console.text import safe_text
from screens.base import OnHotline

ADVICE_GROUP = "account.advice"


def advice_id(code: str) -> str:
    return f"advice-{code.replace('_', '-')}"


class AdvicePanel(OnHotline, Vertical):
    """A checkbox per piece of advice; saves run one at a time, each saving the latest ticks."""

    def __init__(self, agent_id: int, ticket_id: int) -> None:
        super().__init__(id="advice", classes="section")
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        # The ticks the agent wants saved.
        self.wanted: tuple[str, ...] = ()
        self._lock = threading.Lock()
        self._shown = False

    def compose(self) -> ComposeResult:
        yield Static(_("Advice given on this call"), classes="section-title")
        for code, words in ADVICE.items():
            yield Checkbox(Content(_(words)), id=advice_id(code), name=code, compact=True)
        yield Static(id="advice-state", classes="muted")

    def show_state(self, content: str | Content) -> None:
        self.query_one("#advice-state", Static).update(content)

    def show_given(self, given: tuple[str, ...]) -> None:
        """Tick what the review says was given; only the first read does, as later reads could be
        older than a tick being saved."""
        if self._shown:
            return
        self._shown = True
        self.wanted = given
        for checkbox in self.query(Checkbox):
            with checkbox.prevent(Checkbox.Changed):
                checkbox.value = checkbox.name in given
        self.show_state(
            _("{count_given} of {count_ADVICE} given so far.").format(count_given=len(given), count_ADVICE=len(ADVICE))
            if given
            else _("None given yet.")
        )

    def focus_first(self) -> None:
        self.query(Checkbox).first().focus()

    def on_checkbox_changed(self) -> None:
        self.wanted = tuple(code for code in ADVICE if self.query_one(f"#{advice_id(code)}", Checkbox).value)
        self.show_state(_("Saving…"))

        def save() -> tuple[str, ...]:
            # One save at a time, and each saves the ticks as they are when it gets its turn: the last
            # save to commit always carries the last tick, even if an earlier worker was cancelled.
            with self._lock:
                return record_advice(
                    self.database.sessions,
                    OnCall(agent_id=self.agent_id, now=self.hotline.wall_clock(), ticket_id=self.ticket_id),
                    self.wanted,
                )

        self.run_service(save, self.saved, refused=self.refused, group=ADVICE_GROUP)

    def saved(self, given: tuple[str, ...]) -> None:
        if given != self.wanted:
            return  # a later tick is still being saved
        self.show_state(
            Content.assemble(
                (_("Saved"), "$text-success"),
                _(" on ticket #{ticket_id}: {count_given} of {count_ADVICE} given.").format(
                    ticket_id=self.ticket_id, count_given=len(given), count_ADVICE=len(ADVICE)
                ),
            )
        )

    def refused(self, refusal: ServiceError) -> None:
        self.show_state(
            Content.assemble(
                safe_text(_("Not saved: {refusal}").format(refusal=refusal), style="$text-error"),
                _(" Tick again to retry."),
            )
        )
