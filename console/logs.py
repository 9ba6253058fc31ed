"""The console's log file: in the user data folder, owner-only, rotating, INFO; never a code, secret or full number.

What the console logs is written so that nothing secret goes in (no codes, passwords, secrets or full
numbers are passed to a logger). The file still masks, as a second line of defence, any run of six or
more digits (codes, phone and ID numbers) and anything shaped like an authenticator secret, and it
keeps other libraries to warnings: SQLAlchemy at INFO would write every statement's parameters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from console.private_files import private_file, private_folder

LOG_FOLDER_NAME = "logs"
LOG_FILE_NAME = "hotline.log"
LOG_FILE_BYTES = 5_000_000
LOG_FILES_KEPT = 5
HOTLINE_LOGGER = "hotline"

# Six or more digits, maybe with spaces or dashes between them and a leading "+" (codes, phone
# numbers, ID numbers; a CN ID number may end in X), not inside a word (account numbers "OK1072…"
# stay readable). Base32 runs as long as a TOTP secret.
_LONG_NUMBER = re.compile(r"(?<![A-Za-z0-9])\+?\d(?:[ \-]?\d){5,}[Xx]?")
_BASE32_SECRET = re.compile(r"\b[A-Z2-7]{16,}\b")


def log_file_path(data_dir: Path) -> Path:
    return data_dir / LOG_FOLDER_NAME / LOG_FILE_NAME


def masked(text: str) -> str:
    """`text` with long numbers and secret-shaped words replaced."""
    return _BASE32_SECRET.sub("[hidden]", _LONG_NUMBER.sub("[number]", text))


class _MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        # The time stamp at the front is ours; mask only what follows it.
        stamp = self.formatTime(record, self.datefmt)
        if line.startswith(stamp):
            return stamp + masked(line[len(stamp) :])
        return masked(line)


class _OwnerOnlyRotatingFileHandler(RotatingFileHandler):
    """Each new log file, the first and every one after a rotation, is created 0600 before it is opened."""

    def _open(self):  # type: ignore[no-untyped-def]  # typeshed's signature varies by Python version
        private_file(Path(self.baseFilename))
        return super()._open()


class _HotlineInfoOthersWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == HOTLINE_LOGGER or record.name.startswith(HOTLINE_LOGGER + ".")
        return record.levelno >= (logging.INFO if ours else logging.WARNING)


@contextmanager
def log_file(data_dir: Path) -> Iterator[Path]:
    """Log to the data folder's log file while the block runs (the `hotline` command wraps each command in it)."""
    path = log_file_path(data_dir)
    private_folder(path.parent)
    handler = _OwnerOnlyRotatingFileHandler(path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILES_KEPT, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.addFilter(_HotlineInfoOthersWarnings())
    handler.setFormatter(_MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    ours = logging.getLogger(HOTLINE_LOGGER)
    level_before = ours.level
    if ours.getEffectiveLevel() > logging.INFO:
        ours.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        ours.setLevel(level_before)
        handler.close()
