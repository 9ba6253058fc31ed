"""HotlineCommands: the command palette lists each action of the current screen, with its key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape


@dataclass(frozen=True)
class PaletteCommand:
    name: str
    help: str
    action: str
    node: DOMNode


class HotlineCommands(Provider):
    """Lists the actions the agent can take right now, named as in the footer.

    Built from the screen's active bindings, so a key remapped in the settings' keymap shows its new
    key here, and an action appears only where it works.
    """

    def commands(self) -> Iterator[PaletteCommand]:
        seen: set[str] = set()
        keys: dict[str, list[str]] = {}
        found: list[tuple[Binding, DOMNode]] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.id is None or not active.enabled or binding.action == "command_palette":
                continue
            keys.setdefault(binding.id, []).append(self.app.get_key_display(binding.with_key(key)))
            if binding.id not in seen:
                seen.add(binding.id)
                found.append((binding, active.node))
        for binding, node in found:
            assert binding.id is not None
            shortcut = ", ".join(keys[binding.id])
            help_text = f"{binding.tooltip} ({shortcut})" if binding.tooltip else shortcut
            yield PaletteCommand(binding.description, help_text, binding.action, node)

    def _run(self, command: PaletteCommand) -> None:
        self.app.call_later(self.app.run_action, command.action, command.node)

    async def discover(self) -> Hits:
        for command in self.commands():
            yield DiscoveryHit(Content(command.name), partial(self._run, command), help=escape(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.name),
                    partial(self._run, command),
                    help=escape(command.help),  # the palette reads help as markup
                )
