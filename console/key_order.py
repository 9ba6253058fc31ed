"""KeysInOrder: keys and pastes reach the widget that has focus once the key before them is done.

Textual routes a key when the app reads it: to the widget focused at that moment, whose queue handles
it later. A key that moves focus (Tab, Enter in a form) or opens a screen does so only when it is
handled, so keys typed in the same burst had already gone to the old field: `lina`, Tab, `lina-demo`
left `linalina-demo` in the username box. Here the app routes one key at a time: it sends a marker
after each key along the path the key took (the focused widget, its parents, the screen, the app),
and routes the next key only when the marker is back, twice, so what the key started (a focus move,
a submitted field, a new screen and its first focus) has happened. A screen the app has not seen
ready yet gets a marker of its own first; a form checking a password holds the keys until its
answer (the workspace, or the form again) is on screen.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

# A marker normally comes back within milliseconds; one that never does (its widget was removed on
# the way) must not stop the keyboard: after this long the next key is routed anyway.
MARKER_TIMEOUT = 1.0
MARKER_POLL = 0.02
# A hold that nobody lifts (a form that never answered) ends after this long.
HOLD_TIMEOUT = 30.0
# Laps of a marker after a key: the first follows the key, the second what the key set off.
LAPS = 2

_numbers = count(1)


@dataclass
class KeyRouted(Message):
    """The marker: bubbles from where a key went up to the app."""

    number: int
    laps_left: int
    screen: Screen[Any] = field(repr=False)


class KeysInOrder(App[None]):
    """Mixin for the app: typed and pasted input is routed in order, each key after the last is handled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting_keys: deque[events.Key | events.Paste] = deque()
        self._marker: int | None = None
        self._marker_timer: Timer | None = None
        self._marker_screen: Screen[Any] | None = None
        self._marker_sent = 0.0
        self._ready_screen: Screen[Any] | None = None
        self._keys_held = False
        self._hold_timer: Timer | None = None

    @property
    def keys_waiting(self) -> int:
        """Keys read but not routed yet."""
        return len(self._waiting_keys)

    def hold_keys(self) -> None:
        """Keep the keys typed from now on until `release_keys` (a password being checked)."""
        self._keys_held = True
        if self._hold_timer is not None:
            self._hold_timer.stop()
        self._hold_timer = self.set_timer(HOLD_TIMEOUT, self.release_keys, name="key hold")

    def release_keys(self) -> None:
        """Route the keys held, to whatever has focus once the screen now on top is ready."""
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        if self._keys_held:
            self._keys_held = False
            self.call_later(self._route_keys)

    async def route_typed(self, event: events.Key | events.Paste) -> None:
        """A key or paste read from the terminal: routed now, or after the ones before it.

        While keys are held, a key of a priority binding (quit, the command palette) still acts at once:
        a slow answer must not keep the agent from quitting.
        """
        if self._keys_held and isinstance(event, events.Key) and self._has_priority_binding(event.key):
            await self._route(event)
            return
        self._waiting_keys.append(event)
        await self._route_keys()

    def _has_priority_binding(self, key: str) -> bool:
        return any(
            binding.priority
            for _namespace, bindings in self.screen._binding_chain
            for binding in bindings.key_to_bindings.get(key, ())
        )

    async def _route_keys(self) -> None:
        while self._waiting_keys and self._marker is None and not self._keys_held:
            screen = self.screen
            if screen is not self._ready_screen:
                # A new screen: its first focus is set when it has handled what it was sent so far.
                self._send_marker(screen, laps=1)
                return
            event = self._waiting_keys.popleft()
            target: MessagePump = self.focused or screen
            await self._route(event)
            if not self._text_only(event, target):
                self._send_marker(target, laps=LAPS)

    def _text_only(self, event: events.Key | events.Paste, target: MessagePump) -> bool:
        """Text typed or pasted into a text field moves nothing: the next key may follow it at once, into
        the same queue, in order (most of a burst is this, so most keys need no marker)."""
        if not isinstance(target, Input | TextArea):
            return False
        if isinstance(event, events.Paste):
            return True
        return event.is_printable and not self._has_priority_binding(event.key)

    async def _route(self, event: events.Key | events.Paste) -> None:
        # Textual's own routing: priority bindings first, then the focused widget (or the screen).
        await super().on_event(event)

    def _send_marker(self, target: MessagePump, laps: int) -> None:
        screen = self.screen
        if target is not screen and not (isinstance(target, Widget) and target.is_attached and target.screen is screen):
            target = self.focused or screen  # the key closed its screen: what comes next is on this one
        number = next(_numbers)
        self._marker = number
        self._marker_screen = screen
        self._marker_sent = time.monotonic()
        if not target.post_message(KeyRouted(number, laps, screen)):
            self._marker_done()  # the widget is closing: nothing to wait for
            self.call_later(self._route_keys)
            return
        self._watch_marker(number)

    def _watch_marker(self, number: int) -> None:
        # A marker inside a screen that has left the stack may never come back (the screen is being
        # removed): stop waiting for it at once rather than after the timeout.
        if number != self._marker:
            return
        gone = self._marker_screen not in self.screen_stack
        if gone or time.monotonic() - self._marker_sent > MARKER_TIMEOUT:
            self._marker_lost(number, ready=not gone)
            return
        self._marker_timer = self.set_timer(MARKER_POLL, lambda: self._watch_marker(number), name="key marker")

    async def on_key_routed(self, message: KeyRouted) -> None:
        message.stop()
        if message.number != self._marker:
            return
        if message.screen is self.screen:
            self._ready_screen = message.screen
        if message.laps_left > 1:
            self._send_marker(self.focused or self.screen, laps=message.laps_left - 1)
            return
        self._marker_done()
        await self._route_keys()

    def _marker_lost(self, number: int, *, ready: bool) -> None:
        if number != self._marker:
            return
        if ready:
            # Waited long enough: take the screen on top as ready rather than keep the keys any longer.
            self._ready_screen = self.screen
        self._marker_done()
        self.call_later(self._route_keys)

    def _marker_done(self) -> None:
        self._marker = None
        if self._marker_timer is not None:
            self._marker_timer.stop()
            self._marker_timer = None
