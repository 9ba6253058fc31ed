"""The one way to show text from the database or a caller: control characters out, never markup."""

from __future__ import annotations

import string

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content

# The cleaning itself lives with the services (they store free text cleaned the same way); this module
# adds the ways to put it on screen. `clean_text` stays importable from here.
from console.services.free_text import clean_text

__all__ = ["cell_text", "clean_text", "fill", "pad", "safe_text"]


def safe_text(value: object, *, style: str = "", multiline: bool = False) -> Content:
    """Content showing exactly the visible characters of `value`; square brackets stay literal.

    Use it for every value that came from the database or a caller (names, notes, URLs, messages).
    `style` is applied to the whole text and is ours, never the value's.
    """
    content = Content(clean_text(value, multiline=multiline))
    return content.stylize(style) if style else content


def fill(sentence: str, **values: object) -> Content:
    """A translated `sentence` with its {placeholders} filled in as `safe_text`: the words are ours (not
    markup either), the values are foreign. A Content value keeps its own styles.

    `fill(_("Disable {username}?"), username=safe_text(name, style="bold"))`: a whole sentence for the
    translators, however its language orders the words.
    """
    parts: list[Content] = []
    for literal, name, spec, conversion in string.Formatter().parse(sentence):
        if literal:
            parts.append(Content(literal))
        if name is not None:
            value = values[name]
            if isinstance(value, Content):
                parts.append(value)
            else:
                shown = format(repr(value) if conversion == "r" else value, spec or "")
                parts.append(safe_text(shown))
    return Content("").join(parts)


def pad(text: str, cells: int) -> str:
    """`text` followed by spaces up to `cells` terminal columns: a Chinese character takes two, so
    `f"{text:<9}"` would push the next column right by one space per character."""
    return text + " " * max(0, cells - cell_len(text))


def cell_text(value: object, style: str = "", *, right: bool = False) -> Text:
    """A DataTable cell showing `value` exactly: DataTable reads a str as markup and mis-measures Content."""
    return Text(clean_text(value), style=style, no_wrap=True, justify="right" if right else "left")
