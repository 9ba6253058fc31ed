"""The supervisors' queue and the departments' feedback lists on a 1M-customer database, beside the bare driver.

Usage: python bench/desks.py [--customers 1000000] [--repeat 200] [--no-postgres] [--no-sqlite]

Creates (or reuses) a synthetic SQLite file under bench/.data/ and seeds a throwaway PostgreSQL server
the same way, then adds what a floor's database holds after a year of work and one busy morning: decided
adjustments and unlock requests by the ten thousand, with a few hundred of each still waiting for a
supervisor; callers locked out of verification right now; tens of thousands of pieces of feedback in
the five departments, most of them closed, each with its status history, a few hundred complaints
escalated and not yet resolved; open and dismissed insider alerts. These rows are written in bulk
(the same rows the services write, checks and all), not through the services: the point is what the
desk's reads cost over them.

Then it times what the screens call, as their workers call it: `escalations.escalation_queue` (the
supervisors' home, reloaded on every change), `feedback_desk.department_feedback` for each department
(what waits, newest first) and `feedback_desk.waiting_by_department` (the counts beside the
department names). Beside each, in the same run, the anchor: the statements that call sent, captured
from the engine and run again on a plain DBAPI connection with the same parameters. Every statement's
plan is checked (EXPLAIN) for a full scan of a large table.

Targets: DESIGN.md names none for these reads. The queue's reload is one part of "new item to on
screen <= 2 s", and a list opened by a key is held to the keystroke budget (<= 50 ms); the bench
prints both beside the figures, and the ratio to the driver, which is what tells noise from waste.
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lookup import bare_connection  # noqa: E402  (the lookup bench's anchor: a plain DBAPI connection)
from sqlalchemy import Connection, event, func, insert, select, text, update  # noqa: E402

from console import schema  # noqa: E402
from console.db import Database, open_database  # noqa: E402
from console.keys import KeyRing  # noqa: E402
from console.seed.synthetic import seed_synthetic  # noqa: E402
from console.services.agents import add_agent  # noqa: E402
from console.services.context import Actor  # noqa: E402
from console.services.escalations import escalation_queue  # noqa: E402
from console.services.feedback_desk import department_feedback, waiting_by_department  # noqa: E402
from models import (  # noqa: E402
    Adjustment,
    Agent,
    ApprovalStatus,
    Customer,
    CustomerStatus,
    Department,
    Dispute,
    DisputeStatus,
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
    FeedbackStatusChange,
    LockReason,
    ProductArea,
    Ticket,
    UnlockRequest,
    VerificationAttempt,
)
from models.calls import Disposition, TicketReason, TicketStatus  # noqa: E402
from models.insider import InsiderAlert, InsiderAlertStatus  # noqa: E402
from models.money import Transaction  # noqa: E402
from models.verification import Factor  # noqa: E402

DATA = ROOT / "bench" / ".data"

QUEUE_TARGET_MS = 2_000.0  # the whole of "new item to on screen"; the reload is a part of it
LIST_TARGET_MS = 50.0  # a list opened by a key: the keystroke-to-results budget

# What waits, and what a year of work left behind (decided, closed, resolved, dismissed).
WAITING = {"adjustments": 300, "unlocks": 300, "complaints": 200, "lockouts": 50, "alerts": 10}
HISTORY = {"adjustments": 20_000, "unlocks": 5_000, "feedback": 60_000, "complaints": 3_000, "alerts": 200}
AGENTS, SUPERVISORS = 40, 4
BATCH = 5_000


def build_sqlite(customers: int) -> str:
    path = DATA / f"desks-{customers}.sqlite"
    url = f"sqlite:///{path}"
    if path.exists() and _has_customers(path):
        schema.upgrade(url)  # a file seeded before the newest migration keeps its data
        print(f"reusing {path}")
        return url
    DATA.mkdir(parents=True, exist_ok=True)
    schema.remove_sqlite_files(path)
    schema.upgrade(url)
    started = time.perf_counter()
    seed_synthetic(url, customers=customers, transactions_per_customer=5, keyring=KeyRing.generate())
    print(f"seeded {customers:,} customers into {path} in {time.perf_counter() - started:.1f} s")
    return url


def _has_customers(path: Path) -> bool:
    with sqlite3.connect(path) as connection:
        try:
            return connection.execute("SELECT EXISTS (SELECT 1 FROM customers)").fetchone()[0] == 1
        except sqlite3.OperationalError:
            return False


# --- the desk's work --------------------------------------------------------------------------------


def staff(database: Database) -> tuple[list[int], list[int]]:
    """The floor's agents and supervisors (added once; hashing their passwords is the slow part)."""
    with database.sessions() as session:
        found = dict(session.execute(select(Agent.username, Agent.id).where(Agent.username.like("desk-%"))).all())
    agents, supervisors = [], []
    for n in range(AGENTS + SUPERVISORS):
        role = "agent" if n < AGENTS else "supervisor"
        name = f"desk-{role}-{n}"
        if name not in found:
            found[name] = add_agent(
                database.sessions, name, "desk-password-123", role, display_name=name, now=datetime.now(UTC)
            ).id
        (agents if role == "agent" else supervisors).append(found[name])
    return agents, supervisors


