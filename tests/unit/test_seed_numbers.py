"""The seeds' building blocks: ID check characters, collision-free numbering, phone plans and name pools."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from pypinyin import lazy_pinyin

from console.seed.catalog import units
from console.seed.identity import (
    IdNumbers,
    cn_check_character,
    display_id_number,
    hk_check_digit,
    is_valid_cn_id,
    is_valid_hk_id,
    is_valid_sg_nric,
    sg_check_letter,
)
from console.seed.names import NAME_STYLES_BY_REGION, name_keys, name_pools
from console.seed.numbering import Scrambler
from console.seed.phones import MOBILE_PLANS, PhoneBook


def test_id_check_characters_match_published_examples() -> None:
    assert cn_check_character("11010519491231002") == "X"  # the GB 11643 example
    assert hk_check_digit("A", "123456") == "3"  # A123456(3)
    assert sg_check_letter("S", "1234567") == "D"  # S1234567D
    assert display_id_number("HK", "A1234563") == "A123456(3)"


@pytest.mark.parametrize("region", ["CN", "HK", "SG", "US", "GB", "AU", "MY"])
def test_id_numbers_are_distinct_and_valid(region: str) -> None:
    ids = IdNumbers(5)
    numbers = [ids.number(region, i) for i in range(5_000)]
    assert len(set(numbers)) == len(numbers)
    check = {"CN": is_valid_cn_id, "HK": is_valid_hk_id, "SG": is_valid_sg_nric}.get(region)
    if check:
        assert all(check(n) for n in numbers)
    assert all(n.isalnum() and n == n.upper() for n in numbers)


@pytest.mark.parametrize("size", [1, 2, 10, 97, 1000, 4096])
def test_scrambler_is_one_to_one(size: int) -> None:
    scramble = Scrambler.seeded(size, seed=3, purpose="test")
    assert sorted(scramble(i) for i in range(size)) == list(range(size))


@pytest.mark.parametrize("region", sorted(MOBILE_PLANS))
def test_every_mobile_prefix_gives_valid_numbers_for_its_region(region: str) -> None:
    plan = MOBILE_PLANS[region]
    rng = random.Random(region)
    for prefix_index in range(len(plan.prefixes)):
        k = prefix_index * 10**plan.subscriber_digits + rng.randrange(10**plan.subscriber_digits)
        number = phonenumbers.parse(plan.number(k))
        assert phonenumbers.is_valid_number(number), plan.number(k)
        assert phonenumbers.region_code_for_number(number) == region


def test_phone_book_never_repeats_a_number() -> None:
    book = PhoneBook(seed=1)
    numbers = [book.number("SG", i) for i in range(20_000)]
    assert len(set(numbers)) == len(numbers)


def test_pool_pinyin_is_what_pypinyin_says_for_the_whole_name() -> None:
    rng = random.Random(9)
    for full_name, pinyin, initials in name_pools().names(rng, "chinese", 5_000):
        syllables = lazy_pinyin(full_name)
        assert pinyin == "".join(syllables), full_name
        assert initials == "".join(s[0] for s in syllables)
    for full_name, pinyin, initials in name_pools().names(rng, "traditional", 1_000):
        assert (pinyin, initials) == name_keys(full_name)


@pytest.mark.parametrize("region", sorted(NAME_STYLES_BY_REGION))
def test_every_region_draws_names_with_matching_keys(region: str) -> None:
    for full_name, pinyin, initials in name_pools().names_for_region(random.Random(1), region, 300):
        assert full_name.strip() == full_name and "  " not in full_name
        assert (pinyin, initials) == name_keys(full_name)


def test_latin_names_fold_accents_and_split_on_hyphens() -> None:
    assert name_keys("José Mary-Jane") == ("josemaryjane", "jmj")


def test_units_reads_decimals_without_floats() -> None:
    assert units("CNY", "12.5") == 1250
    assert units("BTC", "0.0002") == 20_000
    assert units("ETH", "1") == 10**9
    with pytest.raises(ValueError):
        units("CNY", "0.001")
