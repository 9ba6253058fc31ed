"""Console passwords: argon2id at OWASP's recommended parameters, paid for only when a password is checked."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select, update

from console.db import Database
from console.services import agents
from models import Agent

# OWASP Password Storage Cheat Sheet, argon2id: at least m=19 MiB with t=2 and p=1.
OWASP_MEMORY_KIB, OWASP_TIME = 19 * 1024, 2


def test_passwords_are_hashed_at_or_above_owasp_s_recommendation() -> None:
    parameters = agents._hasher
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= OWASP_MEMORY_KIB and parameters.time_cost >= OWASP_TIME
    assert parameters.memory_cost < RFC_9106_LOW_MEMORY.memory_cost  # not the library's 64 MiB default


def test_an_unknown_username_is_checked_against_a_hash_of_the_same_cost() -> None:
    # Written out in the module (no hash at import); its parameters must be the ones real hashes get.
    dummy = agents._DUMMY_HASH
    assert not agents._hasher.check_needs_rehash(dummy)
    assert agents._password_matches(dummy, "not-a-real-password")


def test_a_hash_made_with_the_old_default_still_logs_in_and_is_rehashed(database: Database) -> None:
    agents.add_agent(database.sessions, "olga", "old-password-1", "agent", now=datetime.now(UTC))
    old = PasswordHasher().hash("old-password-1")  # argon2-cffi's default: 64 MiB, t=3, p=4
    with database.sessions.begin() as session:
        session.execute(update(Agent).where(Agent.username == "olga").values(password_hash=old))
    assert agents.authenticate(database.sessions, "olga", "old-password-1", now=datetime.now(UTC)).username == "olga"
    with database.sessions() as session:
        stored = session.scalar(select(Agent.password_hash).where(Agent.username == "olga"))
    assert stored is not None and stored != old
    assert not agents._hasher.check_needs_rehash(stored)
    assert agents.authenticate(database.sessions, "olga", "old-password-1", now=datetime.now(UTC)).username == "olga"
