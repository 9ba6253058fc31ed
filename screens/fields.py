"""Fields that keep their name: the label sits on the field's top border, so it is still there once
the field holds a value, and it costs no row on a 24-row terminal."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectCurrent

W = TypeVar("W", bound=Widget)


def labelled(field: W, label: str) -> W:
    """`field` (an Input, a TextArea) with `label` on its top border."""
    field.border_title = label
    return field


class LabelledSelect(Select[Any]):
    """A Select with its label on the border of the part that shows the choice."""

    def __init__(self, options: Any, *, label: str, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.label = label

    def on_mount(self) -> None:
        self.query_one(SelectCurrent).border_title = self.label
