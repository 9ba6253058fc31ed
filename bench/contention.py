"""16 agents adjusting the same few accounts at once on PostgreSQL: throughput, retries, and the books.

Usage: python bench/contention.py [--processes 16] [--accounts 3] [--seconds 20] [--double-submit 0.2]

Starts a throwaway PostgreSQL server with the demo data, gives each process its own agent and a
verified call with each hot account, then for a fixed time every process opens a dispute on a new
statement row of a random hot account and proposes an adjustment through
`console.services.adjustments.propose_adjustment` (most post at once; one in ten is treated as over the
threshold and approved by a supervisor through `approve_adjustment`).
A fraction of submissions is sent twice with the same idempotency key, as a double-clicked save.

Prints adjustments per second, retries (serialization failures and deadlocks run again), lost
updates (a hot balance that differs from its opening amount plus every adjustment the workers saw
posted: must be 0), duplicate entries (ledger entries beyond one per posted adjustment: must be 0),
the ledger check (every balance equals the sum of its entries), and the audit chain check (every
event signed and linked, as `hotline audit verify` checks it).

The bench marks its calls verified directly in the tickets table (the verification flow itself is
measured by the tests); everything else runs through the services exactly as the console calls them.
"""

from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, update  # noqa: E402

from console import schema  # noqa: E402
from console.db import open_database  # noqa: E402
from console.keys import KeyRing  # noqa: E402
from console.seed.demo import DEMO_ACCOUNTS, seed_demo  # noqa: E402
from console.services import adjustments, audit, disputes, tickets  # noqa: E402
from console.services.agents import add_agent, confirm_password  # noqa: E402
from console.services.context import Actor, OnCall  # noqa: E402
from console.services.errors import ServiceError  # noqa: E402
from console.services.money import balance_of, format_amount, ledger_mismatches  # noqa: E402
from models import (  # noqa: E402
    Agent,
    EntryKind,
    LedgerEntry,
    PaymentMethod,
    Ticket,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from models.base import utcnow  # noqa: E402

HOT_CASES = ("two_factor_off", "international", "wrong_fee", "delayed_withdrawal", "dispute_open")
ASSET, SCALE = "USDT", 6
# Most adjustments post at once; one in ten is treated as large (threshold 0) and waits for approval.
THRESHOLDS = {ASSET: "1000000000"}
LARGE = {ASSET: "0"}
LARGE_SHARE = 0.1
# Statement rows made per hot account before the clock starts (more are made if a process runs out).
ROWS_PER_ACCOUNT = 200


@dataclass(frozen=True)
class Report:
    posted: dict[int, int]  # customer id -> sum of adjustments this worker saw posted
    adjustments: int
    approvals: int
    double_submits: int
    retries: int
    refusals: int
    cpu_seconds: float  # this process's CPU while the clock ran
    statements: int  # statements this process sent while the clock ran (BEGIN and COMMIT are the driver's)


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _statement_rows(sessions, customers: list[int], count: int, now: datetime) -> dict[int, list[int]]:
    """`count` fee rows on each hot account's statement, to dispute one by one: the charges callers ring
    about are already on their statements, so making them is no part of an agent's adjustment."""
    with sessions.begin() as session:
        rows = [
            Transaction(
                customer_id=customer_id,
                asset_code=ASSET,
                kind=TransactionKind.FEE,
                method=PaymentMethod.INTERNAL,
                status=TransactionStatus.COMPLETED,
                amount=100 * 10**SCALE,
                fee=0,
                reference=f"FEE-{uuid.uuid4().hex[:12]}",
                created_at=now,
            )
            for customer_id in customers
            for _ in range(count)
        ]
        session.add_all(rows)
        session.flush()
        found: dict[int, list[int]] = {customer_id: [] for customer_id in customers}
        for row in rows:
            found[row.customer_id].append(row.id)
        return found


def _keep_verified(sessions, ticket_ids: list[int], now: datetime) -> None:
    with sessions.begin() as session:
        session.execute(
            update(Ticket)
            .where(Ticket.id.in_(ticket_ids))
            .values(
                verified_at=now, verified_factor="sms", verified_customer_id=Ticket.customer_id, last_activity_at=now
            )
        )


def worker(
    url: str,
    keyring: KeyRing,
    agent_id: int,
    supervisor_id: int,
    customers: list[int],
    seconds: float,
    double_submit: float,
    seed: int,
    ready: Any,
    profile: str | None = None,
) -> Report:
    """One agent's process; with `profile`, run under cProfile and write its statistics there."""
    work = (url, keyring, agent_id, supervisor_id, customers, seconds, double_submit, seed, ready)
    if profile is None:
        return _work(*work)
    import cProfile

    profiler = cProfile.Profile(time.process_time)  # CPU time: the waits for the server are not the client's work
    report = profiler.runcall(_work, *work)
    profiler.dump_stats(profile)
    return report


def _work(
    url: str,
    keyring: KeyRing,
    agent_id: int,
    supervisor_id: int,
    customers: list[int],
    seconds: float,
    double_submit: float,
    seed: int,
    ready: Any,
) -> Report:
    """Set up (imports, the engine, the calls, the rows to dispute), wait until every process is set up,
    then adjust until the time is up: no process's start-up runs while another's clock does."""
    random.seed(seed)
    counter = _RetryCounter()
    logging.getLogger("hotline.db").addHandler(counter)
    logging.getLogger("hotline.db").setLevel(logging.INFO)
    database = open_database(url, keyring, pool_size=2)
    sessions = database.sessions
    calls = {
        customer: tickets.open_ticket(
            sessions, Actor(agent_id=agent_id, now=utcnow()), customer, "statement_dispute"
        ).ticket_id
        for customer in customers
    }
    rows = _statement_rows(sessions, customers, ROWS_PER_ACCOUNT, utcnow())
    posted = dict.fromkeys(customers, 0)
    applied = approvals = doubles = refusals = 0
    _keep_verified(sessions, list(calls.values()), datetime.now(UTC))
    sent = [0]

    def count(*_args: Any) -> None:
        sent[0] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    gc.freeze()  # as the console does once it has loaded: set-up's objects are never collected again
    ready.wait()
    sent[0] = 0
    cpu_started = time.process_time()
    deadline = time.monotonic() + seconds
    last_verified = time.monotonic()
    while time.monotonic() < deadline:
        now = datetime.now(UTC)
        if time.monotonic() - last_verified > 60:
            _keep_verified(sessions, list(calls.values()), now)
            # A supervisor decides only within 5 minutes of typing the password.
            confirm_password(sessions, Actor(supervisor_id, now), "chenjing-demo")
            last_verified = time.monotonic()
        customer = random.choice(customers)
        # The call as the console passes it: the agent, the ticket and the caller found on it.
        call = OnCall(agent_id=agent_id, now=now, ticket_id=calls[customer], customer_id=customer)
        amount = format_amount(random.randint(1, 55 * 10**SCALE), SCALE)
        try:
            if not rows[customer]:
                rows.update(_statement_rows(sessions, [customer], ROWS_PER_ACCOUNT, now))
            row = rows[customer].pop()
            dispute = disputes.open_dispute(sessions, call, row, amount, "bench")
            key = f"bench-{uuid.uuid4().hex}"
            policy = LARGE if random.random() < LARGE_SHARE else THRESHOLDS
            made = adjustments.propose_adjustment(
                sessions, policy, call, dispute.dispute_id, amount, "bench", key
            ).adjustment
            if random.random() < double_submit:
                again = adjustments.propose_adjustment(
                    sessions, policy, call, dispute.dispute_id, amount, "bench", key
                ).adjustment
                assert again.adjustment_id == made.adjustment_id
                doubles += 1
            if made.awaiting_approval:
                made = adjustments.approve_adjustment(
                    sessions, Actor(agent_id=supervisor_id, now=now), made.adjustment_id, made.version, "bench approval"
                )
                approvals += 1
            if made.status == "applied":
                posted[customer] += made.amount
                applied += 1
        except ServiceError as refusal:
            refusals += 1
            if refusals == 1:
                print(f"first refusal in process {seed}: {refusal}", flush=True)
    cpu_seconds = time.process_time() - cpu_started
    statements = sent[0]
    database.dispose()
    return Report(posted, applied, approvals, doubles, counter.count, refusals, cpu_seconds, statements)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=3, help="hot accounts every process adjusts")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--double-submit", type=float, default=0.2, help="share of saves sent twice")
    parser.add_argument("--pgbench-seconds", type=float, default=10.0, help="TPC-B anchor run (0: none)")
    parser.add_argument("--profile", metavar="FILE", help="run the first process under cProfile, statistics to FILE")
    args = parser.parse_args()

    from tests.support.postgres import ThrowawayPostgres

    server = ThrowawayPostgres().start()
    try:
        url = server.create_database("contention")
        schema.upgrade(url)
        keyring = KeyRing.generate()  # every process signs the one audit log with the same keys
        database = open_database(url, keyring)
        seed_demo(database, keyring)
        supervisor = _agent_id(database, "chenjing")
        # The supervisor who approves the large ones typed the password lately (a decision needs it
        # within 5 minutes; the workers type it again every minute of a longer run).
        confirm_password(database.sessions, Actor(supervisor, utcnow()), "chenjing-demo")
        agents = [
            add_agent(database.sessions, f"bench{n:02d}", "bench-password-123", "agent", now=datetime.now(UTC)).id
            for n in range(args.processes)
        ]
        customers = [_customer_id(database, DEMO_ACCOUNTS[case].account_number) for case in HOT_CASES[: args.accounts]]
        with database.sessions() as session:
            opening = {customer: balance_of(session, customer, ASSET) for customer in customers}
        database.dispose()

        # The anchor runs just before and just after the adjustments, and the rate is set beside the mean
        # of the two: on a shared machine the load moves within a minute.
        anchors = []
        if args.pgbench_seconds > 0:
            anchors.append(pgbench_tps(server, args.processes, args.pgbench_seconds, "pgbench_before"))
        print(
            f"{args.processes} processes adjusting {len(customers)} hot accounts for {args.seconds:.0f} s"
            f" on PostgreSQL {server.port} ..."
        )
        started = time.perf_counter()
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(args.processes) as pool:
            ready = manager.Barrier(args.processes)
            reports = pool.starmap(
                worker,
                [
                    (
                        url,
                        keyring,
                        agent,
                        supervisor,
                        customers,
                        args.seconds,
                        args.double_submit,
                        n,
                        ready,
                        args.profile if n == 0 else None,
                    )
                    for n, agent in enumerate(agents)
                ],
            )
        elapsed = time.perf_counter() - started

        if args.pgbench_seconds > 0:
            anchors.append(pgbench_tps(server, args.processes, args.pgbench_seconds, "pgbench_after"))
        tps = sum(anchors) / len(anchors) if anchors else None
        database = open_database(url, keyring)
        with database.sessions() as session:
            expected = {c: opening[c] + sum(report.posted[c] for report in reports) for c in customers}
            actual = {c: balance_of(session, c, ASSET) for c in customers}
            lost = sum(1 for c in customers if actual[c] != expected[c])
            entries = session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind == EntryKind.ADJUSTMENT, LedgerEntry.customer_id.in_(customers))
            )
            mismatches = ledger_mismatches(session)
        # Sixteen writers appended to one signed chain: it must still verify from end to end.
        chain = audit.verify_chain(database.read_sessions)
        database.dispose()
    finally:
        server.stop()

    posted = sum(report.adjustments for report in reports)
    print(f"adjustments posted      {posted:,} ({posted / args.seconds:,.1f}/s; {elapsed:.1f} s with start-up)")
    print(f"  of which approved     {sum(r.approvals for r in reports):,} (large: waited for a supervisor)")
    print(f"double submits          {sum(r.double_submits for r in reports):,} (same key sent twice)")
    print(
        f"retries                 {sum(r.retries for r in reports):,} (serialization failures or deadlocks run again)"
    )
    print(f"refused                 {sum(r.refusals for r in reports):,}")
    print(f"lost updates            {lost} (target 0)")
    print(f"duplicate entries       {entries - posted} (target 0)")
    print(f"ledger check            {'balanced' if not mismatches else f'{len(mismatches)} balances off'}")
    print(
        f"audit chain             {chain.events_checked:,} events, "
        + ("intact" if chain.ok else f"broken at event {chain.broken_at_seq}: {chain.problem}")
    )
    if posted:
        client_cpu = sum(report.cpu_seconds for report in reports)
        print(f"client CPU              {client_cpu / posted * 1e3:.1f} ms per adjustment (the agents' processes)")
        statements = sum(report.statements for report in reports)
        print(f"statements              {statements / posted:.1f} per adjustment (doubles and approvals included)")
    if tps is not None:
        rate = posted / args.seconds
        around = " and ".join(f"{anchor:,.0f}" for anchor in anchors)
        print(
            f"pgbench TPC-B           {tps:,.0f} tps, {args.processes} clients, same server (anchor:"
            f" the mean of {around} tps, just before and just after)"
        )
        print(f"adjustments / TPC-B     {rate / tps:.2%} (each adjustment is 4-5 transactions with audit events)")
    return 0 if lost == 0 and entries == posted and not mismatches and chain.ok else 1


def pgbench_tps(server, clients: int, seconds: float, database: str = "pgbench") -> float:
    """pgbench's TPC-B on the same server, in a throwaway database of scale 1, as many clients as processes."""
    url = server.create_database(database)
    name = url.rsplit("/", 1)[1]
    connection = ["-h", "127.0.0.1", "-p", str(server.port), "-U", server.user]
    binary = str(server.bin_dir / "pgbench")
    subprocess.run([binary, "-i", "-s", "1", "-q", *connection, name], check=True, capture_output=True)
    threads = str(min(clients, os.cpu_count() or 1))
    result = subprocess.run(
        [binary, "-c", str(clients), "-j", threads, "-T", str(int(seconds)), "-M", "prepared", *connection, name],
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    if found is None:
        raise RuntimeError(f"pgbench printed no tps: {result.stdout[-500:]}")
    return float(found.group(1))


def _agent_id(database, username: str) -> int:
    with database.sessions() as session:
        return session.scalar(select(Agent.id).where(Agent.username == username))


def _customer_id(database, account_number: str) -> int:
    from models import Customer

    with database.sessions() as session:
        return session.scalar(select(Customer.id).where(Customer.account_number == account_number))


if __name__ == "__main__":
    sys.exit(main())
