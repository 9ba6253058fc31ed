"""One name for one thing: every stored value has its label in console/services/labels.py, labels are
translated when shown (not at import), and no screen names a stored value by formatting it itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console import i18n
from console.services import labels

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", labels.LABELLERS, ids=lambda kind: kind.__name__)
def test_every_stored_value_has_a_label_of_its_own(kind: type) -> None:
    label = labels.LABELLERS[kind]
    for value in kind:
        words = label(value)
        assert words, f"{kind.__name__}.{value.name} has no label"
        assert "_" not in words, f"{kind.__name__}.{value.name} shows as stored: {words!r}"
        # The member and its stored string (as views carry it) read the same.
        assert label(value.value) == words


def test_a_value_this_code_does_not_know_shows_as_stored_rather_than_failing() -> None:
    assert labels.method_label("carrier_pigeon") == "carrier_pigeon"
    assert labels.lock_reason_label(None) is None


def test_labels_are_translated_when_asked_for_not_when_imported() -> None:
    assert labels.method_label("on_chain") == "On-chain"
    before = i18n.current_language()
    i18n.set_language(i18n.SIMPLIFIED)
    try:
        assert labels.method_label("on_chain") == "链上"
        assert labels.reason_choices()[0] == ("锁定账户", "locked_account")
    finally:
        i18n.set_language(before)


# A stored value turned into words by hand: `.replace("_", " ")`, `.capitalize()`, `.title()`.
HAND_MADE = re.compile(r"""\.replace\(\s*["']_["']\s*,\s*["'] ["']\s*\)|\.capitalize\(\)|\.title\(\)""")
# A table of labels of its own: `SOMETHING_LABELS = {` or `..._NAMES = {"sms": ...`.
OWN_TABLE = re.compile(r"^\s*_?[A-Z_]*(LABELS|TITLES|NAMES)\s*(:[^=]*)?=\s*\{", re.MULTILINE)


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("path", python_files("screens"), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_screen_formats_a_stored_value_itself(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not HAND_MADE.findall(source), f"{path.name} formats a stored value itself; use console.services.labels"


@pytest.mark.parametrize(
    "path",
    [path for path in python_files("screens", "console/services") if path.name != "labels.py"],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_labels_are_kept_in_one_module(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not OWN_TABLE.findall(source), f"{path.name} keeps its own table of labels; move it to labels.py"
