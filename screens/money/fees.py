"""FeesPane: the public fee schedule, filtered, and a quote for the amount the caller asks about."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Select, Static, TabPane

from console.i18n import _
from console.services.context import Actor
from console.services.errors import ServiceError
from console.services.fees import FeeQuote, FeeRow, fee_schedule, fee_told, quote
from console.services.labels import direction_choices, direction_label, method_label
from console.text import cell_text, safe_text
from screens.base import Notice, OnHotline
from screens.fields import LabelledSelect, labelled
from screens.money.call import SUCCESS, WARNING

FEES_GROUP = "money.fees"
QUOTE_GROUP = "money.quote"
TOLD_GROUP = "money.fee_told"


def direction_options() -> list[tuple[str, str]]:
    return [(_("All directions"), ""), *direction_choices()]


def fee_sentence(row: FeeRow) -> str:
    """One line of the schedule as the agent reads it out."""
    return _("{direction} by {method} in {asset}: {fee}; takes {time}; minimum {minimum}; {maximum}.").format(
        direction=direction_label(row.direction),
        method=row.method_label.lower(),
        asset=row.asset_code,
        fee=_("no fee") if row.free else _("fee {fee}").format(fee=row.fee_text),
        time=row.expected_text,
        minimum=row.minimum_text,
        maximum=_("maximum {amount}").format(amount=row.maximum_text) if row.maximum_text else _("no maximum"),
    )


def quote_sentence(answer: FeeQuote) -> str:
    """The fee quote as the agent reads it out."""
    if answer.direction == "withdrawal":
        money = _("the fee is {fee_text}, so {net_text} leaves the wallet").format(
            fee_text=answer.fee_text, net_text=answer.net_text
        )
    else:
        money = _("the fee is {fee_text}, so {net_text} arrives in the wallet").format(
            fee_text=answer.fee_text, net_text=answer.net_text
        )
    return _("For {amount_text} by {replace}, {money}; it takes {expected_text}.").format(
        amount_text=answer.amount_text,
        replace=method_label(answer.method).lower(),
        money=money,
        expected_text=answer.expected_text,
    )


def fee_row_sentence(row: FeeRow) -> str:
    """One line of the schedule as the agent says it: method, fee, minimum (and maximum), expected time."""
    words = {"withdrawal": _("{method} withdrawal of {asset}"), "deposit": _("{method} deposit of {asset}")}
    subject = words.get(row.direction, words["deposit"]).format(method=row.method_label, asset=row.asset_code)
    if row.maximum_text:
        limits = _("the minimum is {minimum} and the maximum {maximum}").format(
            minimum=row.minimum_text, maximum=row.maximum_text
        )
    else:
        limits = _("the minimum is {minimum}, with no maximum").format(minimum=row.minimum_text)
    fee = _("no fee") if row.free else _("the fee is {fee}").format(fee=row.fee_text)
    return _("{subject}: {fee}; {limits}; it takes {time}.").format(
        subject=subject, fee=fee, limits=limits, time=row.expected_text
    )


def word_matches(word: str, row: FeeRow) -> bool:
    """A word the agent typed matches a line by its asset, method or direction ("usdt", "chain", "withdraw")."""
    word = word.replace("_", "-")
    fields = (row.asset_code.lower(), row.method.replace("_", "-"), row.method_label.lower(), row.direction)
    return any(word in field for field in fields)


class FeesPane(OnHotline, TabPane):
    """The fee schedule anyone may ask about, before saying who they are; Enter on a line says it in words
    (and, on a call, notes on the ticket that the fee was told)."""

    def __init__(self, agent_id: int | None = None, ticket_id: int | None = None) -> None:
        super().__init__(_("Fees"), id="fees")
        self.fees: list[FeeRow] = []
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        # The words typed in the box ("usdt on-chain withdrawal"): every one must match a line shown.
        self.words: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield LabelledSelect(
                direction_options(), id="fee-direction", allow_blank=False, value="", label=_("Direction")
            )
            yield labelled(
                Input(placeholder=_("e.g. usdt on-chain withdrawal"), id="fee-asset", max_length=64),
                _("What the caller asks"),
            )
        yield DataTable(id="fee-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="fee-row")
        with Horizontal(classes="filters"):
            yield labelled(
                Input(placeholder=_("e.g. 500"), id="quote-amount", max_length=32), _("Amount the caller asks about")
            )
            yield Button(_("Quote"), id="quote-button")
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
        rows = [row for row in rows if all(word_matches(word, row) for word in self.words)]
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
            self.say(_("No fees match; clear the box to see them all."))
        elif len(rows) == 1 and self.words:
            self.tell(rows[0])  # one line is what the caller asked about: say it

    @on(DataTable.RowSelected, "#fee-table")
    def fee_chosen(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.fees):
            self.tell(self.fees[event.cursor_row])

    def tell(self, row: FeeRow) -> None:
        """The line in words for the agent to say; on a call, the ticket notes that this fee was told."""
        self.say(fee_row_sentence(row), SUCCESS)
        agent_id, ticket_id = self.agent_id, self.ticket_id
        if agent_id is not None and ticket_id is not None:
            actor = Actor(agent_id, self.hotline.wall_clock())
            self.run_service(
                lambda: fee_told(self.database.sessions, actor, ticket_id, row.method, row.asset_code, row.direction),
                lambda _none: None,
                refused=self.refused,
                group=TOLD_GROUP,
                exclusive=False,
            )

    @on(DataTable.RowHighlighted, "#fee-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted line in words, whole, whatever the table's width leaves of it."""
        if 0 <= event.cursor_row < len(self.fees):
            self.query_one("#fee-row", Static).update(safe_text(fee_sentence(self.fees[event.cursor_row])))

    @on(Select.Changed, "#fee-direction")
    @on(Input.Submitted, "#fee-asset")
    def filters_changed(self) -> None:
        direction = self.query_one("#fee-direction", Select).value
        self.words = self.query_one("#fee-asset", Input).value.lower().split()
        self.load(direction if isinstance(direction, str) else "", "")

    @on(Button.Pressed, "#quote-button")
    @on(Input.Submitted, "#quote-amount")
    def quote_asked(self) -> None:
        if not self.fees or self.table.cursor_row < 0:
            self.say(_("Pick a line of the schedule first (↑/↓), then type the amount."), WARNING)
            return
        rule = self.fees[self.table.cursor_row]
        amount_text = self.query_one("#quote-amount", Input).value
        self.run_service(
            lambda: quote(self.database.read_sessions, rule.method, rule.asset_code, rule.direction, amount_text),
            lambda answer: self.say(quote_sentence(answer), SUCCESS),
            refused=self.refused,
            group=QUOTE_GROUP,
        )
