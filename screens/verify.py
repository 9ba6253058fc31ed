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
from console.services.scripts import Script
from console.services.verification import VerificationStart, VerificationStatus, start_verification, verification_status
from console.text import safe_text
from screens.base import HotlineModal, Notice
from screens.call_keys import CallKeys, call_key_bindings

VERIFY_GROUP = "verify.start"
SEND_GROUP = "verify.send"
CHECK_GROUP = "verify.check"
STATUS_GROUP = "verify.status"
# The verified state also ends after 15 idle minutes or at wrap-up: re-read it this often.
STATUS_SECONDS = 5.0

NO_FACTOR = N_("This caller has no bound phone, authenticator or email: a supervisor must verify them.")


def _time(moment: datetime | None) -> str:
    return _("{moment:%H:%M:%S} UTC").format(moment=moment) if moment is not None else "-"


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
        # The script's language: the caller's (the service decides at the start), then as f6 switches it.
        self.language: str | None = None
        self.keyring: KeyRing | None = None
        self.start: VerificationStart | None = None
        self.status: VerificationStatus | None = None
        self.challenge: ChallengeView | None = None
        self.factor: str | None = None
        # The script step on screen (None: the opening lines), kept so f6 re-shows the same step.
        self.said: str | None = None
        self.generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="verify", classes="panel") as panel:
            panel.border_title = _("Verify the caller · ticket #{ticket_id}").format(ticket_id=self.ticket_id)
            yield Static(id="verify-state")
            yield Label(_("Say now"), classes="field-label")
            yield Static(id="verify-say")
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
        self.query_one("#verify-state", Static).update(_("Starting verification…"))
        self.begin(self.language)
        self.set_interval(1.0, self.show_state, name="verify.freshness")
        self.set_interval(STATUS_SECONDS, self.refresh_status, name="verify.status")

    def on_call(self, now: datetime) -> OnCall:
        """This call as the services take it, at `now` (read from the console's clock)."""
        return OnCall(agent_id=self.agent_id, now=now, ticket_id=self.ticket_id, customer_id=self.customer_id)

    def now(self) -> datetime:
        return self.hotline.wall_clock()

    # Service calls, each in a worker; a refusal is said in the outcome line

    def problem(self, text: str) -> None:
        self.outcome.say(text, style="$text-error", multiline=True)

    def refused(self, refusal: ServiceError) -> None:
        self.problem(str(refusal))

    def begin(self, language: str | None) -> None:
        def begin() -> tuple[VerificationStart, VerificationStatus, str | None]:
            keys_missing = None
            try:
                self.keyring = self.keyring or load_keyring(self.hotline.settings)
            except KeysMissing as missing:
                keys_missing = _("Codes cannot be sent or checked: {missing}").format(missing=missing)
            now = self.now()
            start = start_verification(
                self.database.sessions,
                self.on_call(now),
                language,
            )
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
            self.status = status
            self.show_state()

    def started(self, start: VerificationStart, status: VerificationStatus, keys_missing: str | None) -> None:
        self.generation += 1
        self.start, self.status = start, status
        self.language = start.script.language
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
        self.show_script()
        self.show_state()

    def code_sent(self, challenge: ChallengeView) -> None:
        self.challenge = challenge
        self.show_script(challenge.channel)
        self.outcome.say(
            _("Code sent to {sent_to}; valid until {time}. {sends_left} more sends allowed in 15 minutes.").format(
                sent_to=challenge.sent_to, time=_time(challenge.expires_at), sends_left=challenge.sends_left
            ),
            style="$text-success",
            multiline=True,
        )
        self.query_one("#verify-code", Input).focus()

    def checked(self, outcome: VerificationOutcome, status: VerificationStatus) -> None:
        self.generation += 1
        self.status = status
        self.query_one("#verify-code", Input).value = ""
        self.query_one("#verify-id", Input).value = ""
        if outcome.verified:
            self.challenge = None
            self.show_script("verified")
            self.outcome.say(
                _("Verified by {get} at {time}.").format(
                    get=factor_label(outcome.factor), time=_time(outcome.verified_at)
                ),
                style="$text-success",
                multiline=True,
            )
        elif outcome.locked_until is not None:
            self.show_script("locked_out")
            self.outcome.say(outcome.message, style="$text-error", multiline=True)
        else:
            self.show_failure_script(outcome.factor)
            self.outcome.say(
                _("Not verified: {message} (Failures: {failures} of {MAX_FAILURES}.)").format(
                    message=outcome.message, failures=outcome.failures, MAX_FAILURES=MAX_FAILURES
                ),
                style="$text-warning",
                multiline=True,
            )
        self.show_state()

    # Showing

    @property
    def outcome(self) -> Notice:
        return self.query_one("#verify-outcome", Notice)

    def script(self) -> Script | None:
        if self.start is None:
            return None
        return self.start.translations.get(self.language or "", self.start.script)

    def show_script(self, key: str | None = None) -> None:
        """Show one step, or with no key the opening: the greeting, and what to say before sending a code
        ("we have sent" is only said once the code has really gone)."""
        self.said = key
        script = self.script()
        if script is None:
            return
        keys = [key] if key else ["greet", *(f"{f}_offer" for f in (self.factor,) if f)]
        parts = []
        for wanted in keys:
            try:
                parts.append(script.step(wanted).say)
            except KeyError:
                continue
        self.query_one("#verify-say", Static).update(safe_text("\n\n".join(parts), multiline=True))

    def show_failure_script(self, factor: str) -> None:
        self.said = f"{factor}:failure"
        script = self.script()
        if script is None:
            return
        try:
            step = script.step(factor)
        except KeyError:
            return
        if step.on_failure:
            self.query_one("#verify-say", Static).update(safe_text(step.on_failure, multiline=True))

    def needs_fresh_code(self) -> bool:
        status = self.status
        if status is None or not status.verified:
            return False
        return status.fresh_until is None or status.fresh_until < self.now()

    def show_state(self) -> None:
        status = self.status
        if status is None:
            return
        now = self.now()
        if status.locked_until is not None and status.locked_until > now:
            text = _("Locked out until {time}: {who_lifts_it}").format(
                time=_time(status.locked_until), who_lifts_it=self.who_lifts_it()
            )
            style = "$text-error"
        elif status.verified and not self.needs_fresh_code():
            text = _("Verified by {get} at {time}; fresh until {time2}.").format(
                get=factor_label(status.factor),
                time=_time(status.verified_at),
                time2=_time(status.fresh_until),
            )
            style = "$text-success"
        elif status.verified:
            text = _(
                "Verified, but not in the last 5 minutes: a fresh code is needed for unlocks, adjustments, "
                "contact changes and reveals. Send a new code."
            )
            style = "$text-warning"
        else:
            text, style = (
                _("Not verified yet. Failures so far: {failures} of {MAX_FAILURES}.").format(
                    failures=status.failures, MAX_FAILURES=MAX_FAILURES
                ),
                "",
            )
        self.query_one("#verify-state", Static).update(safe_text(text, style=style))

    def who_lifts_it(self) -> str:
        """An agent escalates; a supervisor finds the lockout in their own queue and lifts it there."""
        agent = self.hotline.agent
        if agent is not None and str(agent.role) == "supervisor":
            return _(
                "you can lift it yourself: it is waiting in your escalation queue (Home, from the call "
                "workspace), where you decide it with a reason."
            )
        return _("only a supervisor can lift the lockout.")

    # Actions

    def purpose(self) -> str:
        return "step_up" if self.needs_fresh_code() else "verify"

    def action_send(self) -> None:
        if self.factor is None:
            self.outcome.say(_(NO_FACTOR), style="$text-error", multiline=True)
            return
        self.send(self.factor, self.purpose())

    def action_language(self) -> None:
        # Every language came with the start: switching is local (no second start, no audit row).
        if self.start is None:
            return
        languages = list(self.start.translations)
        now = languages.index(self.language) if self.language in languages else -1
        self.language = languages[(now + 1) % len(languages)]
        if self.said is not None and self.said.endswith(":failure"):
            self.show_failure_script(self.said.removesuffix(":failure"))
        else:
            self.show_script(self.said)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#verify-send")
    def send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#verify-totp")
    def totp_pressed(self) -> None:
        self.challenge = None
        self.show_script("totp")
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
