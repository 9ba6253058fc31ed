"""One console's clock cannot bend the time rules: on PostgreSQL a console more than 30 s off the server's
clock is refused, so a fast clock cannot expire a lockout, a code or a step-up window early."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from console.db import Database, open_database
from console.keys import KeyRing
from console.services import codes, unlocks, verification
from console.services.context import Actor, OnCall
from console.services.errors import Refused
from tests.support.world import World

pytestmark = pytest.mark.postgres
CASE = "two_factor_on"


@pytest.fixture
def floor(demo_postgres_url: str, demo_keyring: KeyRing) -> Iterator[World]:
    """The demo data on PostgreSQL as a console opens it: the console's clock is not taken on trust."""
    database: Database = open_database(demo_postgres_url, demo_keyring)
    yield World(database, demo_keyring, datetime.now(UTC))
    database.dispose()


def _lock_out(w: World, ticket: int) -> datetime:
    lina, customer = w.agent("lina"), w.customer(CASE)
    for _ in range(codes.MAX_FAILURES):
        code = w.wrong(w.totp_code(CASE, datetime.now(UTC)))
        outcome = codes.check_totp(
            w.sessions,
            w.keyring,
            OnCall(agent_id=lina, now=datetime.now(UTC), ticket_id=ticket, customer_id=customer),
            code,
        )
    assert outcome.locked_until is not None
    return outcome.locked_until


def test_a_console_16_minutes_fast_cannot_clear_another_agents_lockout(floor: World) -> None:
    w = floor
    locked_until = _lock_out(w, w.open_ticket(CASE))
    fast = datetime.now(UTC) + timedelta(minutes=16)
    marcus_ticket = w.open_ticket(CASE, username="marcus")
    marcus, customer = w.agent("marcus"), w.customer(CASE)
    with pytest.raises(Refused, match=r"clock is 1[56] min \d+ s ahead of the database server's"):
        codes.check_totp(
            w.sessions,
            w.keyring,
            OnCall(agent_id=marcus, now=fast, ticket_id=marcus_ticket, customer_id=customer),
            w.totp_code(CASE, fast),
        )
    with pytest.raises(Refused, match="ahead of the database server's"):
        codes.send_code(
            w.sessions,
            w.keyring,
            OnCall(agent_id=marcus, now=fast, ticket_id=marcus_ticket, customer_id=customer),
            "sms",
            "verify",
        )
    with pytest.raises(Refused, match="ahead of the database server's"):
        unlocks.lift_verification_lockout(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=fast), marcus_ticket, "caller waited"
        )
    row = w.customer_row(CASE)
    assert row.verify_locked_until == locked_until and row.verify_failures == codes.MAX_FAILURES


def test_a_slow_console_cannot_stretch_a_step_up_window(floor: World) -> None:
    w = floor
    ticket = w.verified_call(CASE)  # verified now, by the real clock
    slow = datetime.now(UTC) - timedelta(minutes=10)
    with pytest.raises(Refused, match="behind the database server's"):
        verification.reveal_field(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=slow, ticket_id=ticket, customer_id=w.customer(CASE)),
            "phone",
        )


def test_a_console_within_30_seconds_of_the_server_works(floor: World) -> None:
    w = floor
    ticket = w.open_ticket(CASE)
    for off in (timedelta(seconds=-25), timedelta(seconds=25)):
        verification.start_verification(
            w.sessions,
            OnCall(
                agent_id=w.agent("lina"), now=datetime.now(UTC) + off, ticket_id=ticket, customer_id=w.customer(CASE)
            ),
        )
    with pytest.raises(Refused, match=r"31 s ahead|32 s ahead"):
        verification.start_verification(
            w.sessions,
            OnCall(
                agent_id=w.agent("lina"),
                now=datetime.now(UTC) + timedelta(seconds=31.5),
                ticket_id=ticket,
                customer_id=w.customer(CASE),
            ),
        )
