"""A text area for what agents type and paste: a paste keeps its words, newlines and tabs, not control characters."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from console.text import clean_text


class FreeTextArea(TextArea):
    """Every multi-line box an agent writes in (ticket notes, reasons). A pasted escape sequence or bidi
    override would otherwise sit in the box, move the cursor when shown elsewhere, and be saved."""

    async def _on_paste(self, event: events.Paste) -> None:
        # TextArea's own paste handler would insert the raw text after this one.
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        text = clean_text(event.text, multiline=True)
        if text and (result := self.replace(text, *self.selection, maintain_selection_offset=False)):
            self.move_cursor(result.end_location)
            self.focus()
