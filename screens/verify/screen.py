"""VerifyScreen: the verify panel over the workspace: what to say, send a code, check the caller's answer."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from console.i18n import N_, _
from console.keys import KeyRing, KeysMissing, load_keyring
from console.services.codes import MAX_FAILURES, ChallengeView, VerificationOutcome, check_code, check_totp, send_code
from console.services.context import OnCall
from console.services.errors import ServiceError
from console.services.labels import factor_label
from console.services.otp import is_six_ascii_digits, typed_code
from console.services.verification import VerificationStart, VerificationStatus, start_verification, verification_status
from console.text import safe_text
from screens.base import HotlineModal, Notice
from screens.call_keys import CallKeys, call_key_bindings
from screens.verify.script import SayNow
from screens.verify.state import VerifiedState, clock_time

VERIFY_GROUP = "verify.start"
SEND_GROUP = "verify.send"
CHECK_GROUP = "verify.check"
STATUS_GROUP = "verify.status"
# The verified state also ends after 15 idle minutes or at wrap-up: re-read it this often.
STATUS_SECONDS = 5.0

NO_FACTOR = N_("This caller has no bound phone, authenticator or email: a supervisor must verify them.")


class VerifyScreen(CallKeys, HotlineModal[None]):
    """The verify panel for one ticket and its caller; closes back to the call."""

    CSS_PATH = "verify.tcss"
    AUTO_FOCUS = "#verify-code"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "send",
            N_("Send code"),
            id="verify.send",
            priority=True,
            tooltip=N_("Send a 6-digit code to the caller's bound phone (or email without one)"),
        ),
        Binding(
            "f6",
            "language",
            N_("Script language"),
            id="verify.language",
            priority=True,
            tooltip=N_("Show the script in Simplified Chinese, Traditional Chinese or English, in turn"),
        ),
        Binding(
            "escape",
            "close",
            N_("Back to the call"),
            id="verify.close",
            tooltip=N_("Close the verify panel; the verified state stays on the ticket"),
        ),
        *call_key_bindings("verify", "wrap_up", "account", "money"),
    ]

    def __init__(self, agent_id: int, ticket_id: int, customer_id: int) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.ticket_id = ticket_id
        self.customer_id = customer_id
        self.keyring: KeyRing | None = None
        self.start: VerificationStart | None = None
        self.challenge: ChallengeView | None = None
        self.factor: str | None = None
        self.generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="verify", classes="panel") as panel:
            panel.border_title = _("Verify the caller · ticket #{ticket_id}").format(ticket_id=self.ticket_id)
            agent = self.hotline.agent
            yield VerifiedState(self.now, supervisor=agent is not None and str(agent.role) == "supervisor")
            yield Label(_("Say now"), classes="field-label")
            yield SayNow()
            yield Static(id="verify-factors", classes="muted")
            with Horizontal(id="verify-buttons"):
                yield Button(_("Send code"), id="verify-send")
                yield Button(_("Use authenticator"), id="verify-totp")
            yield Input(placeholder=_("The caller's 6 digits"), id="verify-code", max_length=20)
            yield Input(placeholder=_("Full ID number (email check only)"), id="verify-id", max_length=40)
            yield Notice(id="verify-outcome")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#verify-id").display = False
        self.query_one("#verify-totp").display = False
        self.begin()
        self.set_interval(1.0, self.state.show, name="verify.freshness")
        self.set_interval(STATUS_SECONDS, self.refresh_status, name="verify.status")

    def on_call(self, now: datetime) -> OnCall:
        """This call as the services take it, at `now` (read from the console's clock)."""
        return OnCall(agent_id=self.agent_id, now=now, ticket_id=self.ticket_id, customer_id=self.customer_id)

    def now(self) -> datetime:
        return self.hotline.wall_clock()

    @property
    def say_now(self) -> SayNow:
        return self.query_one(SayNow)

    @property
    def state(self) -> VerifiedState:
        return self.query_one(VerifiedState)

    # Service calls, each in a worker; a refusal is said in the outcome line

    def problem(self, text: str) -> None:
        self.outcome.say(text, style="$text-error", multiline=True)

    def refused(self, refusal: ServiceError) -> None:
        self.problem(str(refusal))

    def begin(self) -> None:
        """Start verifying: the script in the caller's language (the service decides) and the state."""

        def begin() -> tuple[VerificationStart, VerificationStatus, str | None]:
            keys_missing = None
            try:
                self.keyring = self.keyring or load_keyring(self.hotline.settings)
            except KeysMissing as missing:
                keys_missing = _("Codes cannot be sent or checked: {missing}").format(missing=missing)
            now = self.now()
            start = start_verification(self.database.sessions, self.on_call(now))
            status = verification_status(self.database.sessions, self.on_call(now))
            return start, status, keys_missing

        self.run_service(begin, lambda begun: self.started(*begun), refused=self.refused, group=VERIFY_GROUP)

    def refresh_status(self) -> None:
        if self.start is not None:
            generation = self.generation
            self.run_service(
                lambda: verification_status(self.database.sessions, self.on_call(self.now())),
                lambda status: self.status_read(status, generation),
                group=STATUS_GROUP,
            )

    def send(self, channel: str, purpose: str) -> None:
        keyring = self.keyring
        if keyring is None:
            self.problem(_("No encryption keys: codes cannot be sent."))
            return
        self.run_service(
            lambda: send_code(
                self.database.sessions,
                keyring,
                self.on_call(self.now()),
                channel,
                purpose,
            ),
            self.code_sent,
            refused=self.refused,
            group=SEND_GROUP,
        )

    def check(self, entered: str, id_number: str | None, challenge: ChallengeView | None) -> None:
        keyring = self.keyring
        if keyring is None:
            self.problem(_("No encryption keys: codes cannot be checked."))
            return

        def check() -> tuple[VerificationOutcome, VerificationStatus]:
            now = self.now()
            if challenge is None:
                outcome = check_totp(
                    self.database.sessions,
                    keyring,
                    self.on_call(now),
                    entered,
                )
            else:
                outcome = check_code(
                    self.database.sessions,
                    keyring,
                    challenge.challenge_id,
                    self.on_call(now),
                    entered,
                    purpose=challenge.purpose,
                    id_number=id_number,
                )
            return outcome, verification_status(self.database.sessions, self.on_call(now))

        self.run_service(check, lambda checked: self.checked(*checked), refused=self.refused, group=CHECK_GROUP)

    # What the workers report

    def status_read(self, status: VerificationStatus, generation: int) -> None:
        if generation == self.generation:  # a status read before the latest check or start is stale
            self.state.read(status)

    def started(self, start: VerificationStart, status: VerificationStatus, keys_missing: str | None) -> None:
        self.generation += 1
        self.start = start
        if keys_missing:
            self.problem(keys_missing)
        factors = start.factors
        self.factor = next((f for f in factors if f != "totp"), None)
        self.query_one("#verify-totp").display = "totp" in factors
        self.query_one("#verify-send").display = self.factor is not None
        self.query_one("#verify-id").display = self.factor == "email"
        names = ", ".join(factor_label(f) for f in factors)
        self.query_one("#verify-factors", Static).update(
            safe_text(_("Factors: {names}").format(names=names) if factors else _(NO_FACTOR))
        )
        self.say_now.begin(start, self.factor)
        self.state.read(status)

    def code_sent(self, challenge: ChallengeView) -> None:
        self.challenge = challenge
        self.say_now.show(challenge.channel)
        self.outcome.say(
            _("Code sent to {sent_to}; valid until {time}. {sends_left} more sends allowed in 15 minutes.").format(
                sent_to=challenge.sent_to, time=clock_time(challenge.expires_at), sends_left=challenge.sends_left
            ),
            style="$text-success",
            multiline=True,
        )
        self.query_one("#verify-code", Input).focus()

    def checked(self, outcome: VerificationOutcome, status: VerificationStatus) -> None:
        self.generation += 1
        self.query_one("#verify-code", Input).value = ""
        self.query_one("#verify-id", Input).value = ""
        if outcome.verified:
            self.challenge = None
            self.say_now.show("verified")
            self.outcome.say(
                _("Verified by {get} at {time}.").format(
                    get=factor_label(outcome.factor), time=clock_time(outcome.verified_at)
                ),
                style="$text-success",
                multiline=True,
            )
        elif outcome.locked_until is not None:
            self.say_now.show("locked_out")
            self.outcome.say(outcome.message, style="$text-error", multiline=True)
        else:
            self.say_now.show_failure(outcome.factor)
            self.outcome.say(
                _("Not verified: {message} (Failures: {failures} of {MAX_FAILURES}.)").format(
                    message=outcome.message, failures=outcome.failures, MAX_FAILURES=MAX_FAILURES
                ),
                style="$text-warning",
                multiline=True,
            )
        self.state.read(status)

    # Showing

    @property
    def outcome(self) -> Notice:
        return self.query_one("#verify-outcome", Notice)

    # Actions

    def purpose(self) -> str:
        return "step_up" if self.state.needs_fresh_code() else "verify"

    def action_send(self) -> None:
        if self.factor is None:
            self.outcome.say(_(NO_FACTOR), style="$text-error", multiline=True)
            return
        self.send(self.factor, self.purpose())

    def action_language(self) -> None:
        self.say_now.next_language()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#verify-send")
    def send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#verify-totp")
    def totp_pressed(self) -> None:
        self.challenge = None
        self.say_now.show("totp")
        self.outcome.say(_("Ask for the 6 digits the authenticator app shows now."), style="", multiline=True)
        self.query_one("#verify-code", Input).focus()

    @on(Input.Submitted)
    def code_submitted(self) -> None:
        code_box = self.query_one("#verify-code", Input)
        entered = typed_code(code_box.value)
        id_number = self.query_one("#verify-id", Input).value or None
        if self.challenge is None and self.start is not None and "totp" not in self.start.factors:
            self.outcome.say(_("Send a code first."), style="$text-warning", multiline=True)
            return
        # A slip of the keyboard is not a guess: only 6 digits go to the service and count as an attempt.
        if not entered:
            self.outcome.say(
                _("Type the 6 digits the caller reads out, then press Enter. Nothing was counted."),
                style="$text-warning",
                multiline=True,
            )
            code_box.focus()
            return
        if not is_six_ascii_digits(entered):
            what = (
                _("has {count_entered} digits").format(count_entered=len(entered))
                if entered.isascii() and entered.isdigit()
                else _("has other characters")
            )
            self.outcome.say(
                _(
                    "A code is 6 digits (0-9) and that entry {what}. Nothing was counted: ask the caller to "
                    "read it again."
                ).format(what=what),
                style="$text-warning",
                multiline=True,
            )
            code_box.focus()
            return
        self.check(entered, id_number, self.challenge)
