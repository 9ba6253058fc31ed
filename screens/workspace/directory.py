"""HotlineDirectory: every hotline's region, number, hours and languages."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from console.i18n import _
from console.services.calls import HotlineView, list_hotlines
from screens.base import OnHotline
from screens.call_text import hotline_prompt

DIRECTORY_GROUP = "workspace.directory"


class HotlineDirectory(OnHotline, Vertical):
    """The hotline directory, loaded once when the workspace opens."""

    def __init__(self) -> None:
        super().__init__(id="directory", classes="panel")
        self.border_title = _("Hotlines")

    def compose(self) -> ComposeResult:
        yield OptionList(id="hotline-list")

    @property
    def listing(self) -> OptionList:
        return self.query_one("#hotline-list", OptionList)

    def on_mount(self) -> None:
        self.run_service(
            lambda: list_hotlines(self.database.read_sessions), self.show, group=DIRECTORY_GROUP, latest_only=True
        )

    def show(self, lines: list[HotlineView]) -> None:
        self.listing.set_options(Option(hotline_prompt(line), id=f"line-{line.code}") for line in lines)
        if not lines:
            self.listing.set_options([Option(_("No hotlines are listed."), disabled=True)])
