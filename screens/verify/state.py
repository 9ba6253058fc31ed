"""VerifiedState: the line that says whether the caller is verified, fresh enough, or locked out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.widgets import Static

from console.i18n import _
from console.services.codes import MAX_FAILURES
from console.services.labels import factor_label
from console.services.verification import VerificationStatus
from console.text import safe_text


def clock_time(moment: datetime | None) -> str:
    return _("{moment:%H:%M:%S} UTC").format(moment=moment) if moment is not None else "-"


class VerifiedState(Static):
    """The verified state as last read, told against the console's clock (so "fresh until" runs out on screen)."""

    def __init__(self, clock: Callable[[], datetime], supervisor: bool) -> None:
        super().__init__(_("Starting verification…"), id="verify-state")
        self.clock = clock
        # Who can lift a verification lockout decides what the locked-out line tells the agent.
        self.supervisor = supervisor
        self.status: VerificationStatus | None = None

    def read(self, status: VerificationStatus) -> None:
        self.status = status
        self.show()

    def needs_fresh_code(self) -> bool:
        """Verified, but the factor is older than the 5 minutes a high-risk action needs."""
        status = self.status
        if status is None or not status.verified:
            return False
        return status.fresh_until is None or status.fresh_until < self.clock()

    def show(self) -> None:
        status = self.status
        if status is None:
            return
        now = self.clock()
        if status.locked_until is not None and status.locked_until > now:
            text = _("Locked out until {time}: {who_lifts_it}").format(
                time=clock_time(status.locked_until), who_lifts_it=self.who_lifts_it()
            )
            style = "$text-error"
        elif status.verified and not self.needs_fresh_code():
            text = _("Verified by {get} at {time}; fresh until {time2}.").format(
                get=factor_label(status.factor),
                time=clock_time(status.verified_at),
                time2=clock_time(status.fresh_until),
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
        self.update(safe_text(text, style=style))

    def who_lifts_it(self) -> str:
        """An agent escalates; a supervisor finds the lockout in their own queue and lifts it there."""
        if self.supervisor:
            return _(
                "you can lift it yourself: it is waiting in your escalation queue (Home, from the call "
                "workspace), where you decide it with a reason."
            )
        return _("only a supervisor can lift the lockout.")
