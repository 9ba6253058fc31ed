"""Start-up and keystroke-to-results in a real pseudo-terminal, each beside its anchor in the same run.

Usage:
  python bench/start.py [--runs 10] [--size 80x24]        start to the login screen vs hello-world
  python bench/start.py --keys [--runs 20]                an account number typed, until its name is drawn
  python bench/start.py --once console|hello              one start in a pseudo-terminal (for an outside timer)

Start-up: the console (`hotline run` on a demo database built under bench/.data/start/) and
`bench/hello.py` (a hello-world Textual app) are started in turn, A B A B, each in a new
pseudo-terminal of the given size; a run's figure is the time from the spawn until the first
frame's text ("Log in to Hotline" / "Hello, world") has been written to the terminal. Both quit
right after that frame (the console through HOTLINE_BENCH_EXIT_WHEN_SHOWN, read by this bench
only), so the whole-process time can be taken from outside as well (`--once`). The ratio is taken
pair by pair and its median printed: the target is <= 2x.

Keystroke to results: the console logs in as a demo agent, then an account number is typed in the
lookup box (its keys written to the terminal at once, as a paste or a fast typist sends them) and
the time is taken from the last key's write until the caller's name has been drawn. The box is
emptied between runs, and each run looks up another demo account. The target is <= 50 ms.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data" / "start"
# `hotline`, as the tree this script is in has it (a copy of another revision measures that revision).
HOTLINE = [sys.executable, "-m", "console.cli"]
EXIT_WHEN_SHOWN_ENV = "HOTLINE_BENCH_EXIT_WHEN_SHOWN"  # console.app.EXIT_WHEN_SHOWN_ENV, not imported: no cost here

CONSOLE_TEXT = b"Log in to Hotline"
HELLO_TEXT = b"Hello, world"
AGENT, PASSWORD = "lina", "lina-demo"
WORKSPACE_TEXT = b"Find caller"


class Terminal:
    """A program running in a new pseudo-terminal of `size` (columns, rows), read as it writes."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

        def own_terminal() -> None:  # a session of its own, with this terminal as its controlling one
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, preexec_fn=own_terminal, close_fds=True
        )
        os.close(slave)
        self.output = bytearray()
        self.arrivals: list[tuple[int, float]] = []  # (output length, seconds since the spawn) per read
        self.closed = False

    def read_until(self, text: bytes, timeout: float, start: int = 0) -> float | None:
        """Seconds from the spawn until `text` had been written after byte `start`; None if it was not."""
        deadline = time.perf_counter() + timeout
        while True:
            found = self.output.find(text, start)
            if found >= 0:
                end = found + len(text)
                return next(at for offset, at in self.arrivals if offset >= end)
            left = deadline - time.perf_counter()
            if left <= 0 or self.closed:
                return None
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self._read_once()

    def _read_once(self) -> None:
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the program closed the terminal
            chunk = b""
        if not chunk:
            self.closed = True
            return
        self.output += chunk
        self.arrivals.append((len(self.output), time.perf_counter() - self.started))

    def write(self, data: bytes) -> float:
        os.write(self.master, data)
        return time.perf_counter() - self.started

    def finish(self, timeout: float = 30.0) -> float:
        """Drain the output until the program exits; seconds from the spawn to its exit."""
        deadline = time.perf_counter() + timeout
        while not self.closed and time.perf_counter() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                self._read_once()
        self.process.wait(timeout=max(5.0, deadline - time.perf_counter()))
        exited = time.perf_counter() - self.started
        os.close(self.master)
        return exited


def demo_url(upgrade: bool = True) -> str:
    """A demo database of its own, built once with the CLI (schema at head, demo agents and callers)."""
    path = DATA / "demo.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        for args in (["db", "upgrade"], ["seed", "demo"]):
            subprocess.run([*HOTLINE, "--db", url, *args], env=console_env(), cwd=ROOT, check=True, capture_output=True)
    elif upgrade:  # a database from an older schema is brought up to date, as an admin would
        subprocess.run(
            [*HOTLINE, "--db", url, "db", "upgrade"], env=console_env(), cwd=ROOT, check=True, capture_output=True
        )
    return url


def console_env(exit_when_shown: bool = False) -> dict[str, str]:
    env = {**os.environ, "HOTLINE_DATA_DIR": str(DATA), "HOTLINE_CONFIG_DIR": str(DATA / "config")}
    env["TERM"] = env.get("TERM", "xterm-256color") if env.get("TERM") not in (None, "", "dumb") else "xterm-256color"
    if exit_when_shown:
        env[EXIT_WHEN_SHOWN_ENV] = "1"
    return env


def commands(url: str) -> dict[str, tuple[list[str], dict[str, str], bytes]]:
    return {
        "console": ([*HOTLINE, "--db", url, "run"], console_env(exit_when_shown=True), CONSOLE_TEXT),
        "hello": ([sys.executable, str(ROOT / "bench" / "hello.py")], console_env(), HELLO_TEXT),
    }


