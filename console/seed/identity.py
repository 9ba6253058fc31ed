"""Identity-document numbers in each region's real format, check characters included, without repeats."""

from __future__ import annotations

import functools
import random
import string
from datetime import date, timedelta
from functools import cached_property

from console.seed.numbering import Scrambler

# Mainland resident ID (GB 11643-1999): 6-digit area code, birth date, 3-digit sequence, check character.
CN_AREA_CODES = (
    "110101",
    "110105",
    "110108",
    "310101",
    "310104",
    "310115",
    "440103",
    "440106",
    "440304",
    "440305",
    "330106",
    "330108",
    "320102",
    "320106",
    "510104",
    "510107",
    "420102",
    "500103",
    "610113",
    "120101",
    "370202",
    "350203",
    "210102",
    "430104",
)
CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CN_CHECK = "10X98765432"
CN_FIRST_BIRTHDAY = date(1955, 1, 1)
CN_LAST_BIRTHDAY = date(2006, 12, 31)

# Hong Kong identity card: one letter, six digits, a check digit (0-9 or A) usually shown in brackets.
HK_LETTERS = "ACDEGHKMPRVYZ"
# Singapore NRIC: S (born before 2000) or T, seven digits, a check letter.
SG_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
SG_CHECK_LETTERS = "JZIHGFEDCBA"


def cn_check_character(first17: str) -> str:
    return CN_CHECK[sum(int(d) * w for d, w in zip(first17, CN_WEIGHTS, strict=True)) % 11]


def hk_check_digit(letter: str, digits: str) -> str:
    # A single-letter prefix counts as a space (value 36) followed by the letter (A=10 ... Z=35).
    total = 9 * 36 + 8 * (ord(letter) - ord("A") + 10)
    total += sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def sg_check_letter(prefix: str, digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, SG_WEIGHTS, strict=True))
    if prefix == "T":
        total += 4
    return SG_CHECK_LETTERS[total % 11]


def is_valid_cn_id(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and cn_check_character(number[:17]) == number[17]


def is_valid_hk_id(number: str) -> bool:
    return len(number) == 8 and hk_check_digit(number[0], number[1:7]) == number[7]


def is_valid_sg_nric(number: str) -> bool:
    return len(number) == 9 and sg_check_letter(number[0], number[1:8]) == number[8]


class IdNumbers:
    """Normalized ID numbers (no brackets or spaces) per region; distinct indexes get distinct numbers."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    @cached_property
    def _cn_birthdays(self) -> list[tuple[str, int]]:
        days = (CN_LAST_BIRTHDAY - CN_FIRST_BIRTHDAY).days + 1
        out = []
        for offset in range(days):
            text = (CN_FIRST_BIRTHDAY + timedelta(days=offset)).strftime("%Y%m%d")
            out.append((text, _weighted(text, CN_WEIGHTS[6:14])))
        return out

    @cached_property
    def _cn_areas(self) -> list[tuple[str, int]]:
        return [(code, _weighted(code, CN_WEIGHTS[:6])) for code in CN_AREA_CODES]

    @cached_property
    def _cn_sequences(self) -> list[tuple[str, int]]:
        return [(text, _weighted(text, CN_WEIGHTS[14:])) for text in (f"{n:03d}" for n in range(1000))]

    @cached_property
    def _sizes(self) -> dict[str, int]:
        return {
            "CN": len(CN_AREA_CODES) * ((CN_LAST_BIRTHDAY - CN_FIRST_BIRTHDAY).days + 1) * 1000,
            "HK": len(HK_LETTERS) * 10**6,
            "SG": 2 * 10**7,
            "PASSPORT": 10**8,
        }

    @cached_property
    def _scramblers(self) -> dict[str, Scrambler]:
        return {key: Scrambler.seeded(size, self._seed, f"id-{key}") for key, size in self._sizes.items()}

    def number(self, region: str, index: int) -> str:
        """The ID number of the customer with this index; distinct indexes get distinct numbers."""
        kind = region if region in ("CN", "HK", "SG") else "PASSPORT"
        return self._decode(region, self._scramblers[kind](index))

    def random_number(self, rng: random.Random, region: str) -> str:
        kind = region if region in ("CN", "HK", "SG") else "PASSPORT"
        return self._decode(region, rng.randrange(self._sizes[kind]))

    def _decode(self, region: str, k: int) -> str:
        if region == "CN":
            return self._cn(k)
        if region == "HK":
            return self._hk(k)
        if region == "SG":
            return self._sg(k)
        return self._passport(region, k)

    def _cn(self, k: int) -> str:
        k, area = divmod(k, len(CN_AREA_CODES))
        day, sequence = divmod(k, 1000)
        # The check character is a weighted sum; each part's share was worked out once, up front.
        area_text, area_sum = self._cn_areas[area]
        birthday, birthday_sum = self._cn_birthdays[day]
        sequence_text, sequence_sum = self._cn_sequences[sequence]
        check = CN_CHECK[(area_sum + birthday_sum + sequence_sum) % 11]
        return f"{area_text}{birthday}{sequence_text}{check}"

    def _hk(self, k: int) -> str:
        serial, letter_index = divmod(k, len(HK_LETTERS))
        letter, digits = HK_LETTERS[letter_index], f"{serial:06d}"
        return f"{letter}{digits}{hk_check_digit(letter, digits)}"

    def _sg(self, k: int) -> str:
        serial, century = divmod(k, 2)
        prefix, digits = "ST"[century], f"{serial:07d}"
        return f"{prefix}{digits}{sg_check_letter(prefix, digits)}"

    def _passport(self, region: str, k: int) -> str:
        letter = string.ascii_uppercase[k % 26]
        if region in ("US", "GB"):
            return f"{k % 10**9:09d}" if region == "US" else f"5{k % 10**8:08d}"
        if region == "AU":
            return f"{'NPR'[k % 3]}{letter}{k % 10**7:07d}"
        return f"{letter}{k:08d}"


def random_id_number(rng: random.Random, region: str) -> str:
    """One ID number for a hand-made (demo) customer."""
    return _shared_id_numbers().random_number(rng, region)


@functools.cache
def _shared_id_numbers() -> IdNumbers:
    return IdNumbers(0)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def display_id_number(region: str, normalized: str) -> str:
    """How the card prints it: Hong Kong's check digit goes in brackets."""
    if region == "HK":
        return f"{normalized[:-1]}({normalized[-1]})"
    return normalized
