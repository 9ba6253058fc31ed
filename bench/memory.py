"""Memory through a login and 50 lookups on the 1M-customer database, beside a hello-world Textual app's.

Usage: python bench/memory.py [--customers 1000000] [--lookups 50]
       python bench/memory.py --measure URL QUERIES_FILE     (the measured process; for an outside timer)

The parent makes sure the bench's agent exists (hashed with the console's current parameters) and
picks 50 queries of every kind from the SQLite file that bench/lookup.py builds; then a fresh process
imports the services, logs in through `agents.authenticate` and runs the 50 lookups through
`find_customers` as the console's workers do, and reports its peak (VmHWM) and resident (VmRSS)
memory at the end. The anchor, in the same run: the peak of `bench/hello.py` started in a
pseudo-terminal by bench/start.py. Targets (DESIGN.md): peak <= 150 MB, resident <= 100 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AGENT, PASSWORD = "bench-memory", "bench-memory-password"
PEAK_TARGET_MB, RESIDENT_TARGET_MB = 150, 100


def memory_kib() -> dict[str, int]:
    """This process's peak and current resident set, from /proc (kB as the kernel counts them)."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            figures[name] = int(value.split()[0])
    return figures


def measure(url: str, queries_file: str) -> None:
    from console.db import open_database
    from console.keys import KeyRing
    from console.services.agents import authenticate
    from console.services.lookup import find_customers

    queries = json.loads(Path(queries_file).read_text())
    database = open_database(url, KeyRing.generate())
    agent = authenticate(database.sessions, AGENT, PASSWORD, now=datetime.now(UTC))
    after_login = memory_kib()
    matches = 0
    for query in queries:
        matches += len(find_customers(database.read_sessions, query, "CN", agent_id=agent.id).matches)
    print(json.dumps({"after_login": after_login, "end": memory_kib(), "lookups": len(queries), "matches": matches}))


def prepare(customers: int, lookups: int) -> tuple[str, list[str]]:
    from sqlalchemy import select

    from bench.lookup import build_sqlite, sample_queries
    from console.db import open_database
    from console.keys import KeyRing
    from console.services.agents import add_agent
    from models import Agent

    url = build_sqlite(customers)
    database = open_database(url, KeyRing.generate())
    with database.read_sessions() as session:
        missing = session.scalar(select(Agent.id).where(Agent.username == AGENT)) is None
    if missing:  # hashed with the parameters of the code that runs this
        add_agent(database.sessions, AGENT, PASSWORD, "agent", display_name="Bench memory", now=datetime.now(UTC))
    sampled = sample_queries(database, 40)
    database.dispose()
    kinds = [values for kind, values in sampled.items() if "(miss)" not in kind]
    queries = [values[n % len(values)] for n in range(lookups) for values in [kinds[n % len(kinds)]]]
    return url, queries


def console_memory_kib(url: str, queries: list[str]) -> dict[str, int]:
    """The console itself in a pseudo-terminal: log in as the bench's agent, type the queries into the
    lookup box one after another, then read its memory from /proc before it quits."""
    sys.path.insert(0, str(ROOT / "bench"))
    import start

    terminal = start.Terminal([*start.HOTLINE, "--db", url, "run"], start.console_env(), (120, 40))
    try:
        if terminal.read_until(start.CONSOLE_TEXT, timeout=60) is None:
            raise SystemExit("the console did not show its login screen")
        terminal.write(f"{AGENT}\r{PASSWORD}\r".encode())
        if terminal.read_until(start.WORKSPACE_TEXT, timeout=60, start=len(terminal.output)) is None:
            raise SystemExit("the console did not log in")
        time.sleep(1.0)
        for query in queries:
            terminal.write(query.encode())
            time.sleep(0.25)
            terminal.write(b"\x15")  # ctrl+u: empty the box
            terminal.read_until(b"\0never", timeout=0.05)  # keep reading what it draws
        status = Path(f"/proc/{terminal.process.pid}/status").read_text().splitlines()
        figures = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmHWM", "VmRSS"))}
    finally:
        terminal.write(b"\x11")  # ctrl+q
        terminal.finish(timeout=10)
    return figures


def hello_peak_kib() -> int:
    """hello-world's peak in a pseudo-terminal: the floor any Textual console stands on."""
    code = (
        "import resource, sys; sys.path.insert(0, 'bench'); import start;"
        "start.start_once('hello', 'sqlite://', (80, 24));"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=50)
    parser.add_argument("--measure", nargs=2, metavar=("URL", "QUERIES_FILE"))
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return 0

    url, queries = prepare(args.customers, args.lookups)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(queries, handle)
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", url, handle.name]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    Path(handle.name).unlink()
    report = json.loads(result.stdout.strip().splitlines()[-1])
    hello = hello_peak_kib() / 1024
    console = console_memory_kib(url, queries)
    peak, resident = report["end"]["VmHWM"] / 1024, report["end"]["VmRSS"] / 1024
    print(f"login and {report['lookups']} lookups on {args.customers:,} customers ({report['matches']} candidates)")
    print(f"peak after the login      {report['after_login']['VmHWM'] / 1024:7.1f} MiB")
    print(f"peak at the end           {peak:7.1f} MiB   target <= {PEAK_TARGET_MB} MB")
    print(f"resident at the end       {resident:7.1f} MiB   target <= {RESIDENT_TARGET_MB} MB")
    print("the console, same login and lookups typed in a pseudo-terminal (120x40):")
    print(f"  peak                    {console['VmHWM'] / 1024:7.1f} MiB   target <= {PEAK_TARGET_MB} MB")
    print(f"  resident                {console['VmRSS'] / 1024:7.1f} MiB   target <= {RESIDENT_TARGET_MB} MB")
    print(f"hello-world's peak        {hello:7.1f} MiB   (anchor: a Textual app that draws one screen)")
    peak, resident = max(peak, console["VmHWM"] / 1024), max(resident, console["VmRSS"] / 1024)
    ok = peak * 1.048576 <= PEAK_TARGET_MB and resident * 1.048576 <= RESIDENT_TARGET_MB
    print("within target" if ok else "MISSES THE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
