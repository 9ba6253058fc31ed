"""The real `hotline` command in a pseudo-terminal: what it writes, read as plain text, and keys written to it."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOTLINE = [sys.executable, "-m", "console.cli"]
# Escape sequences (CSI, OSC, and two-byte ones): what is left is the text drawn.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x1b[()][0-9A-Za-z]")

CTRL_Q = b"\x11"
F2 = b"\x1bOQ"
ENTER = b"\r"


class RealTerminal:
    """`hotline ARGS` running in a new pseudo-terminal of `size` (columns, rows)."""

    def __init__(self, args: Sequence[str], env: dict[str, str], size: tuple[int, int] = (120, 40)) -> None:
        self.master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

        def own_terminal() -> None:  # a session of its own, with this terminal as its controlling one
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [*HOTLINE, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color"},
            cwd=ROOT,
            preexec_fn=own_terminal,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.closed = False

    @property
    def text(self) -> str:
        """Everything written so far, escape sequences taken out."""
        return _ESCAPES.sub(b"", bytes(self.output)).decode("utf-8", "replace")

    def wait_for(self, pattern: str, timeout: float = 30.0, *, after: int = 0) -> re.Match[str]:
        """Read until `pattern` (a regular expression) appears in the text after position `after`."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.compile(pattern).search(self.text, after)
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                tail = self.text[-2000:]
                raise AssertionError(f"{pattern!r} not shown after {timeout}s; the terminal's last text:\n{tail}")
            self._read(min(left, 0.2))

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the program closed the terminal
            chunk = b""
        if not chunk:
            self.closed = True
            return
        self.output += chunk

    def write(self, data: bytes) -> None:
        """Write `data` in one write, as a paste or a very fast typist sends it."""
        os.write(self.master, data)

    def wait_exit(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self._read(0.1)
        return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self.master)
