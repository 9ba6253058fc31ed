"""HelpDialog (f1): the keys of the screen below, and on the demo database the demo callers to ring as."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.i18n import N_, _
from console.text import safe_text
from screens.base import HotlineModal

if TYPE_CHECKING:
    from console.db import Database
    from console.seed.demo import DemoCaller

HELP_GROUP = "help.demo_callers"


def demo_callers_or_none(database: Database) -> tuple[DemoCaller, ...] | None:
    """The demo callers when this is the demo database, else None (its customers are real people)."""
    from console.seed.demo import demo_callers, is_demo_database

    if not is_demo_database(database.read_sessions):
        return None
    return demo_callers(database.read_sessions)


class HelpDialog(HotlineModal[None]):
    """What each key does on `below` (as its footer and the command palette name it), then the demo callers."""

    CSS_PATH = "help.tcss"
    AUTO_FOCUS = "#help-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="help.close", tooltip=N_("Back to where you were")),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.below = below
        self.callers: tuple[DemoCaller, ...] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="panel") as dialog:
            dialog.border_title = _("Keys and demo callers")
            with VerticalScroll(id="help-body"):
                yield Static(Content.styled(_("Keys on this screen"), "bold"), classes="help-heading")
                yield Static(self.keys_content(), id="help-keys")
                yield Static(id="help-callers")
        yield Footer(compact=True)

    def keys_content(self) -> Content:
        lines: list[Content] = []
        seen: set[str] = set()
        for key, active in self.below.active_bindings.items():
            binding = active.binding
            if binding.id is None or not active.enabled or binding.id in seen:
                continue
            seen.add(binding.id)
            shown = self.app.get_key_display(binding.with_key(key))
            line = Content.styled(f"{shown:<10}", "bold") + Content(binding.description or binding.id)
            if binding.tooltip:
                line += Content.styled(f"  {binding.tooltip}", "$text-muted")
            lines.append(line)
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        self.run_service(lambda: demo_callers_or_none(self.database), self.show_callers, group=HELP_GROUP)

    def show_callers(self, callers: tuple[DemoCaller, ...] | None) -> None:
        self.callers = callers
        shown = self.query_one("#help-callers", Static)
        if callers is None:
            shown.display = False
            return
        lines = [
            Content.styled(_("Demo callers"), "bold"),
            Content.styled(
                _("Ring one from another terminal: hotline ring --demo NUMBER (the demo's invented people)."),
                "$text-muted",
            ),
        ]
        for caller in callers:
            phone = caller.phone or _("(no phone)")
            lines.append(
                Content.styled(f"{phone:<18}", "bold")
                + safe_text(f"{caller.account_number}  {caller.name}")
                + Content.styled(": ", "$text-muted")
                + safe_text(caller.case)
            )
        shown.update(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)