def has_desk_work(database: Database) -> bool:
    with database.sessions() as session:
        return bool(session.scalar(select(func.count()).select_from(Feedback)))


def add_desk_work(database: Database, agents: list[int], supervisors: list[int], seed: int = 11) -> dict[str, int]:
    """Write the year's history and the morning's waiting items in one transaction; rows per table."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    with database.engine.begin() as connection:
        max_customer = connection.scalar(select(func.max(Customer.id))) or 0
        max_transaction = connection.scalar(select(func.max(Transaction.id))) or 0
        ids = _IdSource(connection)

        def ago(low: timedelta, high: timedelta) -> datetime:
            return now - timedelta(seconds=rng.uniform(low.total_seconds(), high.total_seconds()))

        year, days3 = timedelta(days=365), timedelta(days=3)

        # Disputes and their adjustments: a year of decided ones, and the waiting ones of the last days.
        picked = rng.sample(range(1, max_transaction + 1), HISTORY["adjustments"] + WAITING["adjustments"])
        statement_rows = []
        for chunk in range(0, len(picked), BATCH):
            statement_rows += connection.execute(
                select(Transaction.id, Transaction.customer_id, Transaction.asset_code).where(
                    Transaction.id.in_(picked[chunk : chunk + BATCH])
                )
            ).all()
        disputes, adjustments = [], []
        for n, (transaction_id, customer_id, asset) in enumerate(statement_rows):
            waiting = n < WAITING["adjustments"]
            asked = ago(timedelta(0), days3) if waiting else ago(days3, year)
            by = rng.choice(agents)
            dispute_id, amount = ids.next("disputes"), rng.randint(50_000, 5_000_000)
            decided = rng.choices([ApprovalStatus.APPLIED, ApprovalStatus.REJECTED, ApprovalStatus.VOID], [8, 2, 1])[0]
            disputes.append(
                {
                    "id": dispute_id,
                    "customer_id": customer_id,
                    "transaction_id": transaction_id,
                    "opened_by_agent_id": by,
                    "asset_code": asset,
                    "claimed_amount": amount,
                    "description": "The caller says this charge is wrong.",
                    "status": DisputeStatus.AWAITING_APPROVAL
                    if waiting
                    else (DisputeStatus.ADJUSTED if decided == ApprovalStatus.APPLIED else DisputeStatus.REJECTED),
                    "opened_at": asked,
                    "updated_at": asked,
                }
            )
            adjustments.append(
                {
                    "id": ids.next("adjustments"),
                    "dispute_id": dispute_id,
                    "customer_id": customer_id,
                    "asset_code": asset,
                    "amount": amount,
                    "reason": "Charged twice for one withdrawal.",
                    "idempotency_key": f"desk-bench-{dispute_id}",
                    "status": ApprovalStatus.PENDING if waiting else decided,
                    "requested_by_agent_id": by,
                    "requested_at": asked,
                    "approved_by_agent_id": None if waiting else rng.choice(supervisors),
                    "decided_at": None if waiting else asked + timedelta(minutes=rng.randint(5, 600)),
                    "decision_reason": None if waiting else "Checked against the statement.",
                }
            )
        counts["disputes"] = _insert(connection, Dispute, disputes)
        counts["adjustments"] = _insert(connection, Adjustment, adjustments)

        # Unlock requests: the waiting ones are for customers under a risk or abnormal-login lock now.
        customers = rng.sample(range(1, max_customer + 1), HISTORY["unlocks"] + WAITING["unlocks"])
        locked_now = customers[: WAITING["unlocks"]]
        connection.execute(
            update(Customer)
            .where(Customer.id.in_(locked_now))
            .values(status=CustomerStatus.LOCKED, lock_reason=LockReason.RISK, locked_at=now - days3)
        )
        requests = []
        for n, customer_id in enumerate(customers):
            waiting = n < WAITING["unlocks"]
            asked = ago(timedelta(0), days3) if waiting else ago(days3, year)
            requests.append(
                {
                    "id": ids.next("unlock_requests"),
                    "customer_id": customer_id,
                    "reason": "Caller verified by SMS; the login from abroad was theirs.",
                    "status": ApprovalStatus.PENDING
                    if waiting
                    else rng.choice([ApprovalStatus.APPLIED, ApprovalStatus.REJECTED]),
                    "requested_by_agent_id": rng.choice(agents),
                    "requested_at": asked,
                    "approved_by_agent_id": None if waiting else rng.choice(supervisors),
                    "decided_at": None if waiting else asked + timedelta(minutes=rng.randint(5, 600)),
                    "decision_reason": None if waiting else "Checked the login events.",
                }
            )
        counts["unlock_requests"] = _insert(connection, UnlockRequest, requests)

        # Callers locked out of verification now, each after five wrong codes on an agent's call.
        lockout_customers = rng.sample(range(1, max_customer + 1), WAITING["lockouts"])
        tickets, attempts = [], []
        for customer_id in lockout_customers:
            until = now + timedelta(minutes=rng.uniform(1, 14))
            started = until - timedelta(minutes=15)
            ticket_id, agent = ids.next("tickets"), rng.choice(agents)
            tickets.append(
                {
                    "id": ticket_id,
                    "customer_id": customer_id,
                    "agent_id": agent,
                    "reason": TicketReason.LOCKED_ACCOUNT,
                    "status": TicketStatus.CLOSED,
                    "disposition": Disposition.ESCALATED,
                    "opened_at": started - timedelta(minutes=4),
                    "closed_at": started + timedelta(minutes=2),
                }
            )
            for k in range(5):
                attempts.append(
                    {
                        "id": ids.next("verification_attempts"),
                        "customer_id": customer_id,
                        "ticket_id": ticket_id,
                        "agent_id": agent,
                        "factor": Factor.SMS,
                        "success": False,
                        "failure_reason": "wrong code",
                        "attempted_at": started - timedelta(seconds=30 * (4 - k)),
                    }
                )
            connection.execute(update(Customer).where(Customer.id == customer_id).values(verify_locked_until=until))
        counts["tickets"] = _insert(connection, Ticket, tickets)
        counts["verification_attempts"] = _insert(connection, VerificationAttempt, attempts)

        # Feedback in the five departments, most of it closed, each with its status history; complaints
        # escalated to the queue (a few hundred still waiting) and resolved ones from the year.
        feedback, changes = [], []
        order = list(FeedbackStatus)
        total = HISTORY["feedback"] + HISTORY["complaints"] + WAITING["complaints"]
        for n in range(total):
            escalated = n >= HISTORY["feedback"]
            still_waiting = n >= HISTORY["feedback"] + HISTORY["complaints"]
            recorded = ago(timedelta(0), days3) if still_waiting else ago(timedelta(0), year)
            status = rng.choices(order, [15, 10, 10, 65])[0]
            by = rng.choice(agents)
            row: dict[str, Any] = {
                "id": ids.next("feedback"),
                "customer_id": rng.randint(1, max_customer),
                "agent_id": by,
                "category": FeedbackCategory.COMPLAINT if escalated else rng.choice(list(FeedbackCategory)),
                "product_area": rng.choice(list(ProductArea)),
                "department": rng.choice(list(Department)),
                "body": "The withdrawal took three days and nobody told me why.",
                "status": status,
                "created_at": recorded,
                "escalated_by_agent_id": None,
                "escalated_at": None,
                "escalation_reason": None,
                "escalation_resolved_by_agent_id": None,
                "escalation_resolved_at": None,
                "escalation_resolution": None,
            }
            if escalated:
                row |= {
                    "escalated_by_agent_id": rng.choice(supervisors),
                    "escalated_at": recorded + timedelta(minutes=3),
                    "escalation_reason": "The caller asks for a supervisor.",
                }
                if not still_waiting:
                    row |= {
                        "escalation_resolved_by_agent_id": next(
                            s for s in supervisors if s != row["escalated_by_agent_id"]
                        ),
                        "escalation_resolved_at": recorded + timedelta(hours=2),
                        "escalation_resolution": "Called back and explained the delay.",
                    }
            feedback.append(row)
            was = None
            for step, to in enumerate(order[: order.index(status) + 1]):
                if step and rng.random() < 0.3 and to != status:
                    continue  # statuses may be skipped
                changes.append(
                    {
                        "id": ids.next("feedback_status_changes"),
                        "feedback_id": row["id"],
                        "from_status": was,
                        "to_status": to,
                        "agent_id": by if was is None else rng.choice(supervisors),
                        "changed_at": recorded + timedelta(hours=step * 24),
                    }
                )
                was = to
        counts["feedback"] = _insert(connection, Feedback, feedback)
        counts["feedback_status_changes"] = _insert(connection, FeedbackStatusChange, changes)

        alerts = []
        for n in range(HISTORY["alerts"] + WAITING["alerts"]):
            waiting = n < WAITING["alerts"]
            agent = rng.choice(agents)
            raised = ago(timedelta(0), days3) if waiting else ago(days3, year)
            alerts.append(
                {
                    "id": ids.next("insider_alerts"),
                    "agent_id": agent,
                    "raised_at": raised,
                    "customers": rng.randint(31, 60),
                    "window_seconds": 3600,
                    "status": InsiderAlertStatus.OPEN if waiting else InsiderAlertStatus.DISMISSED,
                    "dismissed_by_agent_id": None if waiting else rng.choice(supervisors),
                    "dismissed_at": None if waiting else raised + timedelta(hours=1),
                    "dismissal_reason": None if waiting else "A campaign's callbacks.",
                }
            )
        counts["insider_alerts"] = _insert(connection, InsiderAlert, alerts)
        ids.move_sequences()
    return counts


class _IdSource:
    """Ids handed out above what each table holds, so history rows can point at each other before insert."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        if table not in self.last:
            self.last[table] = self.connection.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")) or 0
        self.last[table] += 1
        return self.last[table]

    def move_sequences(self) -> None:
        if self.connection.dialect.name != "postgresql":
            return
        for table, last in self.last.items():
            self.connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"))


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> int:
    for chunk in range(0, len(rows), BATCH):
        connection.execute(insert(model), rows[chunk : chunk + BATCH])
    return len(rows)


