"""CallerLookup: the lookup box, searching as the agent types, the candidates, and picking one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from console.i18n import _
from console.services.lookup import LookupResult, find_customers
from console.text import fill, safe_text
from screens.base import OnHotline
from screens.call_text import match_prompt

LOOKUP_GROUP = "workspace.lookup"


class LookupInput(Input):
    """The lookup box; the down arrow moves on to the candidates."""

    def on_key(self, event: Key) -> None:
        if event.key == "down":
            event.stop()
            event.prevent_default()
            if isinstance(self.parent, CallerLookup):
                self.parent.results.focus()


class CallerLookup(OnHotline, Vertical):
    """Find the caller by what they say: the box, a hint in words, and the candidates to pick from."""

    @dataclass
    class Picked(Message):
        """The agent chose this customer."""

        customer_id: int

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="lookup", classes="panel")
        self.agent_id = agent_id
        self.result: LookupResult | None = None
        self._text = ""  # the box's value as last handled
        # Each keystroke's lookup starts at once; while one is in flight, only the newest text waits
        # for it (a number typed quickly costs two queries, not one per digit).
        self._in_flight: str | None = None
        self._waiting: str | None = None
        self._pick_on_result = False
        self.border_title = _("Find caller")

    def compose(self) -> ComposeResult:
        yield LookupInput(
            id="lookup-input",
            placeholder=_("phone, OK…, email, name or last 4"),
            max_length=254,
        )
        yield Static(id="lookup-hint", classes="muted")
        yield OptionList(id="results")

    @property
    def box(self) -> Input:
        return self.query_one("#lookup-input", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    def set_text(self, text: str) -> None:
        self._text = text
        self.box.value = text

    def clear(self) -> None:
        """An empty box, no candidates, no hint."""
        self.set_text("")
        self.show_result(None)
        self.show_hint("")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value == self._text:
            return  # set by the screen, not typed
        self._text = event.value
        self._pick_on_result = False
        query = event.value.strip()
        if not query:
            self._waiting = None
            self.show_result(None)
            self.show_hint("")
            return
        self.search(query)

    def search(self, query: str) -> None:
        """Look `query` up now, or as soon as the lookup in flight has answered."""
        if self._in_flight is not None:
            self._waiting = query
            return
        self._in_flight, self._waiting = query, None
        self.run_service(
            lambda: find_customers(
                self.database.read_sessions, query, self.hotline.settings.default_region, agent_id=self.agent_id
            ),
            partial(self.found, query),
            group=LOOKUP_GROUP,
            exclusive=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != LOOKUP_GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self._in_flight = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting == self._text.strip():
            self.search(waiting)

    def found(self, query: str, result: LookupResult) -> None:
        if query != self._text.strip():
            return  # typed on since; a newer lookup is coming
        self.show_result(result)
        self.show_hint(self.hint(result))
        if self._pick_on_result:
            self._pick_on_result = False
            self.act_on_results()

    def hint(self, result: LookupResult) -> str:
        if result.problem:
            return result.problem
        searched = _(", ").join(_(str(kind)) for kind in result.understood_as)
        count = len(result.matches)
        if count == 0:
            return _("No customer matches (searched by {searched}).").format(searched=searched)
        if result.more:
            return _("More than {count} customers match; type more to narrow it down.").format(count=count)
        if count == 1:
            return _("1 match by {searched}. Enter shows the card.").format(searched=searched)
        return _("{count} matches by {searched}. Pick one with ↓ and Enter.").format(count=count, searched=searched)

    def show_hint(self, text: str | Content) -> None:
        content = text if isinstance(text, Content) else safe_text(text)
        self.query_one("#lookup-hint", Static).update(content)

    def show_result(self, result: LookupResult | None) -> None:
        """Hold `result` and list its candidates (none for None)."""
        self.result = result
        matches = result.matches if result is not None else ()
        show_kind = result is not None and len(result.understood_as) > 1
        self.results.set_options(
            Option(match_prompt(match, show_kind), id=f"customer-{match.customer_id}") for match in matches
        )

    def refresh_status(self, customer_id: int, status: str) -> None:
        """A customer's status as just read on their card (after an unlock, say): their row says the same."""
        result = self.result
        if result is None or not any(m.customer_id == customer_id and m.status != status for m in result.matches):
            return
        highlighted = self.results.highlighted
        matches = tuple(replace(m, status=status) if m.customer_id == customer_id else m for m in result.matches)
        self.show_result(replace(result, matches=matches))
        self.results.highlighted = highlighted

    def show_number_found(self, result: LookupResult) -> None:
        """What the number of a call just taken found, in words; the box is emptied for the agent."""
        self.set_text("")
        self.show_result(result)
        single = result.single
        if result.problem:
            self.show_hint(result.problem)
        elif single is not None:
            self.show_hint(fill(_("The caller's number belongs to {name}."), name=single.full_name))
        elif not result.matches:
            self.show_hint(
                _(
                    "No customer has the caller's number. Find them by another detail ({key_for}), or carry on "
                    "without a customer."
                ).format(key_for=self.key_for("workspace.lookup"))
            )
        else:
            count = f"{len(result.matches)}{_(' or more') if result.more else ''}"
            self.show_hint(
                _(
                    "The caller's number matches {count} customers. Ask which account is theirs, then pick it "
                    "(↑ ↓ and Enter)."
                ).format(count=count)
            )

    def offer(self) -> None:
        """Several candidates: the first highlighted, the list focused, the choice the agent's."""
        self.results.highlighted = 0
        self.results.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = self._text.strip()
        if not query:
            return
        if self.result is None or self.result.query != query:
            # Enter before the results arrived: act when they do (the lookup is already on its way).
            self._pick_on_result = True
            if self._in_flight != query and self._waiting != query:
                self.search(query)
            return
        self.act_on_results()

    def act_on_results(self) -> None:
        """Enter in the lookup box: one candidate is shown; several are offered to pick from."""
        if self.result is None or not self.result.matches:
            return
        if len(self.result.matches) == 1 and not self.result.more:
            self.post_message(self.Picked(self.result.matches[0].customer_id))
            return
        self.offer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("customer-"):
            self.post_message(self.Picked(int(option_id.removeprefix("customer-"))))
