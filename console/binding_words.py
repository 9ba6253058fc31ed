"""Binding descriptions and tooltips in the interface language, wherever Textual shows them.

Bindings are class attributes made at import time, so their words are marked with `N_()` and translated
here, on each class's merged bindings (which every new screen or widget copies): the footer, the keys
panel and the command palette then all read the translated words. Call `translate_bindings()` after the
language is set and whenever more screens may have been imported; it is cheap when nothing changed.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from console.i18n import _, current_language

# Only Hotline's own classes: Textual's widgets keep their own (English) words.
_OWN_MODULES = ("console.", "screens.")
# Which language each class's merged bindings are in now.
_translated: dict[type[DOMNode], str] = {}


def _subclasses(root: type[DOMNode]) -> list[type[DOMNode]]:
    found, stack = [], [root]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def _in_language(binding: Binding) -> Binding:
    group = binding.group
    if group is not None and group.description:
        group = replace(group, description=_(group.description))
    return replace(binding, description=_(binding.description), tooltip=_(binding.tooltip), group=group)


def translate_bindings() -> None:
    """Give every Hotline screen and widget class its bindings in the current language."""
    language = current_language()
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith(_OWN_MODULES) or _translated.get(cls) == language:
            continue
        merged = cls._merge_bindings()  # from the classes' BINDINGS, always the marked English words
        keys = {
            key: [_in_language(binding) for binding in bindings] for key, bindings in merged.key_to_bindings.items()
        }
        cls._merged_bindings = BindingsMap.from_keys(keys)
        _translated[cls] = language
