"""The one way to show text from the database or a caller: control characters out, never markup."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

# Characters that could move the cursor, clear the screen, ring the bell or reorder what the agent
# reads: C0 controls (tab is kept), DEL, C1 controls, the bidi embeddings, overrides and isolates,
# the directional marks, and the Unicode line/paragraph separators.
_INVISIBLE_CONTROLS = (
    [code for code in range(0x00, 0x20) if code != 0x09]
    + [0x7F]
    + list(range(0x80, 0xA0))
    + [0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_STRIP = dict.fromkeys(_INVISIBLE_CONTROLS)
_STRIP_KEEP_NEWLINES = {code: None for code in _INVISIBLE_CONTROLS if code != 0x0A}


def clean_text(value: object, *, multiline: bool = False) -> str:
    """`value` as a string without control characters; `multiline` keeps line breaks (as "\\n")."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text.translate(_STRIP_KEEP_NEWLINES)
    return text.translate(_STRIP)


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
