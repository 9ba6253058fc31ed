"""MoneyScreen: deposits, withdrawals and disputes over the call: the public fee schedule, the verified
caller's statement, a withdrawal's detail and follow-up, and disputes with their adjustments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Input, Select, Static, TabbedContent, TabPane

from console.services.adjustments import propose_adjustment
from console.services.disputes import AdjustmentView, DisputeView, caller_disputes, open_dispute, update_dispute
from console.services.errors import Conflict, ServiceError
from console.services.fees import FeeQuote, FeeRow, fee_schedule, quote
from console.services.statement import StatementCursor, StatementFilter, StatementPage, StatementRow, statement
from console.services.withdrawals import WithdrawalDetail, follow_up_withdrawal, withdrawal_detail
from console.text import cell_text, clean_text, safe_text
from screens.base import HotlineModal

FEES_GROUP = "money.fees"
QUOTE_GROUP = "money.quote"
STATEMENT_GROUP = "money.statement"
DETAIL_GROUP = "money.detail"
FOLLOW_UP_GROUP = "money.follow_up"
DISPUTES_GROUP = "money.disputes"
DISPUTE_OPEN_GROUP = "money.dispute_open"
DISPUTE_SAVE_GROUP = "money.dispute_save"
ADJUST_GROUP = "money.adjust"

PAGE_SIZE = 50
# Where the keyboard lands when a tab is shown.
TAB_FOCUS = {"fees": "fee-table", "statement": "statement-table", "disputes": "dispute-table"}
DIRECTIONS = [("All directions", ""), ("Deposits", "deposit"), ("Withdrawals", "withdrawal")]
KINDS = [
    ("Any type", ""),
    ("Deposit", "deposit"),
    ("Withdrawal", "withdrawal"),
    ("Transfer in", "transfer_in"),
    ("Transfer out", "transfer_out"),
    ("Fee", "fee"),
    ("Adjustment", "adjustment"),
]
STATUSES = [
    ("Any status", ""),
    ("Pending", "pending"),
    ("Processing", "processing"),
    ("Completed", "completed"),
    ("Delayed", "delayed"),
    ("Failed", "failed"),
    ("Reversed", "reversed"),
]
# How much later the agent tells the caller to expect a delayed withdrawal.
NEW_ESTIMATES = [("in 24 hours", 24), ("in 48 hours", 48), ("in 3 days", 72), ("in 5 days", 120)]


def _time(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else "-"


def quote_sentence(answer: FeeQuote) -> str:
    """The fee quote as the agent reads it out."""
    if answer.direction == "withdrawal":
        money = f"the fee is {answer.fee_text}, so {answer.net_text} leaves the wallet"
    else:
        money = f"the fee is {answer.fee_text}, so {answer.net_text} arrives in the wallet"
    return f"For {answer.amount_text} by {answer.method.replace('_', ' ')}, {money}; it takes {answer.expected_text}."


def _day(text: str, what: str) -> date | None:
    """A date the agent typed (YYYY-MM-DD), or None for an empty box; ValueError says what is wrong."""
    text = clean_text(text).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} must be a date like 2026-11-20.") from None


class MoneyScreen(HotlineModal[None]):
    """Fees for anyone; for the verified caller, the statement, withdrawals and disputes."""

    CSS_PATH = "money.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f2",
            "show('fees')",
            "Fees",
            id="money.fees",
            tooltip="The public fee schedule: how much, how long, what minimum",
        ),
        Binding(
            "f3",
            "show('statement')",
            "Statement",
            id="money.statement",
            tooltip="The verified caller's statement, newest first, with filters",
        ),
        Binding(
            "f4",
            "show('disputes')",
            "Disputes",
            id="money.disputes",
            tooltip="The caller's disputes, their timeline, and adjustments",
        ),
        Binding(
            "escape",
            "close",
            "Back to the call",
            id="money.close",
            tooltip="Close and return to the call; nothing typed here is lost until you close",
        ),
    ]

    # What workers report back.

    @dataclass
    class FeesLoaded(Message):
        rows: list[FeeRow]

    @dataclass
    class Quoted(Message):
        quote: FeeQuote

    @dataclass
    class StatementLoaded(Message):
        page: StatementPage
        appended: bool

    @dataclass
    class DetailLoaded(Message):
        detail: WithdrawalDetail

    @dataclass
    class FollowedUp(Message):
        text: str

    @dataclass
    class DisputesLoaded(Message):
        disputes: list[DisputeView]
        select: int | None  # the dispute to show (one just opened or adjusted), else the one on screen

    @dataclass
    class DisputeOpened(Message):
        dispute: DisputeView

    @dataclass
    class DisputeSaved(Message):
        dispute: DisputeView

    @dataclass
    class DisputeConflict(Message):
        text: str  # the service's sentence; what the agent typed stays in the form

    @dataclass
    class Adjusted(Message):
        adjustment: AdjustmentView

    @dataclass
    class Problem(Message):
        where: str  # the id of the Static that shows it
        text: str  # the service's plain sentence

    def __init__(self, agent_id: int, ticket_id: int | None, customer_id: int | None, tab: str = "fees") -> None:
        super().__init__()
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        self.customer_id = customer_id
        self.first_tab = tab
        self.fees: list[FeeRow] = []
        self.rows: list[StatementRow] = []
        self.cursor: StatementCursor | None = None
        self.filters = StatementFilter()
        self.selected_row: StatementRow | None = None
        self.disputes: list[DisputeView] = []
        self.selected_dispute: DisputeView | None = None
        # One key per adjustment being typed: a double-pressed save posts once; a new key after success.
        self.adjustment_key = uuid.uuid4().hex
        # The version of the dispute the agent's edit is based on; a save against an older one is refused.
        self.edit_version: int | None = None
        self._adopt_version = False

    def compose(self) -> ComposeResult:
        with Vertical(id="money", classes="panel") as panel:
            panel.border_title = f"Money · ticket #{self.ticket_id}" if self.ticket_id else "Money · fees"
            with TabbedContent(initial=self.first_tab, id="money-tabs"):
                with TabPane("Fees", id="fees"):
                    with Horizontal(classes="filters"):
                        yield Select(DIRECTIONS, id="fee-direction", allow_blank=False, value="")
                        yield Input(placeholder="Asset (CNY, USDT…)", id="fee-asset", max_length=8)
                    yield DataTable(id="fee-table", cursor_type="row", zebra_stripes=True)
                    with Horizontal(classes="filters"):
                        yield Input(placeholder="Amount the caller asks about", id="quote-amount", max_length=32)
                        yield Button("Quote", id="quote-button")
                    yield Static(id="fee-message", classes="outcome")
                with TabPane("Statement", id="statement"):
                    with Horizontal(classes="filters"):
                        yield Input(placeholder="From YYYY-MM-DD", id="filter-from", max_length=10)
                        yield Input(placeholder="To YYYY-MM-DD", id="filter-to", max_length=10)
                        yield Select(KINDS, id="filter-kind", allow_blank=False, value="")
                        yield Select(STATUSES, id="filter-status", allow_blank=False, value="")
                        yield Input(placeholder="Amount", id="filter-amount", max_length=32)
                        yield Button("Filter", id="filter-button")
                    yield DataTable(id="statement-table", cursor_type="row", zebra_stripes=True)
                    yield Button("More rows", id="statement-more")
                    yield Static(id="statement-message", classes="outcome")
                    with VerticalScroll(id="row-detail"):
                        yield Static(id="detail-text")
                        with Horizontal(id="follow-up", classes="filters"):
                            yield Select(NEW_ESTIMATES, id="follow-up-estimate", allow_blank=False, value=48)
                            yield Input(placeholder="Note for the follow-up", id="follow-up-note", max_length=500)
                            yield Button("Put on follow-up", id="follow-up-button")
                        with Horizontal(id="dispute-form", classes="filters"):
                            yield Input(placeholder="Amount the caller disputes", id="dispute-amount", max_length=32)
                            yield Input(
                                placeholder="What the caller says is wrong", id="dispute-description", max_length=2000
                            )
                            yield Button("Open dispute", id="dispute-button")
                        yield Static(id="detail-message", classes="outcome")
                with TabPane("Disputes", id="disputes"):
                    yield DataTable(id="dispute-table", cursor_type="row", zebra_stripes=True)
                    yield Static(id="dispute-timeline")
                    with Horizontal(id="edit-form", classes="filters"):
                        yield Input(placeholder="Claimed amount", id="edit-claimed", max_length=32)
                        yield Input(placeholder="What the caller says is wrong", id="edit-description", max_length=2000)
                        yield Button("Save dispute", id="edit-button")
                    with Horizontal(id="adjust-form", classes="filters"):
                        yield Input(placeholder="Adjustment amount", id="adjust-amount", max_length=32)
                        yield Input(placeholder="Reason", id="adjust-reason", max_length=1000)
                        yield Button("Propose adjustment", id="adjust-button")
                    yield Static(id="dispute-message", classes="outcome")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#fee-table", DataTable).add_columns(
            "Direction", "Method", "Asset", "Fee", "Minimum", "Maximum", "Time"
        )
        self.query_one("#statement-table", DataTable).add_columns(
            "Date (UTC)", "Type", "Method", "Amount", "Fee", "Status", "Reference"
        )
        self.query_one("#dispute-table", DataTable).add_columns("Dispute", "Opened", "Row", "Claimed", "Status")
        self.query_one("#row-detail").display = False
        self.query_one("#adjust-form").display = False
        self.query_one("#edit-form").display = False
        self.query_one("#statement-more").display = False
        self.load_fees("", "")
        self.query_one(f"#{TAB_FOCUS[self.first_tab]}").focus()
        if self.ticket_id is None:
            for pane in ("statement", "disputes"):
                self.query_one("#money-tabs", TabbedContent).disable_tab(pane)
            self.tell("fee-message", "No caller on a ticket: only the public fee schedule is shown.")
            return
        self.load_statement(self.filters, None)
        self.load_disputes()

    def now(self) -> datetime:
        return self.hotline.wall_clock()

    # Only the statement and disputes tabs use these, and on_mount disables them when there is no call.
    @property
    def call_ticket_id(self) -> int:
        assert self.ticket_id is not None, "the statement and disputes need a caller on a ticket"
        return self.ticket_id

    @property
    def caller_id(self) -> int:
        assert self.customer_id is not None, "the statement and disputes need a caller on a ticket"
        return self.customer_id

    def tell(self, where: str, text: str, style: str = "") -> None:
        self.query_one(f"#{where}", Static).update(safe_text(text, style=style, multiline=True))

    # Actions

    def action_show(self, tab: str) -> None:
        if self.ticket_id is None and tab != "fees":
            self.tell(
                "fee-message", "Find the caller and verify them to see their statement and disputes.", "$text-warning"
            )
            return
        self.query_one("#money-tabs", TabbedContent).active = tab
        # Focus follows, or the focused box left behind in the old tab pulls the view back to it.
        self.query_one(f"#{TAB_FOCUS[tab]}").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    # Fees (public)

    @work(thread=True, exclusive=True, exit_on_error=False, group=FEES_GROUP)
    def load_fees(self, direction: str, asset_code: str) -> None:
        try:
            rows = fee_schedule(self.database.read_sessions, direction or None, asset_code or None)
        except ServiceError as refused:
            self.post_message(self.Problem("fee-message", str(refused)))
            return
        self.post_message(self.FeesLoaded(rows))

    def on_money_screen_fees_loaded(self, message: FeesLoaded) -> None:
        self.fees = message.rows
        table = self.query_one("#fee-table", DataTable)
        table.clear()
        for row in message.rows:
            table.add_row(
                *map(
                    cell_text,
                    (
                        row.direction.capitalize(),
                        row.method_label,
                        row.asset_code,
                        row.fee_text,
                        row.minimum_text,
                        row.maximum_text or "no maximum",
                        row.expected_text,
                    ),
                )
            )
        if not message.rows:
            self.tell("fee-message", "No fees match; clear the asset box to see them all.")

    @on(Select.Changed, "#fee-direction")
    @on(Input.Submitted, "#fee-asset")
    def fee_filters_changed(self) -> None:
        direction = self.query_one("#fee-direction", Select).value
        asset_code = self.query_one("#fee-asset", Input).value.strip().upper()
        self.load_fees(direction if isinstance(direction, str) else "", asset_code)

    @on(Button.Pressed, "#quote-button")
    @on(Input.Submitted, "#quote-amount")
    def quote_asked(self) -> None:
        table = self.query_one("#fee-table", DataTable)
        if not self.fees or table.cursor_row < 0:
            self.tell("fee-message", "Pick a line of the schedule first (↑/↓), then type the amount.", "$text-warning")
            return
        rule = self.fees[table.cursor_row]
        self.get_quote(rule, self.query_one("#quote-amount", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group=QUOTE_GROUP)
    def get_quote(self, rule: FeeRow, amount_text: str) -> None:
        try:
            answer = quote(self.database.read_sessions, rule.method, rule.asset_code, rule.direction, amount_text)
        except ServiceError as refused:
            self.post_message(self.Problem("fee-message", str(refused)))
            return
        self.post_message(self.Quoted(answer))

    def on_money_screen_quoted(self, message: Quoted) -> None:
        self.tell("fee-message", quote_sentence(message.quote), "$text-success")

    # The statement (verified caller only)

    @work(thread=True, exclusive=True, exit_on_error=False, group=STATEMENT_GROUP)
    def load_statement(self, filters: StatementFilter, after: StatementCursor | None) -> None:
        try:
            page = statement(
                self.database.sessions,
                self.call_ticket_id,
                self.agent_id,
                self.caller_id,
                self.now(),
                filters,
                page_size=PAGE_SIZE,
                after=after,
            )
        except ServiceError as refused:
            self.post_message(self.Problem("statement-message", str(refused)))
            return
        self.post_message(self.StatementLoaded(page, after is not None))

    def on_money_screen_statement_loaded(self, message: StatementLoaded) -> None:
        table = self.query_one("#statement-table", DataTable)
        if not message.appended:
            table.clear()
            self.rows = []
        for row in message.page.rows:
            self.rows.append(row)
            table.add_row(
                *map(
                    cell_text,
                    (
                        f"{row.created_at:%Y-%m-%d %H:%M}",
                        row.kind.replace("_", " "),
                        row.method.replace("_", " "),
                        row.amount_text,
                        row.fee_text,
                        row.status,
                        row.reference,
                    ),
                )
            )
        self.cursor = message.page.next_cursor
        self.query_one("#statement-more").display = self.cursor is not None
        shown = len(self.rows)
        self.tell(
            "statement-message",
            f"{shown} row{'s' if shown != 1 else ''} shown{'; more below (More rows)' if self.cursor else ''}."
            if shown
            else "No rows match.",
        )

    @on(Button.Pressed, "#filter-button")
    @on(Input.Submitted, "#filter-from, #filter-to, #filter-amount")
    def filters_changed(self) -> None:
        try:
            date_from = _day(self.query_one("#filter-from", Input).value, "From")
            date_to = _day(self.query_one("#filter-to", Input).value, "To")
        except ValueError as bad:
            self.tell("statement-message", str(bad), "$text-warning")
            return
        kind = self.query_one("#filter-kind", Select).value
        status = self.query_one("#filter-status", Select).value
        amount = clean_text(self.query_one("#filter-amount", Input).value).strip()
        self.filters = StatementFilter(
            date_from=date_from,
            date_to=date_to,
            kinds=(kind,) if isinstance(kind, str) and kind else (),
            statuses=(status,) if isinstance(status, str) and status else (),
            amount_text=amount or None,
        )
        self.load_statement(self.filters, None)

    @on(Button.Pressed, "#statement-more")
    def more_rows(self) -> None:
        if self.cursor is not None:
            self.load_statement(self.filters, self.cursor)

    @on(DataTable.RowSelected, "#statement-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.rows):
            return
        row = self.rows[event.cursor_row]
        self.selected_row = row
        detail = self.query_one("#row-detail")
        detail.display = True
        self.query_one("#follow-up").display = False
        self.tell("detail-message", "")
        self.tell(
            "detail-text",
            f"{row.kind.replace('_', ' ').capitalize()} of {row.amount_text} on"
            f" {_time(row.created_at)}, {row.status}. Reference {row.reference}.",
        )
        self.query_one("#dispute-amount", Input).value = ""
        if row.kind == "withdrawal":
            self.load_detail(row.transaction_id)
        self.query_one("#dispute-amount", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group=DETAIL_GROUP)
    def load_detail(self, transaction_id: int) -> None:
        try:
            detail = withdrawal_detail(
                self.database.sessions, self.call_ticket_id, self.agent_id, self.caller_id, transaction_id, self.now()
            )
        except ServiceError as refused:
            self.post_message(self.Problem("detail-message", str(refused)))
            return
        self.post_message(self.DetailLoaded(detail))

    def on_money_screen_detail_loaded(self, message: DetailLoaded) -> None:
        detail = message.detail
        lines = [
            f"{detail.method_label} withdrawal of {detail.amount_text}, {detail.status};"
            f" placed {_time(detail.placed_at)}.",
            f"Expected by {_time(detail.expected_by)}"
            + (f" (the schedule says {detail.expected_text})." if detail.expected_text else "."),
            f"Fee charged {detail.fee_charged_text};"
            f" the schedule says {detail.fee_scheduled_text or 'nothing for this'}.",
        ]
        if detail.fee_differs:
            lines.append("The fee charged differs from the schedule: open a dispute for the difference.")
        if detail.delayed:
            lines.append("DELAYED: past its expected time. Put it on follow-up to give the caller a new estimate.")
        self.query_one("#follow-up").display = detail.delayed or detail.status in ("pending", "processing", "delayed")
        self.tell("detail-text", "\n".join(lines), "$text-warning" if detail.delayed else "")

    @on(Button.Pressed, "#follow-up-button")
    @on(Input.Submitted, "#follow-up-note")
    def follow_up_asked(self) -> None:
        row = self.selected_row
        if row is None:
            return
        hours = self.query_one("#follow-up-estimate", Select).value
        note = self.query_one("#follow-up-note", Input).value
        self.put_on_follow_up(row.transaction_id, int(hours) if isinstance(hours, int) else 48, note)

    @work(thread=True, exclusive=True, exit_on_error=False, group=FOLLOW_UP_GROUP)
    def put_on_follow_up(self, transaction_id: int, hours: int, note: str) -> None:
        now = self.now()
        estimate = now + timedelta(hours=hours)
        try:
            done = follow_up_withdrawal(
                self.database.sessions,
                self.call_ticket_id,
                self.agent_id,
                self.caller_id,
                transaction_id,
                estimate,
                estimate.date(),
                note,
                now,
            )
        except ServiceError as refused:
            self.post_message(self.Problem("detail-message", str(refused)))
            return
        self.post_message(
            self.FollowedUp(
                f"On follow-up: the caller was told to expect it by {_time(done.new_estimate)};"
                f" the ticket is {done.ticket_status}, due {done.due}."
            )
        )

    def on_money_screen_followed_up(self, message: FollowedUp) -> None:
        self.query_one("#follow-up-note", Input).value = ""
        self.tell("detail-message", message.text, "$text-success")
        self.load_statement(self.filters, None)

    @on(Button.Pressed, "#dispute-button")
    @on(Input.Submitted, "#dispute-amount, #dispute-description")
    def dispute_asked(self) -> None:
        row = self.selected_row
        if row is None:
            return
        self.start_dispute(
            row.transaction_id,
            self.query_one("#dispute-amount", Input).value,
            self.query_one("#dispute-description", Input).value,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group=DISPUTE_OPEN_GROUP)
    def start_dispute(self, transaction_id: int, amount: str, description: str) -> None:
        try:
            dispute = open_dispute(
                self.database.sessions,
                self.call_ticket_id,
                self.agent_id,
                self.caller_id,
                transaction_id,
                amount,
                description,
                self.now(),
            )
        except ServiceError as refused:
            self.post_message(self.Problem("detail-message", str(refused)))
            return
        self.post_message(self.DisputeOpened(dispute))

    def on_money_screen_dispute_opened(self, message: DisputeOpened) -> None:
        # Only now is what the agent typed done with.
        self.query_one("#dispute-amount", Input).value = ""
        self.query_one("#dispute-description", Input).value = ""
        dispute = message.dispute
        self.tell(
            "detail-message",
            f"Dispute D{dispute.dispute_id} opened for {dispute.claimed_text}; the customer has been told.",
            "$text-success",
        )
        self.load_disputes(select=dispute.dispute_id)
        self.action_show("disputes")

    # Disputes

    @work(thread=True, exclusive=True, exit_on_error=False, group=DISPUTES_GROUP)
    def load_disputes(self, select: int | None = None) -> None:
        try:
            found = caller_disputes(
                self.database.sessions, self.call_ticket_id, self.agent_id, self.caller_id, self.now()
            )
        except ServiceError as refused:
            self.post_message(self.Problem("dispute-message", str(refused)))
            return
        self.post_message(self.DisputesLoaded(found, select))

    def on_money_screen_disputes_loaded(self, message: DisputesLoaded) -> None:
        keep = message.select or (self.selected_dispute.dispute_id if self.selected_dispute else None)
        self.disputes = message.disputes
        table = self.query_one("#dispute-table", DataTable)
        table.clear()
        for dispute in self.disputes:
            table.add_row(
                *map(
                    cell_text,
                    (
                        f"D{dispute.dispute_id}",
                        f"{dispute.opened_at:%Y-%m-%d}",
                        dispute.reference,
                        dispute.claimed_text,
                        dispute.status_label,
                    ),
                )
            )
        if not self.disputes:
            self.tell("dispute-message", "No disputes on this account.")
        elif message.select is None:
            self.tell("dispute-message", "")
        if keep is not None:
            self.select_dispute(keep)

    def select_dispute(self, dispute_id: int) -> None:
        for index, dispute in enumerate(self.disputes):
            if dispute.dispute_id == dispute_id:
                self.query_one("#dispute-table", DataTable).move_cursor(row=index)
                self.show_dispute(dispute)

    @on(DataTable.RowHighlighted, "#dispute-table")
    def dispute_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.disputes):
            self.show_dispute(self.disputes[event.cursor_row])

    def show_dispute(self, dispute: DisputeView) -> None:
        if self.selected_dispute is None or self.selected_dispute.dispute_id != dispute.dispute_id:
            self.adjustment_key = uuid.uuid4().hex  # another dispute: another adjustment
            self.fill_edit_form(dispute)
        elif self._adopt_version:
            # After a refused save: the agent has now seen the other change; their text stays as typed.
            self.edit_version, self._adopt_version = dispute.version, False
        self.selected_dispute = dispute
        self.query_one("#edit-form").display = not dispute.settled
        parts: list[Content] = [
            safe_text(
                f"D{dispute.dispute_id}: {dispute.transaction_kind.replace('_', ' ')} of {dispute.transaction_text}"
                f" on {_time(dispute.transaction_at)}; claims {dispute.claimed_text}.",
                style="bold",
            ),
            safe_text(dispute.description, multiline=True),
        ]
        for event in dispute.timeline:
            who = f" by {event.agent_username}" if event.agent_username else ""
            parts.append(
                safe_text(
                    f"{_time(event.occurred_at)}  {event.status_label}{who}{': ' + event.note if event.note else ''}"
                )
            )
        for adjustment in dispute.adjustments:
            parts.append(
                safe_text(
                    f"Adjustment {adjustment.amount_text}: {adjustment.status.replace('_', ' ')}"
                    f" (requested by {adjustment.requested_by})",
                    style="italic",
                )
            )
        self.query_one("#dispute-timeline", Static).update(Content("\n").join(parts))
        self.query_one("#adjust-form").display = dispute.status in ("open", "investigating")

    def fill_edit_form(self, dispute: DisputeView) -> None:
        self.query_one("#edit-claimed", Input).value = dispute.claimed_plain
        self.query_one("#edit-description", Input).value = clean_text(dispute.description)
        self.edit_version = dispute.version

    @on(Button.Pressed, "#edit-button")
    @on(Input.Submitted, "#edit-claimed, #edit-description")
    def edit_asked(self) -> None:
        dispute = self.selected_dispute
        if dispute is None or self.edit_version is None:
            return
        self.save_dispute(
            dispute.dispute_id,
            self.edit_version,
            self.query_one("#edit-claimed", Input).value,
            self.query_one("#edit-description", Input).value,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group=DISPUTE_SAVE_GROUP)
    def save_dispute(self, dispute_id: int, version: int, claimed: str, description: str) -> None:
        try:
            saved = update_dispute(
                self.database.sessions,
                self.agent_id,
                dispute_id,
                version,
                self.now(),
                ticket_id=self.ticket_id,
                claimed_amount_text=claimed,
                description=description,
            )
        except Conflict as stale:
            self.post_message(self.DisputeConflict(str(stale)))
            return
        except ServiceError as refused:
            self.post_message(self.Problem("dispute-message", str(refused)))
            return
        self.post_message(self.DisputeSaved(saved))

    def on_money_screen_dispute_saved(self, message: DisputeSaved) -> None:
        self.fill_edit_form(message.dispute)
        self.tell("dispute-message", f"Dispute D{message.dispute.dispute_id} saved.", "$text-success")
        self.load_disputes(select=message.dispute.dispute_id)

    def on_money_screen_dispute_conflict(self, message: DisputeConflict) -> None:
        self.tell("dispute-message", message.text, "$text-warning")
        self._adopt_version = True
        if self.selected_dispute is not None:
            self.load_disputes(select=self.selected_dispute.dispute_id)

    @on(Button.Pressed, "#adjust-button")
    @on(Input.Submitted, "#adjust-amount, #adjust-reason")
    def adjust_asked(self) -> None:
        dispute = self.selected_dispute
        if dispute is None:
            return
        self.adjust(
            dispute.dispute_id,
            self.query_one("#adjust-amount", Input).value,
            self.query_one("#adjust-reason", Input).value,
            self.adjustment_key,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group=ADJUST_GROUP)
    def adjust(self, dispute_id: int, amount: str, reason: str, key: str) -> None:
        try:
            made = propose_adjustment(
                self.database.sessions,
                self.hotline.settings.approval_thresholds,
                self.call_ticket_id,
                self.agent_id,
                dispute_id,
                amount,
                reason,
                key,
                self.now(),
            )
        except ServiceError as refused:
            self.post_message(self.Problem("dispute-message", str(refused)))
            return
        self.post_message(self.Adjusted(made))

    def on_money_screen_adjusted(self, message: Adjusted) -> None:
        made = message.adjustment
        self.adjustment_key = uuid.uuid4().hex
        self.query_one("#adjust-amount", Input).value = ""
        self.query_one("#adjust-reason", Input).value = ""
        if made.awaiting_approval:
            text = f"Adjustment of {made.amount_text} proposed: it waits for a supervisor's approval."
        else:
            text = f"Adjustment of {made.amount_text} posted to the account."
        self.tell("dispute-message", text, "$text-success")
        self.load_disputes(select=made.dispute_id)

    def on_money_screen_problem(self, message: Problem) -> None:
        self.tell(message.where, message.text, "$text-warning")
