"""Seeds: the demo wallet with a customer for every case, and large synthetic databases for benchmarks."""

from console.seed.demo import (
    DEMO_ACCOUNTS,
    DemoAccount,
    DemoLogin,
    DemoSeedReport,
    is_demo_database,
    seed_demo,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DemoAccount",
    "DemoLogin",
    "DemoSeedReport",
    "is_demo_database",
    "seed_demo",
]
