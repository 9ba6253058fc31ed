"""The text helper: nothing from the database or a caller is ever markup or a control sequence."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from console.text import clean_text, safe_text

BIDI_CONTROLS = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F]}
# Text as an attacker or a broken import would write it: markup, escapes, bidi tricks, anything.
hostile = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["[", "]", "[bold]", "[/]", "[@click=app.quit]", "\x1b", "\x1b[2J", "\r"]),
        st.sampled_from(sorted(BIDI_CONTROLS)),
        st.characters(min_codepoint=0, max_codepoint=0x9F),
    )
).map("".join)


def is_forbidden(char: str, multiline: bool = False) -> bool:
    if char == "\t" or (multiline and char == "\n"):
        return False
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS or char in "\u061c\u2028\u2029"


def test_a_name_with_markup_and_an_escape_shows_exactly_its_visible_characters() -> None:
    content = safe_text("[bold]Bob\x1b[2J")
    assert content.plain == "[bold]Bob[2J"
    assert content.spans == []


def test_bidi_override_cannot_reverse_what_the_agent_reads() -> None:
    assert clean_text("amount \u202e0001\u202c CNY") == "amount 0001 CNY"


def test_tab_is_kept_and_newlines_only_when_asked() -> None:
    assert clean_text("a\tb\nc\r\nd") == "a\tbcd"
    assert clean_text("a\tb\nc\r\nd\re", multiline=True) == "a\tb\nc\nd\ne"


def test_none_and_numbers_are_shown_as_text() -> None:
    assert clean_text(None) == ""
    assert safe_text(1234).plain == "1234"


def test_style_is_ours_and_covers_the_whole_text() -> None:
    content = safe_text("[red]x[/red]", style="bold")
    assert content.plain == "[red]x[/red]"
    assert [(span.start, span.end, span.style) for span in content.spans] == [(0, 12, "bold")]


@given(hostile)
def test_cleaning_removes_exactly_the_control_characters(text: str) -> None:
    assert clean_text(text) == "".join(char for char in text if not is_forbidden(char))


@given(hostile)
def test_multiline_cleaning_keeps_only_line_breaks(text: str) -> None:
    cleaned = clean_text(text, multiline=True)
    assert not any(is_forbidden(char, multiline=True) for char in cleaned)
    assert "\r" not in cleaned


@given(hostile)
def test_cleaning_twice_changes_nothing(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


@given(hostile)
def test_safe_text_is_never_parsed_as_markup(text: str) -> None:
    content = safe_text(text)
    assert isinstance(content, Content)
    assert content.plain == clean_text(text)
    assert content.spans == []


@given(hostile)
def test_safe_text_renders_the_same_characters_it_was_given(text: str) -> None:
    # What reaches the terminal: the segments the content renders to, with no style of their own.
    segments = safe_text(text).render_segments()
    assert "".join(segment.text for segment in segments) == clean_text(text)
    assert all(not segment.style for segment in segments)
