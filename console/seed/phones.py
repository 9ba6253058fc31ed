"""Mobile numbers that are valid for their region (E.164), drawn without repeats."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

from console.seed.numbering import Scrambler


@dataclass(frozen=True)
class MobilePlan:
    """A region's mobile numbering: country code, the prefixes in use and the digits after them."""

    country_code: str
    prefixes: tuple[str, ...]
    subscriber_digits: int

    @property
    def size(self) -> int:
        per_prefix: int = 10**self.subscriber_digits  # int ** int is typed Any (a negative power is a float)
        return len(self.prefixes) * per_prefix

    def number(self, k: int) -> str:
        """The k-th number of the plan (0 <= k < size), as E.164."""
        prefix, subscriber = divmod(k, 10**self.subscriber_digits)
        return f"+{self.country_code}{self.prefixes[prefix]}{subscriber:0{self.subscriber_digits}d}"


def _us_prefixes() -> tuple[str, ...]:
    # Area code plus exchange; N11 service codes and the fictional 555 exchange are skipped.
    areas = ("212", "415", "646", "650", "617", "312", "206", "213", "408", "718", "917", "347")
    exchanges = [f"{n}" for n in range(200, 1000) if n % 100 != 11 and n != 555 and str(n)[1:] != "11"]
    return tuple(area + exchange for area in areas for exchange in exchanges)


def _range(first: int, last: int, skip: str = "") -> tuple[str, ...]:
    return tuple(str(n) for n in range(first, last + 1) if str(n) not in skip.split())


# Prefixes checked against libphonenumber's metadata (the tests check samples of each plan again).
MOBILE_PLANS: dict[str, MobilePlan] = {
    "CN": MobilePlan(
        "86",
        (
            "130",
            "131",
            "132",
            "133",
            "134",
            "135",
            "136",
            "137",
            "138",
            "139",
            "147",
            "150",
            "151",
            "152",
            "153",
            "155",
            "156",
            "157",
            "158",
            "159",
            "166",
            "173",
            "175",
            "176",
            "177",
            "178",
            "180",
            "181",
            "182",
            "183",
            "184",
            "185",
            "186",
            "187",
            "188",
            "189",
            "191",
            "193",
            "195",
            "198",
            "199",
        ),
        8,
    ),
    "HK": MobilePlan(
        "852",
        _range(510, 599, "515 525 535 545 555 565 567 573 575 580 581 582 583 584 585 586 587 588 589 595")
        + _range(601, 699, "626 666 678 686")
        + _range(901, 988, "911 929 939 959"),
        5,
    ),
    "SG": MobilePlan("65", _range(81, 98), 6),
    "MY": MobilePlan(
        "60",
        ("111", "112", "113", "114", "115", "190", "191", "192", "193", "194", "195", "196", "197", "198", "199"),
        7,
    ),
    "GB": MobilePlan(
        "44", _range(7400, 7599, "7457 7509 7524") + _range(7701, 7999, "7781 7797 7829 7839 7911 7937"), 6
    ),
    "AU": MobilePlan("61", (*_range(400, 440), "444", *_range(447, 499, "453 471 479 483 495 496")), 6),
    "US": MobilePlan("1", _us_prefixes(), 4),
}


class PhoneBook:
    """Hands out each region's numbers through a scrambler, so no two customers get the same one."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    @cached_property
    def _scramblers(self) -> dict[str, Scrambler]:
        return {
            region: Scrambler.seeded(plan.size, self._seed, f"phone-{region}") for region, plan in MOBILE_PLANS.items()
        }

    def number(self, region: str, index: int) -> str:
        """The mobile number of the customer with this index; distinct indexes get distinct numbers."""
        return MOBILE_PLANS[region].number(self._scramblers[region](index))


def random_mobile(rng: random.Random, region: str) -> str:
    plan = MOBILE_PLANS[region]
    return plan.number(rng.randrange(plan.size))
