"""Text from an agent, a caller or the database with every control character taken out: for storing and printing.

The screens (console/text.py), the CLI and every service that stores free text use these, so one set of
characters is stripped everywhere. No UI import here: services use it.
"""

from __future__ import annotations

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


def free_text(value: str) -> str:
    """What an agent typed or pasted (a note, a reason, a description), fit to store: control characters
    out, newlines and tabs kept. The caller trims and checks the length after this."""
    return clean_text(value, multiline=True)


def one_line(value: str) -> str:
    """A name or an address, fit to store: control characters and line breaks out, tabs kept."""
    return clean_text(value)
