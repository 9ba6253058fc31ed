"""Scrambled numbering: a seeded one-to-one map from a customer's index to a number that looks random."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Scrambler:
    """`index -> (index * step + offset) mod size`: no two indexes below `size` share a number.

    Phones, emails and ID numbers drawn through it are unique without a lookup table, which is what
    lets the synthetic seed make a million customers quickly and still give each its own phone.
    """

    size: int
    step: int
    offset: int

    @classmethod
    def seeded(cls, size: int, seed: int, purpose: str) -> Scrambler:
        rng = random.Random(f"{purpose}:{seed}")
        step = rng.randrange(size // 3, size) | 1
        while math.gcd(step, size) != 1:
            step += 2
        return cls(size, step, rng.randrange(size))

    def __call__(self, index: int) -> int:
        return (index * self.step + self.offset) % self.size
