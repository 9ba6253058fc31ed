"""The start-up anchor: a hello-world Textual app that exits as soon as its first screen is drawn."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class HelloScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("Hello, world")


class HelloApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(HelloScreen())

    def on_ready(self) -> None:
        # Textual says Ready once the first frame is displayed: quit after it, as the console under the bench does.
        self.call_after_refresh(self.exit)


if __name__ == "__main__":
    HelloApp().run()
