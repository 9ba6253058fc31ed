"""What one money command costs the client, one process on PostgreSQL: CPU and statements per call.

Usage: python bench/commands.py [--calls 300]

Starts a throwaway PostgreSQL server with the demo data, takes one verified call with a demo customer,
then repeats what an agent does for a disputed charge: open a dispute on a statement row, propose an
adjustment below the threshold, send the same save again (a double-pressed save), and, for a second
dispute proposed over the threshold, a supervisor's approval. Prints each command's client CPU
(`time.process_time` around the service call: the waits for the server are not in it) and the
statements it sent, per call, after ten calls of warm-up.

`bench/contention.py` measures the same commands with sixteen processes sharing two cores with the
server; this one says which command the client's time goes to, without the noise of the others.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from contention import ASSET, _agent_id, _customer_id, _keep_verified, _statement_rows  # noqa: E402
from sqlalchemy import event  # noqa: E402

from console import schema  # noqa: E402
from console.db import open_database  # noqa: E402
from console.keys import KeyRing  # noqa: E402
from console.seed.demo import DEMO_ACCOUNTS, seed_demo  # noqa: E402
from console.services import adjustments, disputes, tickets  # noqa: E402
from console.services.agents import add_agent, confirm_password  # noqa: E402
from console.services.context import Actor, OnCall  # noqa: E402
from models.base import utcnow  # noqa: E402

WARM_UP = 10
BELOW, OVER = {ASSET: "1000000000"}, {ASSET: "0"}
COMMANDS = ("open a dispute", "propose an adjustment", "the same save again", "approve a large one")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls of each command after the warm-up")
    args = parser.parse_args()

    from tests.support.postgres import ThrowawayPostgres

    server = ThrowawayPostgres().start()
    try:
        url = server.create_database("commands")
        schema.upgrade(url)
        keyring = KeyRing.generate()
        database = open_database(url, keyring)
        seed_demo(database, keyring)
        agent = add_agent(database.sessions, "bench00", "bench-password-123", "agent", now=datetime.now(UTC)).id
        supervisor = _agent_id(database, "chenjing")
        customer = _customer_id(database, DEMO_ACCOUNTS["wrong_fee"].account_number)
        database.dispose()
        cpu, sent = _measure(url, keyring, agent, supervisor, customer, args.calls)
    finally:
        server.stop()
    print(f"one process, PostgreSQL {server.port}, {args.calls} calls of each after {WARM_UP} of warm-up")
    print(f"{'command':24s} {'client CPU':>12s} {'statements':>11s} {'CPU per statement':>18s}")
    for name in COMMANDS:
        per_call = cpu[name] / args.calls
        statements = sent[name] / args.calls
        print(f"{name:24s} {per_call * 1e3:9.2f} ms {statements:11.1f} {per_call / statements * 1e6:15.0f} us")
    return 0


def _measure(
    url: str, keyring: KeyRing, agent: int, supervisor: int, customer: int, calls: int
) -> tuple[dict[str, float], dict[str, int]]:
    database = open_database(url, keyring, pool_size=2)
    sessions = database.sessions
    ticket = tickets.open_ticket(sessions, Actor(agent, utcnow()), customer, "statement_dispute").ticket_id
    rows = _statement_rows(sessions, [customer], 2 * (calls + WARM_UP), utcnow())[customer]
    _keep_verified(sessions, [ticket], datetime.now(UTC))
    confirm_password(sessions, Actor(supervisor, datetime.now(UTC)), "chenjing-demo")
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    gc.freeze()  # as the console does once it has loaded
    cpu = dict.fromkeys(COMMANDS, 0.0)
    sent = dict.fromkeys(COMMANDS, 0)

    def timed(name: str, command: Callable[[], Any]) -> Any:
        before, started = statements[0], time.process_time()
        answer = command()
        cpu[name] += time.process_time() - started
        sent[name] += statements[0] - before
        return answer

    for n in range(calls + WARM_UP):
        if n == WARM_UP:
            cpu, sent = dict.fromkeys(COMMANDS, 0.0), dict.fromkeys(COMMANDS, 0)
        now = datetime.now(UTC)
        call = OnCall(agent_id=agent, now=now, ticket_id=ticket, customer_id=customer)
        opened = timed("open a dispute", partial(disputes.open_dispute, sessions, call, rows.pop(), "3", "bench"))
        save = partial(
            adjustments.propose_adjustment, sessions, BELOW, call, opened.dispute_id, "3", "bench", uuid.uuid4().hex
        )
        timed("propose an adjustment", save)
        timed("the same save again", save)
        large = disputes.open_dispute(sessions, call, rows.pop(), "3", "bench")
        waiting = adjustments.propose_adjustment(
            sessions, OVER, call, large.dispute_id, "3", "bench", uuid.uuid4().hex
        ).adjustment
        decider = Actor(supervisor, datetime.now(UTC))
        approve = partial(
            adjustments.approve_adjustment, sessions, decider, waiting.adjustment_id, waiting.version, "ok"
        )
        timed("approve a large one", approve)
    database.dispose()
    return cpu, sent


if __name__ == "__main__":
    sys.exit(main())
