"""FeesPane: the public fee schedule, filtered, and a quote for the amount the caller asks about."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Select, Static, TabPane

from console.i18n import _
from console.services.errors import ServiceError
from console.services.fees import FeeQuote, FeeRow, fee_schedule, quote
from console.services.labels import direction_choices, direction_label, method_label
from console.text import cell_text, safe_text
from screens.base import Notice, OnHotline
from screens.fields import LabelledSelect, labelled
from screens.money.call import SUCCESS, WARNING

FEES_GROUP = "money.fees"
QUOTE_GROUP = "money.quote"


def direction_options() -> list[tuple[str, str]]:
    return [(_("All directions"), ""), *direction_choices()]


def fee_sentence(row: FeeRow) -> str:
    """One line of the schedule as the agent reads it out."""
    return _("{direction} by {method} in {asset}: fee {fee}; takes {time}; minimum {minimum}; {maximum}.").format(
        direction=direction_label(row.direction),
        method=row.method_label.lower(),
        asset=row.asset_code,
        fee=row.fee_text,
        time=row.expected_text,
        minimum=row.minimum_text,
        maximum=_("maximum {amount}").format(amount=row.maximum_text) if row.maximum_text else _("no maximum"),
    )


def quote_sentence(answer: FeeQuote) -> str:
    """The fee quote as the agent reads it out."""
    if answer.direction == "withdrawal":
        money = f"the fee is {answer.fee_text}, so {answer.net_text} leaves the wallet"
    else:
        money = f"the fee is {answer.fee_text}, so {answer.net_text} arrives in the wallet"
    return (
        f"For {answer.amount_text} by {method_label(answer.method).lower()}, {money}; it takes {answer.expected_text}."
    )


class FeesPane(OnHotline, TabPane):
    """The fee schedule anyone may ask about, before saying who they are."""

    def __init__(self) -> None:
        super().__init__("Fees", id="fees")
        self.fees: list[FeeRow] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield LabelledSelect(
                direction_options(), id="fee-direction", allow_blank=False, value="", label=_("Direction")
            )
            yield labelled(Input(placeholder=_("CNY, USDT…"), id="fee-asset", max_length=8), _("Asset"))
        yield DataTable(id="fee-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="fee-row")
        with Horizontal(classes="filters"):
            yield labelled(
                Input(placeholder=_("e.g. 500"), id="quote-amount", max_length=32), _("Amount the caller asks about")
            )
            yield Button("Quote", id="quote-button")
        yield Notice(id="fee-message", classes="outcome")

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#fee-table", DataTable)

    @property
    def notice(self) -> Notice:
        return self.query_one("#fee-message", Notice)

    def say(self, text: str, style: str = "") -> None:
        self.notice.say(text, style=style, multiline=True)

    def refused(self, refusal: ServiceError) -> None:
        self.say(str(refusal), WARNING)

    def on_mount(self) -> None:
        # What it costs and how long it takes before the limits, so a narrow screen keeps them.
        self.table.add_columns(_("Direction"), _("Method"), _("Asset"), _("Fee"), _("Time"), _("Minimum"), _("Maximum"))
        self.load("", "")

    def load(self, direction: str, asset_code: str) -> None:
        self.run_service(
            lambda: fee_schedule(self.database.read_sessions, direction or None, asset_code or None),
            self.show,
            refused=self.refused,
            group=FEES_GROUP,
        )

    def show(self, rows: list[FeeRow]) -> None:
        self.fees = rows
        table = self.table
        table.clear()
        for row in rows:
            table.add_row(
                *map(
                    cell_text,
                    (
                        direction_label(row.direction),
                        row.method_label,
                        row.asset_code,
                        row.fee_text,
                        row.expected_text,
                        row.minimum_text,
                        row.maximum_text or _("no maximum"),
                    ),
                )
            )
        if not rows:
            self.say("No fees match; clear the asset box to see them all.")

    @on(DataTable.RowHighlighted, "#fee-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted line in words, whole, whatever the table's width leaves of it."""
        if 0 <= event.cursor_row < len(self.fees):
            self.query_one("#fee-row", Static).update(safe_text(fee_sentence(self.fees[event.cursor_row])))

    @on(Select.Changed, "#fee-direction")
    @on(Input.Submitted, "#fee-asset")
    def filters_changed(self) -> None:
        direction = self.query_one("#fee-direction", Select).value
        asset_code = self.query_one("#fee-asset", Input).value.strip().upper()
        self.load(direction if isinstance(direction, str) else "", asset_code)

    @on(Button.Pressed, "#quote-button")
    @on(Input.Submitted, "#quote-amount")
    def quote_asked(self) -> None:
        if not self.fees or self.table.cursor_row < 0:
            self.say("Pick a line of the schedule first (↑/↓), then type the amount.", WARNING)
            return
        rule = self.fees[self.table.cursor_row]
        amount_text = self.query_one("#quote-amount", Input).value
        self.run_service(
            lambda: quote(self.database.read_sessions, rule.method, rule.asset_code, rule.direction, amount_text),
            lambda answer: self.say(quote_sentence(answer), SUCCESS),
            refused=self.refused,
            group=QUOTE_GROUP,
        )
