"""The account's logins (with 2FA and phone facts) and its recent transactions, as the review shows them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from console.i18n import _
from console.services.labels import transaction_kind_label, transaction_status_label
from console.services.security_review import SecurityReview
from console.text import cell_text


class LoginsPanel(Vertical):
    """2FA, the bound phone, failed logins, and the logins themselves."""

    def __init__(self) -> None:
        super().__init__(id="security", classes="section")

    def compose(self) -> ComposeResult:
        yield Static(_("Logins"), classes="section-title")
        yield Static(id="security-facts")
        yield DataTable(id="logins", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        # What the agent looks for first (when, did it work, was it unusual) before where and on what.
        self.query_one("#logins", DataTable).add_columns(
            _("Time (UTC)"), _("Result"), _("Flag"), _("Region"), _("Device")
        )

    def tone(self, variable: str) -> str:
        """A theme colour for a table cell (rich styles cannot name theme variables)."""
        return self.app.theme_variables.get(variable, "")

    def show(self, review: SecurityReview) -> None:
        on = Content.styled(_("on"), "bold $text-success")
        off = Content.styled(_("off"), "bold $text-warning")
        failed = review.failed_logins_30_days
        self.query_one("#security-facts", Static).update(
            Content.assemble(
                _("2FA "),
                on if review.two_factor else off,
                _(" · phone "),
                Content(_("bound")) if review.phone_bound else Content.styled(_("not bound"), "$text-warning"),
                _(" · failed logins in 30 days: "),
                Content.styled(str(failed), "bold $text-error") if failed else Content("0"),
            )
        )
        error, warning = self.tone("text-error"), self.tone("text-warning")
        table = self.query_one("#logins", DataTable)
        table.clear()
        for login in review.logins:
            table.add_row(
                f"{login.occurred_at:%Y-%m-%d %H:%M}",
                cell_text(_("Success")) if login.success else cell_text(_("Failed"), f"bold {error}"),
                cell_text(_("unusual"), f"bold {warning}") if login.unusual else "",
                cell_text(login.region),
                cell_text(login.device),
            )
        if not review.logins:
            table.add_row(_("No logins on record."), "", "", "", "")


class RecentTransactions(Vertical):
    """The account's latest transactions."""

    def __init__(self) -> None:
        super().__init__(id="recent", classes="section")

    def compose(self) -> ComposeResult:
        yield Static(_("Recent transactions"), classes="section-title")
        yield DataTable(id="transactions", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#transactions", DataTable).add_columns(
            _("Time (UTC)"), _("Type"), _("Status"), _("Amount"), _("Ref.")
        )

    def show(self, review: SecurityReview) -> None:
        table = self.query_one("#transactions", DataTable)
        table.clear()
        for row in review.transactions:
            table.add_row(
                f"{row.created_at:%Y-%m-%d %H:%M}",
                cell_text(transaction_kind_label(row.kind)),
                cell_text(transaction_status_label(row.status)),
                cell_text(row.amount_text, right=True),
                f"T{row.transaction_id}",
            )
        if not review.transactions:
            table.add_row(_("No transactions."), "", "", "", "")