# --- timing ----------------------------------------------------------------------------------------

Statement = tuple[str, Any]


def measure(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()
    # As the console does once it has loaded (console.app, load_the_rest): what is loaded by now is
    # out of the collector's reach, so a full collection does not walk the seed's leftovers either.
    gc.freeze()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        call()
        timings.append((time.perf_counter_ns() - started) / 1e6)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


def captured_statements(database: Database, call: Callable[[], object]) -> list[Statement]:
    """The reads one service call sends to the driver, with their parameters as the driver got them."""
    sent: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert sent, "the service call sent no statement the bench could see"
    return sent


# A table smaller than this is read whole by PostgreSQL's planner by choice (one page or a few); the
# bench holds to an index only the tables a floor's history makes large.
LARGE_TABLE_ROWS = 10_000


def large_tables(bare: Any) -> set[str]:
    """The tables holding at least LARGE_TABLE_ROWS rows in this database."""
    cursor = bare.cursor()
    found = set()
    for table in (
        "customers",
        "transactions",
        "ledger_entries",
        "balances",
        "feedback",
        "feedback_status_changes",
        "adjustments",
        "disputes",
        "unlock_requests",
        "verification_attempts",
        "audit_events",
        "tickets",
    ):
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT {LARGE_TABLE_ROWS}) AS enough")
        if cursor.fetchone()[0] >= LARGE_TABLE_ROWS:
            found.add(table)
    cursor.close()
    return found


