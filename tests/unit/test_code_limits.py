"""Limits that keep the code as issue 11 left it: small screen modules, and services that never read a clock."""

from __future__ import annotations

import ast
import inspect
import pkgutil
from importlib import import_module
from pathlib import Path

import console.services

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "console" / "services"

# A screen module longer than this holds more than one part: move a part into a widget of its own.
MAX_SCREEN_LINES = 400

# Module -> why it may read the wall clock itself. Empty: every service takes the time it is given.
# (The CLI, the app and the seeds are not services: they own the clock and pass it in.)
MAY_READ_THE_CLOCK: dict[str, str] = {}

# "function" -> why its `now` may be left out.
NOW_MAY_BE_LEFT_OUT = {
    "console.services.actors.active_agent": (
        "`now` asks for the console's clock to be checked against the server's; a read that applies no time "
        "rule loads the agent without it, and every command passes it through its unit of work"
    ),
}

# Calls that read the machine's wall clock: datetime.now(), datetime.utcnow(), date.today(), time.time()
# and the models' utcnow().
_CLOCK_ATTRIBUTES = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}
_CLOCK_ATTRIBUTES |= {("time", "time")}


def _last_name(node: ast.expr) -> str:
    """`datetime` for `datetime` and for `dt.datetime`."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _reads_the_clock(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "utcnow"
    if isinstance(node, ast.Attribute):
        return node.attr == "utcnow" or (_last_name(node.value), node.attr) in _CLOCK_ATTRIBUTES
    if isinstance(node, ast.ImportFrom):
        return any(alias.name == "utcnow" for alias in node.names)
    return False


def _clock_reads(path: Path) -> list[str]:
    """Where the module at `path` reads the wall clock, as "line: code"."""
    source = path.read_text(encoding="utf-8")
    return [
        f"{node.lineno}: {ast.get_source_segment(source, node)}"
        for node in ast.walk(ast.parse(source))
        if _reads_the_clock(node)
    ]


def test_no_screen_module_is_over_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "screens").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_SCREEN_LINES
    }
    assert too_long == {}


def test_services_never_read_the_wall_clock() -> None:
    """The time always comes from the one clock the console (or the CLI) passes in, so a rule can be
    tested at any moment and one console's wrong clock is caught where it is checked."""
    reads = {}
    for path in sorted(SERVICES.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module not in MAY_READ_THE_CLOCK and (found := _clock_reads(path)):
            reads[module] = found
    assert reads == {}


def test_the_guard_sees_each_way_of_reading_the_clock(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from models.base import utcnow\n"
        "a = utcnow()\n"
        "b = datetime.now(UTC)\n"
        "c = dt.datetime.utcnow()\n"
        "d = date.today()\n"
        "e = time.time()\n"
        "f = func.now()\n"  # the database server's clock: allowed
        "g = call.now\n",  # the time passed in: allowed
        encoding="utf-8",
    )
    lines = [int(read.split(":")[0]) for read in _clock_reads(sample)]
    assert sorted(set(lines)) == [1, 2, 3, 4, 5, 6]


def test_a_rule_that_uses_time_is_given_it() -> None:
    """No service function lets its caller leave `now` out (and so fall back to some clock of its own)."""
    optional = []
    for info in pkgutil.iter_modules(console.services.__path__, "console.services."):
        module = import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            now = inspect.signature(function).parameters.get("now")
            qualified = f"{module.__name__}.{name}"
            if now is not None and now.default is not inspect.Parameter.empty and qualified not in NOW_MAY_BE_LEFT_OUT:
                optional.append(qualified)
    assert optional == []
