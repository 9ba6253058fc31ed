"""DisputesPane: the caller's disputes, a dispute's timeline, editing it, and proposing an adjustment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Static, TabPane

from console.i18n import _
from console.services.adjustments import propose_adjustment
from console.services.disputes import AdjustmentOnDispute, DisputeView, caller_disputes, update_dispute
from console.services.errors import Conflict, InvalidInput, ServiceError
from console.services.labels import approval_status_label, transaction_kind_label
from console.services.money import format_amount, parse_amount
from console.text import cell_text, clean_text, safe_text
from screens.base import Notice, OnHotline
from screens.confirm import ConfirmAction
from screens.fields import labelled
from screens.money.call import SUCCESS, WARNING, MoneyCall, moment_text

DISPUTES_GROUP = "money.disputes"
DISPUTE_SAVE_GROUP = "money.dispute_save"
ADJUST_GROUP = "money.adjust"


class DisputesPane(OnHotline, TabPane):
    """The caller's disputes; the one highlighted shows its timeline and the forms that act on it."""

    @dataclass
    class Adjusted(Message):
        """An adjustment was proposed (and perhaps posted): the statement shows its line."""

        made: AdjustmentOnDispute

    def __init__(self, call: MoneyCall) -> None:
        super().__init__(_("Disputes"), id="disputes")
        self.call = call
        self.disputes: list[DisputeView] = []
        self.selected_dispute: DisputeView | None = None
        # One key per adjustment being typed: a double-pressed save posts once; a new key after success.
        self.adjustment_key = uuid.uuid4().hex
        # The version of the dispute the agent's edit is based on; a save against an older one is refused.
        self.edit_version: int | None = None
        self._adopt_version = False
        self.said_none = False  # the notice says there are no disputes

    def compose(self) -> ComposeResult:
        yield DataTable(id="dispute-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="dispute-timeline")
        with Horizontal(id="edit-form", classes="filters"):
            yield labelled(Input(placeholder=_("e.g. 10"), id="edit-claimed", max_length=32), _("Claimed amount"))
            yield labelled(
                Input(placeholder=_("in the caller's words"), id="edit-description", max_length=2000),
                _("What the caller says"),
            )
            yield Button(_("Save dispute"), id="edit-button")
        with Horizontal(id="adjust-form", classes="filters"):
            yield labelled(Input(placeholder=_("e.g. 10"), id="adjust-amount", max_length=32), _("Adjustment amount"))
            yield labelled(
                Input(placeholder=_("why the system was wrong"), id="adjust-reason", max_length=1000), _("Reason")
            )
            yield Button(_("Propose adjustment"), id="adjust-button")
        yield Notice(id="dispute-message", classes="outcome")

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#dispute-table", DataTable)

    def say(self, text: str, style: str = "") -> None:
        self.query_one("#dispute-message", Notice).say(text, style=style, multiline=True)

    def refused(self, refusal: ServiceError) -> None:
        self.say(str(refusal), WARNING)

    def on_mount(self) -> None:
        self.table.add_columns(_("Dispute"), _("Opened"), _("Row"), _("Claimed"), _("Status"))
        self.query_one("#adjust-form").display = False
        self.query_one("#edit-form").display = False

    def load(self, select: int | None = None) -> None:
        call = self.call
        self.run_service(
            lambda: caller_disputes(
                self.database.sessions,
                call.at(self.hotline.wall_clock()),
            ),
            lambda found: self.show(found, select),
            refused=self.refused,
            group=DISPUTES_GROUP,
        )

    def show(self, disputes: list[DisputeView], select: int | None) -> None:
        keep = select or (self.selected_dispute.dispute_id if self.selected_dispute else None)
        self.disputes = disputes
        table = self.table
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
            self.say(_("No disputes on this account."))
            self.said_none = True
        elif select is None or self.said_none:
            self.say("")  # never "No disputes" under a listed dispute
            self.said_none = False
        if keep is not None:
            self.select_dispute(keep)

    def adopt(self, dispute: DisputeView) -> None:
        """Show a dispute as a command just returned it (opened, edited, adjusted): no second read."""
        others = [shown for shown in self.disputes if shown.dispute_id != dispute.dispute_id]
        if len(others) == len(self.disputes):
            others.insert(0, dispute)  # newly opened: newest first
            changed = others
        else:
            changed = [dispute if shown.dispute_id == dispute.dispute_id else shown for shown in self.disputes]
        # Unsettled first, as `caller_disputes` orders them.
        self.show(sorted(changed, key=lambda shown: shown.settled), dispute.dispute_id)

    def select_dispute(self, dispute_id: int) -> None:
        for index, dispute in enumerate(self.disputes):
            if dispute.dispute_id == dispute_id:
                self.table.move_cursor(row=index)
                self.show_dispute(dispute)

    @on(DataTable.RowHighlighted, "#dispute-table")
    def dispute_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.disputes):
            self.show_dispute(self.disputes[event.cursor_row])

    def show_dispute(self, dispute: DisputeView) -> None:
        if self.selected_dispute is None or self.selected_dispute.dispute_id != dispute.dispute_id:
            self.adjustment_key = uuid.uuid4().hex  # another dispute: another adjustment
            self.fill_edit_form(dispute)
            if self.selected_dispute is not None:
                self.say("")  # what was said about the last dispute is not about this one
        elif self._adopt_version:
            # After a refused save: the agent has now seen the other change; their text stays as typed.
            self.edit_version, self._adopt_version = dispute.version, False
        self.selected_dispute = dispute
        self.query_one("#edit-form").display = not dispute.settled
        parts: list[Content] = [
            safe_text(
                _("D{dispute_id}: {replace} of {transaction_text} on {moment_text}; claims {claimed_text}.").format(
                    dispute_id=dispute.dispute_id,
                    replace=transaction_kind_label(dispute.transaction_kind).lower(),
                    transaction_text=dispute.transaction_text,
                    moment_text=moment_text(dispute.transaction_at),
                    claimed_text=dispute.claimed_text,
                ),
                style="bold",
            ),
            safe_text(dispute.description, multiline=True),
        ]
        for event in dispute.timeline:
            who = _(" by {agent_username}").format(agent_username=event.agent_username) if event.agent_username else ""
            parts.append(
                safe_text(
                    f"{moment_text(event.occurred_at)}  {event.status_label}{who}"
                    f"{_(': ') + event.note if event.note else ''}"
                )
            )
        for adjustment in dispute.adjustments:
            parts.append(
                safe_text(
                    _("Adjustment {amount_text}: {replace} (requested by {requested_by})").format(
                        amount_text=adjustment.amount_text,
                        replace=approval_status_label(adjustment.status).lower(),
                        requested_by=adjustment.requested_by,
                    ),
                    style="italic",
                )
            )
        self.query_one("#dispute-timeline", Static).update(Content("\n").join(parts))
        self.query_one("#adjust-form").display = dispute.status in ("open", "investigating")

    def ready_to_adjust(self, dispute: DisputeView) -> None:
        """A dispute just opened: the adjustment offered is its claim; the agent types only the reason."""
        if dispute.status in ("open", "investigating"):
            self.query_one("#adjust-amount", Input).value = dispute.claimed_plain
            self.query_one("#adjust-reason", Input).focus()

    def fill_edit_form(self, dispute: DisputeView) -> None:
        self.query_one("#edit-claimed", Input).value = dispute.claimed_plain
        self.query_one("#edit-description", Input).value = clean_text(dispute.description)
        self.edit_version = dispute.version

    # Editing the dispute

    @on(Button.Pressed, "#edit-button")
    @on(Input.Submitted, "#edit-claimed, #edit-description")
    def edit_asked(self) -> None:
        dispute = self.selected_dispute
        version = self.edit_version
        if dispute is None or version is None:
            return
        claimed = self.query_one("#edit-claimed", Input).value
        description = self.query_one("#edit-description", Input).value
        call = self.call
        self.run_service(
            lambda: update_dispute(
                self.database.sessions,
                call.at(self.hotline.wall_clock()),
                dispute.dispute_id,
                version,
                claimed_amount_text=claimed,
                description=description,
            ),
            self.dispute_saved,
            refused=self.save_refused,
            group=DISPUTE_SAVE_GROUP,
        )

    def dispute_saved(self, dispute: DisputeView) -> None:
        self.fill_edit_form(dispute)
        self.adopt(dispute)
        self.say(_("Dispute D{dispute_id} saved.").format(dispute_id=dispute.dispute_id), SUCCESS)

    def save_refused(self, refusal: ServiceError) -> None:
        self.say(str(refusal), WARNING)
        if isinstance(refusal, Conflict):
            # Someone changed it first: show their change; the agent's text stays as typed.
            self._adopt_version = True
            if self.selected_dispute is not None:
                self.load(select=self.selected_dispute.dispute_id)

    # Proposing an adjustment

    @on(Button.Pressed, "#adjust-button")
    @on(Input.Submitted, "#adjust-amount, #adjust-reason")
    def adjust_asked(self) -> None:
        dispute = self.selected_dispute
        if dispute is None:
            return
        amount = self.query_one("#adjust-amount", Input).value
        reason = self.query_one("#adjust-reason", Input).value
        try:
            minor = parse_amount(amount, dispute.asset_scale, dispute.asset_code)
        except InvalidInput as problem:
            self.say(str(problem), WARNING)  # the service says the same; no need to ask first
            return
        if not reason.strip():
            reason_box = self.query_one("#adjust-reason", Input)
            if not reason_box.has_focus:  # Enter in the amount moves on to the reason
                reason_box.focus()
                return
            self.say(_("Type the reason for the adjustment first."), WARNING)
            return
        shown = f"{format_amount(minor, dispute.asset_scale)} {dispute.asset_code}"
        self.say("")
        account = self.call.account_number or _("the caller's account")
        self.app.push_screen(
            ConfirmAction(
                _("Propose the adjustment?"),
                _("Credit {amount} to {account} for dispute D{dispute}").format(
                    amount=shown, account=account, dispute=dispute.dispute_id
                ),
                reason,
                follows=_(
                    "Then: below the approval threshold it is posted to the account at once and the dispute is"
                    " settled; at or above it, it waits for a supervisor. The customer is told."
                ),
            ),
            callback=lambda yes: self.propose(dispute, amount, reason) if yes else self.say(_("Nothing was posted.")),
        )

    def propose(self, dispute: DisputeView, amount: str, reason: str) -> None:
        key, call = self.adjustment_key, self.call
        self.run_service(
            lambda: propose_adjustment(
                self.database.sessions,
                self.hotline.settings.approval_thresholds,
                call.at(self.hotline.wall_clock()),
                dispute.dispute_id,
                amount,
                reason,
                key,
            ),
            self.adjusted,
            refused=self.refused,
            group=ADJUST_GROUP,
        )

    def adjusted(self, made: AdjustmentOnDispute) -> None:
        self.adjustment_key = uuid.uuid4().hex
        self.query_one("#adjust-amount", Input).value = ""
        self.query_one("#adjust-reason", Input).value = ""
        if made.awaiting_approval:
            text = _("Adjustment of {amount_text} proposed: it waits for a supervisor's approval.").format(
                amount_text=made.adjustment.amount_text
            )
        else:
            text = _("Adjustment of {amount_text} posted to the account.").format(
                amount_text=made.adjustment.amount_text
            )
        self.adopt(made.dispute)
        self.say(text, SUCCESS)
        self.post_message(self.Adjusted(made))