def partial_indexes(bare: Any, dialect: str) -> set[str]:
    """The partial indexes (those with a WHERE clause): a scan of one reads only the rows it holds."""
    cursor = bare.cursor()
    if dialect == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")
    else:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '% WHERE %'")
    found = {row[0] for row in cursor.fetchall()}
    cursor.close()
    return found


def full_scans(bare: Any, statements: list[Statement], dialect: str, large: set[str]) -> list[str]:
    """Plan lines that read a whole large table (or a whole index of one, unless the index is partial)
    for any of these statements."""
    partial = partial_indexes(bare, dialect)
    found = []
    for sql, parameters in statements:
        cursor = bare.cursor()
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, parameters)
            lines = [row[3] for row in cursor.fetchall()]
            scans = [
                line
                for line in lines
                if line.startswith("SCAN ")
                and line.split()[1] in large
                and "USING INTEGER PRIMARY KEY" not in line
                and line.split()[-1] not in partial
            ]
        else:
            cursor.execute("EXPLAIN " + sql, parameters)
            lines = [row[0] for row in cursor.fetchall()]
            scans = [
                line.strip()
                for line in lines
                if "Seq Scan on" in line and line.split("Seq Scan on ")[1].split()[0] in large
            ]
        cursor.close()
        found += [f"{scan}   <- {' '.join(sql.split())[:120]}" for scan in scans]
    return found


