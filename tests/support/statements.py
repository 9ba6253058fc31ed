"""What SQL a piece of code sends: for tests that guard how many round trips a command or a read costs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from console.db import Database


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """Every statement the engine sends to the driver inside the block, whitespace folded."""
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
