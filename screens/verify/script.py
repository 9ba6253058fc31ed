"""SayNow: the words the agent reads to the caller, one step of the verification script in the caller's language."""

from __future__ import annotations

from textual.widgets import Static

from console.services.scripts import Script
from console.services.verification import VerificationStart
from console.text import safe_text

FAILURE = ":failure"


class SayNow(Static):
    """One step of the script (or its opening lines), in the language the service chose or the agent turned to."""

    def __init__(self) -> None:
        super().__init__(id="verify-say")
        self.start: VerificationStart | None = None
        # The script's language: the caller's (the service decides at the start), then as f6 turns it.
        self.language: str | None = None
        # The code channel the opening lines offer (None: no phone or email to send a code to).
        self.factor: str | None = None
        # The step on screen (None: the opening lines), kept so a new language re-shows the same step.
        self.said: str | None = None

    def begin(self, start: VerificationStart, factor: str | None) -> None:
        """The start read: its script in every language, and the opening lines shown."""
        self.start, self.factor = start, factor
        self.language = start.script.language
        self.show()

    def script(self) -> Script | None:
        if self.start is None:
            return None
        return self.start.translations.get(self.language or "", self.start.script)

    def show(self, key: str | None = None) -> None:
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
        self.update(safe_text("\n\n".join(parts), multiline=True))

    def show_failure(self, factor: str) -> None:
        """What to say after a wrong code for this factor (the step's own words, when it has them)."""
        self.said = factor + FAILURE
        script = self.script()
        if script is None:
            return
        try:
            step = script.step(factor)
        except KeyError:
            return
        if step.on_failure:
            self.update(safe_text(step.on_failure, multiline=True))

    def next_language(self) -> None:
        """The same step in the next language. Every language came with the start: switching is local
        (no second start, no audit row)."""
        if self.start is None:
            return
        languages = list(self.start.translations)
        now = languages.index(self.language) if self.language in languages else -1
        self.language = languages[(now + 1) % len(languages)]
        if self.said is not None and self.said.endswith(FAILURE):
            self.show_failure(self.said.removesuffix(FAILURE))
        else:
            self.show(self.said)
