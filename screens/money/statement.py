"""StatementPane: the verified caller's statement, a withdrawal's detail and follow-up, and opening a dispute."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Select, Static, TabPane

from console.i18n import N_, _
from console.services.disputes import DisputeView, open_dispute
from console.services.errors import ServiceError
from console.services.labels import (
    method_label,
    ticket_status_label,
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
NEW_ESTIMATES = [(N_("in 24 hours"), 24), (N_("in 48 hours"), 48), (N_("in 3 days"), 72), (N_("in 5 days"), 120)]


class StatementPane(OnHotline, TabPane):
    """The statement, newest first, with filters; a row's detail, its follow-up and a dispute about it."""

    @dataclass
    class DisputeOpened(Message):
        dispute: DisputeView

    def __init__(self, call: MoneyCall) -> None:
        super().__init__(_("Statement"), id="statement")
        self.call = call
        self.rows: list[StatementRow] = []
        self.cursor: StatementCursor | None = None
        self.filters = StatementFilter()
        self.selected_row: StatementRow | None = None
        # Something changed the statement while another tab was shown: read it again when next shown.
        self.stale = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="statement-filters", classes="filters"):
            yield labelled(Input(placeholder=_("YYYY-MM-DD"), id="filter-from", max_length=10), _("From"))
            yield labelled(Input(placeholder=_("YYYY-MM-DD"), id="filter-to", max_length=10), _("To"))
            yield LabelledSelect(kind_options(), id="filter-kind", allow_blank=False, value="", label=_("Type"))
            yield LabelledSelect(status_options(), id="filter-status", allow_blank=False, value="", label=_("Status"))
            yield labelled(Input(placeholder=_("e.g. 8000"), id="filter-amount", max_length=32), _("Amount"))
            yield Button(_("Filter"), id="filter-button")
        yield DataTable(id="statement-table", cursor_type="row", zebra_stripes=True)
        yield Button(_("More rows"), id="statement-more")
        yield Notice(id="statement-message", classes="outcome")
        with VerticalScroll(id="row-detail"):
            yield Static(id="detail-text")
            with Horizontal(id="follow-up", classes="filters"):
                yield LabelledSelect(
                    [(_(label), hours) for label, hours in NEW_ESTIMATES],
                    id="follow-up-estimate",
                    allow_blank=False,
                    value=48,
                    label=_("New estimate"),
                )
                yield labelled(
                    Input(placeholder=_("what the caller is told"), id="follow-up-note", max_length=500),
                    _("Note for the follow-up"),
                )
                yield Button(_("Put on follow-up"), id="follow-up-button")
            with Horizontal(id="dispute-form", classes="filters"):
                yield labelled(
                    Input(placeholder=_("e.g. 10"), id="dispute-amount", max_length=32), _("Amount disputed")
                )
                yield labelled(
                    Input(placeholder=_("in the caller's words"), id="dispute-description", max_length=2000),
                    _("What the caller says"),
                )
                yield Button(_("Open dispute"), id="dispute-button")
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
            _("Date (UTC)"),
            _("Type"),
            _("Amount"),
            _("Fee"),
            _("Status"),
            _("Method"),
            _("Reference"),
            _("Dispute"),
        )
        self.query_one("#row-detail").display = False
        self.query_one("#statement-more").display = False

    def statement_refused(self, refusal: ServiceError) -> None:
        self.statement_notice.say(str(refusal), style=WARNING, multiline=True)

    def detail_refused(self, refusal: ServiceError) -> None:
        self.detail_notice.say(str(refusal), style=WARNING, multiline=True)

    # The statement

    def reload(self) -> None:
        """The statement again with the same filters (an adjustment posted, a dispute opened), the row kept."""
        self.load(keep=self.selected_row.transaction_id if self.selected_row is not None else None)

    def changed_elsewhere(self, *, shown: bool) -> None:
        """A command on another tab changed the statement. Read it now only if it is on screen; otherwise
        when the agent next shows it, so that key press, not the command's, pays for the read."""
        self.stale = True
        if shown:
            self.shown()

    def shown(self) -> None:
        """The agent shows the statement: read it again if it changed meanwhile."""
        if self.stale:
            self.reload()

    def load(self, after: StatementCursor | None = None, keep: int | None = None) -> None:
        call, filters = self.call, self.filters
        if after is None:
            self.stale = False  # a first page is read as the statement stands now
        self.run_service(
            lambda: statement(
                self.database.sessions,
                call.at(self.hotline.wall_clock()),
                filters,
                page_size=PAGE_SIZE,
                after=after,
            ),
            lambda page: self.show(page, appended=after is not None, keep=keep),
            refused=self.statement_refused,
            group=STATEMENT_GROUP,
        )

    def show(self, page: StatementPage, *, appended: bool, keep: int | None = None) -> None:
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
                        f"D{row.dispute_id}" if row.dispute_id is not None else "",
                    ),
                )
            )
        self.cursor = page.next_cursor
        if keep is not None:
            for index, shown_row in enumerate(self.rows):
                if shown_row.transaction_id == keep:
                    table.move_cursor(row=index)
                    self.selected_row = shown_row
        self.query_one("#statement-more").display = self.cursor is not None
        shown = len(self.rows)
        if not shown:
            said = _("No rows match.")
        elif self.cursor:
            said = _("{count} rows shown; more below (More rows).").format(count=shown)
        else:
            said = _("1 row shown.") if shown == 1 else _("{count} rows shown.").format(count=shown)
        self.statement_notice.say(said, multiline=True)

    @on(Button.Pressed, "#filter-button")
    @on(Input.Submitted, "#filter-from, #filter-to, #filter-amount")
    def filters_changed(self) -> None:
        try:
            date_from = typed_day(self.query_one("#filter-from", Input).value, _("From"))
            date_to = typed_day(self.query_one("#filter-to", Input).value, _("To"))
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
            _("{capitalize} of {amount_text} on {moment_text}, {status}. Reference {reference}.").format(
                capitalize=transaction_kind_label(row.kind),
                amount_text=row.amount_text,
                moment_text=moment_text(row.created_at),
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
            _("{method_label} withdrawal of {amount_text}, {status}; placed {moment_text}.").format(
                method_label=detail.method_label,
                amount_text=detail.amount_text,
                status=transaction_status_label(detail.status).lower(),
                moment_text=moment_text(detail.placed_at),
            ),
            _("Expected by {moment_text}").format(moment_text=moment_text(detail.expected_by))
            + (
                _(" (the schedule says {expected_text}).").format(expected_text=detail.expected_text)
                if detail.expected_text
                else "."
            ),
            _("Fee charged {fee_charged_text}; the schedule says {value}.").format(
                fee_charged_text=detail.fee_charged_text, value=detail.fee_scheduled_text or _("nothing for this")
            ),
        ]
        if detail.fee_differs:
            lines.append(_("The fee charged differs from the schedule: open a dispute for the difference."))
        if detail.delayed:
            lines.append(_("DELAYED: past its expected time. Put it on follow-up to give the caller a new estimate."))
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
            _(
                "On follow-up: the caller was told to expect it by {moment_text}; the ticket is "
                "{ticket_status}, due {due}."
            ).format(
                moment_text=moment_text(done.new_estimate),
                ticket_status=ticket_status_label(done.ticket_status).lower(),
                due=done.due,
            ),
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
        if amount.strip() and not description.strip():
            self.query_one("#dispute-description", Input).focus()  # Enter moves on to what is still to type
            return
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
            _("Dispute D{dispute_id} opened for {claimed_text}; the customer has been told.").format(
                dispute_id=dispute.dispute_id, claimed_text=dispute.claimed_text
            ),
            style=SUCCESS,
            multiline=True,
        )
        self.post_message(self.DisputeOpened(dispute))
