"""Before verification an agent sees phone last 2 digits, email first letter and domain, ID last 4."""

from __future__ import annotations

from console.services.masking import mask_account_number, mask_email, mask_id_last4, mask_phone


def test_phone_shows_country_code_and_last_two_digits_only() -> None:
    masked = mask_phone("+8613812345678")
    assert masked == "+86 •••••••••78"
    assert "1381234" not in masked


def test_hong_kong_phone() -> None:
    assert mask_phone("+85291234567") == "+852 ••••••67"


def test_email_shows_first_letter_and_domain() -> None:
    assert mask_email("wang.wei@example.cn") == "w•••@example.cn"


def test_id_number_shows_last_four_only() -> None:
    assert mask_id_last4("002X") == "••••002X"


def test_account_number_is_shortened() -> None:
    assert mask_account_number("OK12345678") == "OK••••5678"


def test_missing_values_stay_missing() -> None:
    assert mask_phone(None) is None and mask_email(None) is None and mask_id_last4(None) is None
