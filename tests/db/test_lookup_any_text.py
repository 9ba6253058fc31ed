"""Caller lookup never crashes, whatever is typed: text no database can search is refused in words."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.db import Database
from console.services.errors import InvalidInput
from console.services.lookup import _prefix_upper_bound
from tests.db.test_lookup import add_people, find

# Any code point at all, surrogates and NUL included, and the ones at the edges of the ranges.
any_character = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
edges = st.sampled_from(["\x00", "\ud7ff", "\ud800", "\udfff", "\ue000", "\uffff", "\U0010ffff", "\x1b", "\u202e"])
tail = st.lists(st.one_of(any_character, edges), max_size=12).map("".join)
# Starts that make the lookup probe each column with a prefix range (email, name, pinyin, account, phone).
start = st.sampled_from(["", "wang", "a@", "wangwei@example", "王", "OK1000", "+86 138", "1381234567", "cml"])


@pytest.fixture
def people(database: Database) -> Database:
    return add_people(database)


@pytest.fixture
def sqlite_people(sqlite_database: Database) -> Database:
    return add_people(sqlite_database)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.tuples(start, tail).map("".join))
def test_lookup_raises_nothing_but_invalid_input_for_any_text(sqlite_people: Database, query: str) -> None:
    try:
        result = find(sqlite_people, query)
    except InvalidInput as refused:
        assert str(refused).endswith(".") and "\x00" not in str(refused)
    else:
        assert result.query == query


@pytest.mark.parametrize(
    "query",
    ["王\U0010ffff", "wang\U0010ffff", "a@\U0010ffff\U0010ffff", "王\ud7ff", "wangwei@example.c\ud7ff", "\U0010ffff"],
    ids=[
        "name-then-U+10FFFF",
        "pinyin-then-U+10FFFF",
        "email-then-two-U+10FFFF",
        "name-then-U+D7FF",
        "email-then-U+D7FF",
        "only-U+10FFFF",
    ],
)
def test_a_lookup_ending_in_the_last_code_point_or_before_the_surrogates_searches(people: Database, query: str) -> None:
    result = find(people, query)
    assert result.query == query


def test_a_prefix_range_ends_past_every_text_that_starts_with_the_prefix() -> None:
    assert _prefix_upper_bound("wang") == "wanh"
    assert _prefix_upper_bound("a\ud7ff") == "a\ue000"  # the surrogates are skipped: no text holds one
    assert _prefix_upper_bound("a@\U0010ffff\U0010ffff") == "aA"  # nothing follows U+10FFFF: bump the one before
    assert _prefix_upper_bound("\U0010ffff") is None


@pytest.mark.parametrize(
    "query", ["王\ud800", "wang\udfff", "\udc00OK10000001"], ids=["high-surrogate", "low-surrogate", "surrogate-first"]
)
def test_a_lone_surrogate_is_refused_in_words(people: Database, query: str) -> None:
    with pytest.raises(InvalidInput, match="broken character"):
        find(people, query)


@pytest.mark.parametrize(
    "query",
    ["\x00", "王\x00伟", "wangwei@example.cn\x00", "+86 138\x00 1234 5678", "OK10000001\x00"],
)
def test_a_nul_anywhere_in_a_lookup_is_refused_in_words_on_both_engines(people: Database, query: str) -> None:
    with pytest.raises(InvalidInput, match="NUL character"):
        find(people, query)
