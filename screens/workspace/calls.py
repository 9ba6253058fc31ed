"""CallQueue: the calls waiting, polled every few seconds, and taking one of them."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from console.i18n import _
from console.services.calls import ClaimedCall, WaitingCall, claim_call, waiting_calls
from console.services.context import Actor
from console.services.errors import Conflict, NotFound, ServiceError
from screens.base import Notice, OnHotline
from screens.call_text import call_prompt

CALLS_GROUP = "workspace.calls"
CLAIM_GROUP = "workspace.claim"


class CallQueue(OnHotline, Vertical):
    """Calls waiting, how long each caller has waited, and claiming one; one claim at a time."""

    @dataclass
    class NewCaller(Message):
        """A caller joined the queue since the last poll."""

        call: WaitingCall

    @dataclass
    class Chosen(Message):
        """The agent pressed Enter on a call in the list."""

        option_id: str | None

    @dataclass
    class Claimed(Message):
        """This agent won the call: its ticket is theirs now."""

        claimed: ClaimedCall

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="calls", classes="panel")
        self.agent_id = agent_id
        self.calls: list[WaitingCall] = []
        self.claiming = False
        self._poll: Worker[None] | None = None
        self.border_title = _("Calls waiting")

    def compose(self) -> ComposeResult:
        yield OptionList(id="call-list")
        yield Static(_("No callers waiting."), id="calls-empty", classes="muted")
        yield Notice(id="calls-message")

    @property
    def listing(self) -> OptionList:
        return self.query_one("#call-list", OptionList)

    @property
    def notice(self) -> Notice:
        return self.query_one("#calls-message", Notice)

    def on_mount(self) -> None:
        self.listing.display = False
        self.refresh_calls()
        self.set_interval(self.hotline.settings.call_poll_seconds, self.refresh_calls, name="calls")

    # Polling

    def refresh_calls(self) -> None:
        # One poll at a time: a slow database must not pile up threads.
        if self._poll is not None and self._poll.is_running:
            return
        self._poll = self.run_service(
            lambda: waiting_calls(self.database.read_sessions, self.agent_id),
            self.show_calls,
            group=CALLS_GROUP,
            latest_only=True,
        )

    def show_calls(self, calls: list[WaitingCall]) -> None:
        known = {call.call_id for call in self.calls}
        new = [call for call in calls if call.call_id not in known]
        self.calls = calls
        call_list = self.listing
        highlighted = call_list.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        call_list.set_options(Option(self.call_prompt(call), id=f"call-{call.call_id}") for call in self.calls)
        if keep is not None and any(f"call-{call.call_id}" == keep for call in self.calls):
            call_list.highlighted = call_list.get_option_index(keep)
        has_calls = bool(self.calls)
        call_list.display = has_calls
        self.query_one("#calls-empty").display = not has_calls
        self.border_title = (
            _("Calls waiting ({count_calls})").format(count_calls=len(self.calls)) if has_calls else _("Calls waiting")
        )
        if new:
            self.post_message(self.NewCaller(new[0]))

    def call_prompt(self, call: WaitingCall) -> Content:
        return call_prompt(call, call.waited_seconds(self.hotline.wall_clock()))

    def tick(self) -> None:
        """How long each caller has waited, once a second."""
        call_list = self.listing
        for call in self.calls:
            option_id = f"call-{call.call_id}"
            # The list may have been rebuilt meanwhile; the next tick catches up.
            with contextlib.suppress(Exception):
                call_list.replace_option_prompt(option_id, self.call_prompt(call))

    # Claiming

    def chosen_option(self) -> str | None:
        """The call highlighted in the list when the list has focus; else None (the longest-waiting)."""
        call_list = self.listing
        chosen = call_list.highlighted_option if call_list.has_focus else None
        return chosen.id if chosen is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option.id))

    def take(self, option_id: str | None) -> None:
        """Claim the call `option_id`, or the one waiting longest."""
        if not self.calls:
            self.notice.say(_("No callers are waiting."))
            return
        call = next((c for c in self.calls if f"call-{c.call_id}" == option_id), self.calls[0])
        self.claiming = True
        self.notice.say(_("Taking the call…"))
        # Not dropped when superseded: a call this agent won must reach the screen.
        self.run_service(
            lambda: claim_call(
                self.database.sessions,
                call.call_id,
                Actor(agent_id=self.agent_id, now=self.hotline.wall_clock()),
                self.hotline.settings.default_region,
            ),
            self.claimed,
            refused=self.claim_refused,
            refusals=(Conflict, NotFound),
            group=CLAIM_GROUP,
        )

    def claim_refused(self, lost: ServiceError) -> None:
        self.claiming = False
        self.notice.say(str(lost), refusal=True)
        self.notify_agent(str(lost))
        self.refresh_calls()

    def claimed(self, claimed: ClaimedCall) -> None:
        self.claiming = False
        self.notice.say(_("You took call {call_id}.").format(call_id=claimed.call_id))
        self.post_message(self.Claimed(claimed))
        self.refresh_calls()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows the failure; the queue must not stay stuck claiming.
        if event.worker.group == CLAIM_GROUP and event.worker.error is not None:
            self.claiming = False
            self.notice.say(_("The call was not taken."), refusal=True)
