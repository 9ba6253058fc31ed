"""The one way to show text from the database or a caller: control characters out, never markup."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

# The cleaning itself lives with the services (they store free text cleaned the same way); this module
# adds the ways to put it on screen. `clean_text` stays importable from here.
from console.services.free_text import clean_text

__all__ = ["cell_text", "clean_text", "safe_text"]


def safe_text(value: object, *, style: str = "", multiline: bool = False) -> Content:
    """Content showing exactly the visible characters of `value`; square brackets stay literal.

    Use it for every value that came from the database or a caller (names, notes, URLs, messages).
    `style` is applied to the whole text and is ours, never the value's.
    """
    content = Content(clean_text(value, multiline=multiline))
    return content.stylize(style) if style else content


def cell_text(value: object, style: str = "", *, right: bool = False) -> Text:
    """A DataTable cell showing `value` exactly: DataTable reads a str as markup and mis-measures Content."""
    return Text(clean_text(value), style=style, no_wrap=True, justify="right" if right else "left")
