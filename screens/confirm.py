"""ConfirmAction: the one confirmation before anything that matters (an unlock, an adjustment, a
supervisor's decision): what will happen, in words; Enter or y goes ahead, Escape or n changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Footer, Static

from console.i18n import N_, _, sentence
from console.text import safe_text
from screens.base import HotlineModal


class ConfirmAction(HotlineModal[bool]):
    """Repeats exactly what the action will do; dismisses True to go ahead, False to go back.

    `what_happens` is the sentence (or sentences) the agent reads, already in their language;
    `follows` says what comes after it ("withdrawals held 24 h, …"); `reason` is the agent's own words.
    """

    CSS_PATH = "confirm.tcss"
    AUTO_FOCUS = "#confirm-yes"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", N_("Yes, do it"), id="confirm.yes", tooltip=N_("Go ahead, as written")),
        Binding("escape,n", "cancel", N_("No, go back"), id="confirm.no", tooltip=N_("Go back; nothing is changed")),
    ]

    def __init__(
        self,
        title: str,
        what_happens: str | Sequence[str],
        reason: str | None = None,
        follows: str = "",
        *,
        yes: str | None = None,
        no: str | None = None,
    ) -> None:
        super().__init__()
        self.yes, self.no = yes or _("Yes, do it"), no or _("No, go back")
        self.title_text = title
        sentences = [what_happens] if isinstance(what_happens, str) else list(what_happens)
        self.what_happens = " ".join(sentence(s) for s in sentences)
        self.follows = follows
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="panel dialog") as dialog:
            dialog.border_title = self.title_text
            yield Static(safe_text(self.what_happens, style="bold", multiline=True), id="confirm-what")
            if self.follows:
                yield Static(safe_text(self.follows, multiline=True), id="confirm-follows")
            if self.reason is not None:
                yield Static(
                    Content.styled(_("Reason: "), "$text-muted") + safe_text(self.reason, multiline=True),
                    id="confirm-reason",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("{yes} (Enter)").format(yes=self.yes), id="confirm-yes", variant="primary", compact=True)
                yield Button(_("{no} (Esc)").format(no=self.no), id="confirm-no", compact=True)
        yield Footer(compact=True)

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)