def plans(bare: Any, statements: list[Statement], dialect: str) -> list[str]:
    out = []
    for sql, parameters in statements:
        cursor = bare.cursor()
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, parameters)
            lines = [row[3] for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN " + sql, parameters)
            lines = [row[0] for row in cursor.fetchall()]
        cursor.close()
        out.append(" ".join(sql.split())[:140])
        out += [f"    {line}" for line in lines]
    return out


def run(label: str, database: Database, repeat: int, show_plans: bool) -> bool:
    dialect = database.engine.dialect.name
    _, supervisors = staff(database)
    desk = Actor(supervisors[0], datetime.now(UTC))
    calls: dict[str, Callable[[], object]] = {
        "escalation queue": lambda: escalation_queue(database.read_sessions, desk.at(datetime.now(UTC))),
        "waiting by department": lambda: waiting_by_department(database.read_sessions, desk),
    }
    for department in Department:
        calls[f"feedback: {department.value}"] = lambda department=department: department_feedback(
            database.read_sessions, desk, department.value
        )
    queue = escalation_queue(database.read_sessions, desk)
    kinds: dict[str, int] = {}
    for item in queue:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    print(f"\n{label}: the queue holds {len(queue)} items ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    print(f"service calls vs the bare driver running the same statements, {repeat} calls each")
    print(
        f"{'call':<30} {'rows':>5} {'stmts':>5} {'p50 ms':>8} {'p99 ms':>8} {'target':>7}"
        f" {'driver p50':>10} {'p99':>7} {'x p50':>6} {'x p99':>6}  ok"
    )
    bare = bare_connection(database)
    large = large_tables(bare)
    all_ok = True
    scans: list[str] = []
    for name, call in calls.items():
        result = call()
        rows = len(result) if isinstance(result, list | dict) else 0
        p50, p99 = measure(call, repeat)
        statements = captured_statements(database, call)

        def driver() -> None:
            cursor = bare.cursor()
            for sql, parameters in statements:  # noqa: B023
                cursor.execute(sql, parameters)
                cursor.fetchall()
            cursor.close()

        d50, d99 = measure(driver, repeat)
        target = QUEUE_TARGET_MS if name == "escalation queue" else LIST_TARGET_MS
        found = full_scans(bare, statements, dialect, large)
        scans += found
        ok = p99 <= target and not found
        all_ok &= ok
        print(
            f"{name:<30} {rows:5d} {len(statements):5d} {p50:8.3f} {p99:8.3f} {target:7.0f}"
            f" {d50:10.3f} {d99:7.3f} {p50 / d50:6.1f} {p99 / d99:6.1f}  {'yes' if ok else 'NO'}"
        )
        if show_plans:
            print("\n".join(plans(bare, statements[:12], dialect)))
    bare.close()
    print("EXPLAIN: no full scan of a large table" if not scans else "EXPLAIN: FULL SCANS\n  " + "\n  ".join(scans))
    return all_ok


def prepare(database: Database) -> None:
    if has_desk_work(database):
        # The lockouts end 15 minutes after they began: begin them again, so a reused file still has them.
        now = datetime.now(UTC)
        with database.engine.begin() as connection:
            connection.execute(
                update(Customer)
                .where(Customer.verify_locked_until.is_not(None))
                .values(verify_locked_until=now + timedelta(minutes=14))
            )
        print("desk work already there (lockouts begun again)")
        return
    agents, supervisors = staff(database)
    started = time.perf_counter()
    counts = add_desk_work(database, agents, supervisors)
    print(
        f"added the desk's work in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
    )


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--plans", action="store_true", help="print every statement's plan")
    args = parser.parse_args()

    ok = True
    if not args.no_sqlite:
        sqlite_db = open_database(build_sqlite(args.customers), KeyRing.generate())
        prepare(sqlite_db)
        with sqlite_db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        print(f"load average before: {load_average()}")
        ok &= run(f"SQLite file, {args.customers:,} customers", sqlite_db, args.repeat, args.plans)
        print(f"load average after: {load_average()}")
        sqlite_db.dispose()

    if not args.no_postgres:
        from tests.support.postgres import ThrowawayPostgres

        server = ThrowawayPostgres().start()
        try:
            url = server.create_database("desks")
            schema.upgrade(url)
            started = time.perf_counter()
            seed_synthetic(url, customers=args.customers, transactions_per_customer=5, keyring=KeyRing.generate())
            print(f"\nseeded PostgreSQL in {time.perf_counter() - started:.1f} s")
            pg = open_database(url, KeyRing.generate())
            prepare(pg)
            # A freshly loaded database would be vacuumed by autovacuum while we measure.
            with pg.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
                connection.exec_driver_sql("CHECKPOINT")
            print(f"load average before: {load_average()}")
            ok &= run(f"PostgreSQL (throwaway, loopback), {args.customers:,} customers", pg, args.repeat, args.plans)
            print(f"load average after: {load_average()}")
            pg.dispose()
        finally:
            server.stop()
    print("\nall within target, no full scans" if ok else "\nSOME FIGURES MISS THE TARGET OR SCAN")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
