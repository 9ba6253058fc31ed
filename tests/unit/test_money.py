"""Exact money: typed amounts parse to integer minor units with the asset's scale, and show the same way back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.services.errors import InvalidInput
from console.services.money import MAX_MINOR_UNITS, format_amount, parse_amount

SCALES = {"CNY": 2, "USD": 2, "USDT": 6, "BTC": 8, "ETH": 9, "JPY": 0}


@pytest.mark.parametrize(
    ("typed", "scale", "minor"),
    [
        ("12.34", 2, 1234),
        ("1,234.5", 2, 123450),
        ("0.00000001", 8, 1),
        (".5", 2, 50),
        ("7", 0, 7),
        ("1,000,000", 2, 100_000_000),
        (" 8 000 ", 2, 800_000),
        ("１２.５", 2, 1250),
        ("0.1", 9, 100_000_000),
        ("2.500", 2, 250),  # trailing zeros beyond the scale are not extra precision
    ],
)
def test_typed_amounts_parse_exactly(typed: str, scale: int, minor: int) -> None:
    assert parse_amount(typed, scale) == minor


@pytest.mark.parametrize(
    ("typed", "scale", "message"),
    [
        ("12.345", 2, "at most 2 decimal places"),
        ("0.000000001", 8, "at most 8 decimal places"),
        ("1.5", 0, "no decimal places"),
        ("-5", 2, "cannot be negative"),
        ("0", 2, "more than zero"),
        ("abc", 2, "not an amount"),
        ("1e5", 2, "not an amount"),
        ("1,23", 2, "not an amount"),
        ("", 2, "Enter"),
        ("NaN", 2, "not an amount"),
        ("\u0663", 2, "not an amount"),
        ("1.2.3", 2, "not an amount"),
        ("99999999999999999999", 2, "too large"),
    ],
)
def test_wrong_amounts_get_a_clear_message(typed: str, scale: int, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_amount(typed, scale, "CNY")


def test_negative_only_where_it_makes_sense() -> None:
    assert parse_amount("-4.5", 2, allow_negative=True) == -450
    assert parse_amount("0", 2, allow_zero=True) == 0


@given(minor=st.integers(-MAX_MINOR_UNITS, MAX_MINOR_UNITS), scale=st.sampled_from(sorted(set(SCALES.values()))))
def test_what_is_shown_parses_back_to_the_same_minor_units(minor: int, scale: int) -> None:
    assert parse_amount(format_amount(minor, scale), scale, allow_negative=True, allow_zero=True) == minor


@given(text=st.text(max_size=40), scale=st.sampled_from(sorted(set(SCALES.values()))))
def test_any_text_either_parses_or_is_refused_in_plain_words(text: str, scale: int) -> None:
    try:
        minor = parse_amount(text, scale, "CNY", allow_negative=True)
    except InvalidInput as refused:
        assert str(refused) and "Traceback" not in str(refused)
    else:
        assert isinstance(minor, int)


def test_formatting_uses_the_scale() -> None:
    assert [format_amount(123456, s) for s in (0, 2, 6)] == ["123,456", "1,234.56", "0.123456"]
    assert format_amount(-5, 2) == "-0.05"
