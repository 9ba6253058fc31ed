"""StatementPane: the verified caller's statement, a withdrawal's detail and follow-up, and opening a dispute."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Select, Static, TabPane

from console.i18n import _
from console.services.disputes import DisputeView, open_dispute
from console.services.errors import ServiceError
from console.services.labels import (
    method_label,
    transaction_kind_choices,
    transaction_kind_label,
    transaction_status_choices,
    transaction_status_label,
)
from console.services.statement import StatementCursor, StatementFilter, StatementPage, StatementRow, statement
from console.services.withdrawals import FollowUp, WithdrawalDetail, follow_up_withdrawal, withdrawal_detail
from console.text import cell_text, clean_text, safe_text
from screens.base import Notice, OnHotline
from screens.fields import LabelledSelect, labelled
from screens.money.call import SUCCESS, WARNING, MoneyCall, moment_text, typed_day

STATEMENT_GROUP = "money.statement"
DETAIL_GROUP = "money.detail"
FOLLOW_UP_GROUP = "money.follow_up"
DISPUTE_OPEN_GROUP = "money.dispute_open"

PAGE_SIZE = 50


def kind_options() -> list[tuple[str, str]]:
    return [(_("Any type"), ""), *transaction_kind_choices()]


def status_options() -> list[tuple[str, str]]:
    return [(_("Any status"), ""), *transaction_status_choices()]


# How much later the agent tells the caller to expect a delayed withdrawal.
NEW_ESTIMATES = [("in 24 hours", 24), ("in 48 hours", 48), ("in 3 days", 72), ("in 5 days", 120)]


class StatementPane(OnHotline, TabPane):
    """The statement, newest first, with filters; a row's detail, its follow-up and a dispute about it."""

    @dataclass
    class DisputeOpened(Message):
        dispute: DisputeView

    def __init__(self, call: MoneyCall) -> None:
        super().__init__("Statement", id="statement")
        self.call = call
        self.rows: list[StatementRow] = []
        self.cursor: StatementCursor | None = None
        self.filters = StatementFilter()
        self.selected_row: StatementRow | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="statement-filters", classes="filters"):
            yield labelled(Input(placeholder="YYYY-MM-DD", id="filter-from", max_length=10), _("From"))
            yield labelled(Input(placeholder="YYYY-MM-DD", id="filter-to", max_length=10), _("To"))
            yield LabelledSelect(kind_options(), id="filter-kind", allow_blank=False, value="", label=_("Type"))
            yield LabelledSelect(status_options(), id="filter-status", allow_blank=False, value="", label=_("Status"))
            yield labelled(Input(placeholder="e.g. 8000", id="filter-amount", max_length=32), _("Amount"))
            yield Button(_("Filter"), id="filter-button")
        yield DataTable(id="statement-table", cursor_type="row", zebra_stripes=True)
        yield Button("More rows", id="statement-more")
        yield Notice(id="statement-message", classes="outcome")
        with VerticalScroll(id="row-detail"):
            yield Static(id="detail-text")
            with Horizontal(id="follow-up", classes="filters"):
                yield LabelledSelect(
                    NEW_ESTIMATES, id="follow-up-estimate", allow_blank=False, value=48, label=_("New estimate")
                )
                yield labelled(
                    Input(placeholder=_("what the caller is told"), id="follow-up-note", max_length=500),
                    _("Note for the follow-up"),
                )
                yield Button("Put on follow-up", id="follow-up-button")
            with Horizontal(id="dispute-form", classes="filters"):
                yield labelled(
                    Input(placeholder=_("e.g. 10"), id="dispute-amount", max_length=32), _("Amount disputed")
                )
                yield labelled(
                    Input(placeholder=_("in the caller's words"), id="dispute-description", max_length=2000),
                    _("What the caller says"),
                )
                yield Button("Open dispute", id="dispute-button")
            yield Notice(id="detail-message", classes="outcome")

    @property
    def statement_notice(self) -> Notice:
        return self.query_one("#statement-message", Notice)

    @property
    def detail_notice(self) -> Notice:
        return self.query_one("#detail-message", Notice)

    def on_mount(self) -> None:
        # What the caller asks about first; the method and reference last, where a narrow screen cuts.
        self.query_one("#statement-table", DataTable).add_columns(
            _("Date (UTC)"), _("Type"), _("Amount"), _("Fee"), _("Status"), _("Method"), _("Reference")
        )
        self.query_one("#row-detail").display = False
        self.query_one("#statement-more").display = False

    def statement_refused(self, refusal: ServiceError) -> None:
        self.statement_notice.say(str(refusal), style=WARNING, multiline=True)

    def detail_refused(self, refusal: ServiceError) -> None:
        self.detail_notice.say(str(refusal), style=WARNING, multiline=True)

    # The statement

    def load(self, after: StatementCursor | None = None) -> None:
        call, filters = self.call, self.filters
        self.run_service(
            lambda: statement(
                self.database.sessions,
                call.at(self.hotline.wall_clock()),
                filters,
                page_size=PAGE_SIZE,
                after=after,
            ),
            lambda page: self.show(page, appended=after is not None),
            refused=self.statement_refused,
            group=STATEMENT_GROUP,
        )

    def show(self, page: StatementPage, *, appended: bool) -> None:
        table = self.query_one("#statement-table", DataTable)
        if not appended:
            table.clear()
            self.rows = []
        for row in page.rows:
            self.rows.append(row)
            table.add_row(
                *map(
                    cell_text,
                    (
                        f"{row.created_at:%Y-%m-%d %H:%M}",
                        transaction_kind_label(row.kind),
                        row.amount_text,
                        row.fee_text,
                        transaction_status_label(row.status),
                        method_label(row.method),
                        row.reference,
                    ),
                )
            )
        self.cursor = page.next_cursor
        self.query_one("#statement-more").display = self.cursor is not None
        shown = len(self.rows)
        self.statement_notice.say(
            f"{shown} row{'s' if shown != 1 else ''} shown{'; more below (More rows)' if self.cursor else ''}."
            if shown
            else "No rows match.",
            multiline=True,
        )

    @on(Button.Pressed, "#filter-button")
    @on(Input.Submitted, "#filter-from, #filter-to, #filter-amount")
    def filters_changed(self) -> None:
        try:
            date_from = typed_day(self.query_one("#filter-from", Input).value, "From")
            date_to = typed_day(self.query_one("#filter-to", Input).value, "To")
        except ValueError as bad:
            self.statement_notice.say(str(bad), style=WARNING, multiline=True)
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
        self.load()

    @on(Button.Pressed, "#statement-more")
    def more_rows(self) -> None:
        if self.cursor is not None:
            self.load(self.cursor)

    # A row

    @on(DataTable.RowSelected, "#statement-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.rows):
            return
        row = self.rows[event.cursor_row]
        self.selected_row = row
        self.query_one("#row-detail").display = True
        self.query_one("#follow-up").display = False
        self.detail_notice.say("", multiline=True)
        self.show_detail_text(
            _("{kind} of {amount} on {moment}, {status}. Reference {reference}.").format(
                kind=transaction_kind_label(row.kind),
                amount=row.amount_text,
                moment=moment_text(row.created_at),
                status=transaction_status_label(row.status).lower(),
                reference=row.reference,
            )
        )
        self.query_one("#dispute-amount", Input).value = ""
        if row.kind == "withdrawal":
            self.load_detail(row.transaction_id)
        self.query_one("#dispute-amount", Input).focus()

    def show_detail_text(self, text: str, style: str = "") -> None:
        self.query_one("#detail-text", Static).update(safe_text(text, style=style, multiline=True))

    def load_detail(self, transaction_id: int) -> None:
        call = self.call
        self.run_service(
            lambda: withdrawal_detail(
                self.database.sessions,
                call.at(self.hotline.wall_clock()),
                transaction_id,
            ),
            self.show_detail,
            refused=self.detail_refused,
            group=DETAIL_GROUP,
        )

    def show_detail(self, detail: WithdrawalDetail) -> None:
        lines = [
            _("{method} withdrawal of {amount}, {status}; placed {moment}.").format(
                method=detail.method_label,
                amount=detail.amount_text,
                status=transaction_status_label(detail.status).lower(),
                moment=moment_text(detail.placed_at),
            ),
            f"Expected by {moment_text(detail.expected_by)}"
            + (f" (the schedule says {detail.expected_text})." if detail.expected_text else "."),
            f"Fee charged {detail.fee_charged_text};"
            f" the schedule says {detail.fee_scheduled_text or 'nothing for this'}.",
        ]
        if detail.fee_differs:
            lines.append("The fee charged differs from the schedule: open a dispute for the difference.")
        if detail.delayed:
            lines.append("DELAYED: past its expected time. Put it on follow-up to give the caller a new estimate.")
        self.query_one("#follow-up").display = detail.delayed or detail.status in ("pending", "processing", "delayed")
        self.show_detail_text("\n".join(lines), WARNING if detail.delayed else "")

    @on(Button.Pressed, "#follow-up-button")
    @on(Input.Submitted, "#follow-up-note")
    def follow_up_asked(self) -> None:
        row = self.selected_row
        if row is None:
            return
        estimate_hours = self.query_one("#follow-up-estimate", Select).value
        hours = int(estimate_hours) if isinstance(estimate_hours, int) else 48
        note = self.query_one("#follow-up-note", Input).value
        call = self.call

        def follow_up() -> FollowUp:
            now = self.hotline.wall_clock()
            estimate = now + timedelta(hours=hours)
            return follow_up_withdrawal(
                self.database.sessions,
                call.at(now),
                row.transaction_id,
                estimate,
                estimate.date(),
                note,
            )

        self.run_service(follow_up, self.followed_up, refused=self.detail_refused, group=FOLLOW_UP_GROUP)

    def followed_up(self, done: FollowUp) -> None:
        self.query_one("#follow-up-note", Input).value = ""
        self.detail_notice.say(
            f"On follow-up: the caller was told to expect it by {moment_text(done.new_estimate)};"
            f" the ticket is {done.ticket_status}, due {done.due}.",
            style=SUCCESS,
            multiline=True,
        )
        # The row as the command left it: the new estimate, without reading the statement again.
        self.rows = [
            replace(shown, expected_by=done.new_estimate) if shown.transaction_id == done.transaction_id else shown
            for shown in self.rows
        ]
        if self.selected_row is not None and self.selected_row.transaction_id == done.transaction_id:
            self.selected_row = replace(self.selected_row, expected_by=done.new_estimate)

    @on(Button.Pressed, "#dispute-button")
    @on(Input.Submitted, "#dispute-amount, #dispute-description")
    def dispute_asked(self) -> None:
        row = self.selected_row
        if row is None:
            return
        amount = self.query_one("#dispute-amount", Input).value
        description = self.query_one("#dispute-description", Input).value
        call = self.call
        self.run_service(
            lambda: open_dispute(
                self.database.sessions,
                call.at(self.hotline.wall_clock()),
                row.transaction_id,
                amount,
                description,
            ),
            self.dispute_opened,
            refused=self.detail_refused,
            group=DISPUTE_OPEN_GROUP,
        )

    def dispute_opened(self, dispute: DisputeView) -> None:
        # Only now is what the agent typed done with.
        self.query_one("#dispute-amount", Input).value = ""
        self.query_one("#dispute-description", Input).value = ""
        self.detail_notice.say(
            f"Dispute D{dispute.dispute_id} opened for {dispute.claimed_text}; the customer has been told.",
            style=SUCCESS,
            multiline=True,
        )
        self.post_message(self.DisputeOpened(dispute))