def start_once(name: str, url: str, size: tuple[int, int]) -> tuple[float, float]:
    """(seconds to the first frame, seconds to exit) for one start."""
    argv, env, text = commands(url)[name]
    terminal = Terminal(argv, env, size)
    shown = terminal.read_until(text, timeout=60)
    if shown is not None and not terminal.closed:
        terminal.write(b"\x11")  # ctrl+q, for a console that does not quit by itself after its first frame
    exited = terminal.finish()
    if shown is None or terminal.process.returncode != 0:
        tail = bytes(terminal.output[-600:]).decode(errors="replace")
        raise SystemExit(f"{name} did not show its first screen (exit {terminal.process.returncode}): {tail!r}")
    return shown, exited


def bench_start(url: str, runs: int, size: tuple[int, int]) -> None:
    start_once("hello", url, size)  # warm-up: the page cache and the bytecode caches
    start_once("console", url, size)
    shown: dict[str, list[float]] = {"console": [], "hello": []}
    exited: dict[str, list[float]] = {"console": [], "hello": []}
    for _ in range(runs):
        for name in ("console", "hello"):
            first, end = start_once(name, url, size)
            shown[name].append(first)
            exited[name].append(end)
    print(f"start to first frame, {runs} pairs in a {size[0]}x{size[1]} pseudo-terminal (console, hello-world in turn)")
    print(f"{'':<28} {'min ms':>8} {'median ms':>10} {'max ms':>8}")
    for label, figures in (
        ("console: login screen drawn", shown["console"]),
        ("hello-world: drawn (anchor)", shown["hello"]),
        ("console: exited", exited["console"]),
        ("hello-world: exited", exited["hello"]),
    ):
        print(
            f"{label:<28} {min(figures) * 1e3:8.0f} {statistics.median(figures) * 1e3:10.0f} {max(figures) * 1e3:8.0f}"
        )
    ratios = sorted(a / b for a, b in zip(shown["console"], shown["hello"], strict=True))
    ratio = statistics.median(ratios)
    verdict = "within target" if ratio <= 2.0 else "MISSES THE TARGET"
    print(f"ratio console / hello-world, median of pairs: {ratio:.2f}x (pairs {ratios[0]:.2f}-{ratios[-1]:.2f}x)")
    print(f"target <= 2x -> {verdict}")


def demo_accounts() -> list[tuple[str, str]]:
    """(account number, name) of demo callers with one-line Latin or Chinese names."""
    sys.path.insert(0, str(ROOT))
    from console.seed.demo_cases import DEMO_ACCOUNTS

    return [(case.account_number, case.name) for case in DEMO_ACCOUNTS.values()]


def bench_keys(url: str, runs: int, size: tuple[int, int]) -> None:
    accounts = demo_accounts()
    terminal = Terminal([*HOTLINE, "--db", url, "run"], console_env(), size)
    try:
        if terminal.read_until(CONSOLE_TEXT, timeout=60) is None:
            raise SystemExit("the console did not show its login screen")
        terminal.write(f"{AGENT}\r{PASSWORD}\r".encode())
        if terminal.read_until(WORKSPACE_TEXT, timeout=60, start=len(terminal.output)) is None:
            raise SystemExit("the console did not show the workspace after logging in")
        time.sleep(1.0)  # phone metadata and the screens loaded while the agent settles in
        timings: list[float] = []
        for run in range(runs + 2):
            account, name = accounts[run % len(accounts)]
            start = len(terminal.output)
            typed = terminal.write(account.lower().encode())
            drawn = terminal.read_until(name.encode(), timeout=10, start=start)
            if drawn is None:
                raise SystemExit(f"{name!r} was not drawn after typing {account}")
            if run >= 2:  # the first two warm the statement caches
                timings.append(drawn - typed)
            terminal.write(b"\x15")  # ctrl+u: empty the box
            time.sleep(0.3)
    finally:
        terminal.write(b"\x11")  # ctrl+q
        terminal.finish(timeout=10)
    timings.sort()
    print(f"keystroke to results, {runs} account numbers typed in a {size[0]}x{size[1]} pseudo-terminal")
    median = statistics.median(timings) * 1e3
    p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))] * 1e3
    print(f"min {timings[0] * 1e3:.1f} ms, median {median:.1f} ms, p90 {p90:.1f} ms, max {timings[-1] * 1e3:.1f} ms")
    print(f"target <= 50 ms -> {'within target' if median <= 50 else 'MISSES THE TARGET'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", default="80x24", help="columns x rows of the pseudo-terminal")
    parser.add_argument("--keys", action="store_true", help="keystroke to results instead of start-up")
    parser.add_argument("--once", choices=("console", "hello"), help="one start, for a timer outside")
    parser.add_argument("--db", help="the console's database (default: a demo database of the bench's own)")
    args = parser.parse_args()
    columns, rows = (int(part) for part in args.size.split("x"))
    size = (columns, rows)
    url = args.db or demo_url(upgrade=not args.once)
    if args.once:
        start_once(args.once, url, size)
    elif args.keys:
        bench_keys(url, args.runs, size)
    else:
        bench_start(url, args.runs, size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
