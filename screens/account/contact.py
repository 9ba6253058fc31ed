"""ContactDialog: changing the caller's phone or email on file, over the call, after a confirmation."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.services.contact_changes import ContactChange, change_contact
from console.services.context import OnCall
from console.services.errors import ServiceError
from console.services.gate import NotVerified
from screens.base import HotlineModal, Notice
from screens.confirm import ConfirmAction

CONTACT_GROUP = "account.contact"
FIELD_WORDS = {"phone": N_("Phone"), "email": N_("Email")}


class ContactDialog(HotlineModal[bool]):
    """Phone or email, and the new value; Enter asks first, then changes it. Dismisses True if it changed."""

    CSS_PATH = "contact.tcss"
    AUTO_FOCUS = "#contact-value"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "close",
            N_("Back to the account"),
            id="contact.close",
            tooltip=N_("Close this dialog; what was changed here is already saved"),
        ),
    ]

    def __init__(
        self, agent_id: int, ticket_id: int, customer_id: int, phone_masked: str | None, email_masked: str | None
    ) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        self.customer_id = customer_id
        self.on_file = {"phone": phone_masked, "email": email_masked}
        self.busy = False
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="contact", classes="panel dialog") as dialog:
            dialog.border_title = _("Change the contact on file")
            yield Label(_("What to change"), id="contact-field-label", classes="field-label")
            yield RadioSet(
                RadioButton(_(FIELD_WORDS["phone"]), value=True, id="contact-phone", compact=True),
                RadioButton(_(FIELD_WORDS["email"]), id="contact-email", compact=True),
                id="contact-field",
                compact=True,
            )
            yield Label(_("New value, as the caller says it"), classes="field-label")
            yield Input(id="contact-value", max_length=254, compact=True)
            yield Notice(id="contact-outcome")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Change (Enter)"), id="contact-change", variant="primary", compact=True)
                yield Button(_("Back (Esc)"), id="contact-back", compact=True)
        yield Footer(compact=True)

    @property
    def field(self) -> str:
        pressed = self.query_one("#contact-field", RadioSet).pressed_button
        return "email" if pressed is not None and pressed.id == "contact-email" else "phone"

    @property
    def outcome(self) -> Notice:
        return self.query_one("#contact-outcome", Notice)

    @on(Input.Submitted, "#contact-value")
    @on(Button.Pressed, "#contact-change")
    def change(self) -> None:
        """Ask first, in words: what is on file, what the agent typed (to read back), and who is told."""
        if self.busy:
            return
        value = self.query_one("#contact-value", Input).value.strip()
        field = self.field
        if not value:
            self.outcome.say(_("Type the new value first."), refusal=True)
            return
        old = self.on_file[field] or _("nothing")
        if field == "phone":
            what = _("Change the phone on file from {old} to {new}; the old phone is told by SMS.")
        else:
            what = _("Change the email on file from {old} to {new}; the old email is told by email.")
        self.busy = True
        self.outcome.say("")
        self.app.push_screen(
            ConfirmAction(
                _("Change the contact?"),
                what.format(old=old, new=value),
                follows=_("Read the new value back to the caller before you go ahead."),
            ),
            callback=lambda yes: self.answered(yes, field, value),
        )

    def answered(self, yes: bool | None, field: str, value: str) -> None:
        if not yes:
            self.busy = False
            self.outcome.say(_("Nothing was changed."))
            return
        self.outcome.say(_("Changing…"))
        call = OnCall(self.agent_id, self.hotline.wall_clock(), self.ticket_id, self.customer_id)
        region = self.hotline.settings.default_region
        self.run_service(
            lambda: change_contact(self.database.sessions, call, field, value, region),
            self.done,
            refused=self.refused,
            group=CONTACT_GROUP,
        )

    def done(self, change: ContactChange) -> None:
        self.busy = False
        self.changed = True
        self.on_file[change.field] = change.new_masked
        self.query_one("#contact-value", Input).value = ""
        if change.field == "phone":
            said = _("The phone on file is now {new} (was {old}); the old phone has been told.")
        else:
            said = _("The email on file is now {new} (was {old}); the old email has been told.")
        self.outcome.say(
            said.format(new=change.new_masked, old=change.old_masked or _("nothing")), style="$text-success"
        )

    def refused(self, refusal: ServiceError) -> None:
        self.busy = False
        text = str(refusal)
        if isinstance(refusal, NotVerified):
            text = " ".join((text, _("Close this dialog and press f11 to send the caller a fresh code.")))
        self.outcome.say(text, refusal=True)
        self.query_one("#contact-value", Input).focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app reports an unexpected failure (screens.base); here the dialog takes a new try.
        if event.worker.group == CONTACT_GROUP and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            self.outcome.say("")

    @on(Button.Pressed, "#contact-back")
    def action_close(self) -> None:
        self.dismiss(self.changed)
