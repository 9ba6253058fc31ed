"""`hotline demo` builds the demo database once, with keys, and other commands reach it with --demo."""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

import pytest

from console import cli, schema
from console.seed.demo import DEMO_ACCOUNTS


def test_demo_builds_once_then_reuses(
    isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    launched: list[str] = []
    monkeypatch.setattr(cli, "_launch", lambda settings, database: launched.append(settings.database_url) or 0)
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Demo database ready" in out and "lina-demo" in out and "chenjing" in out
    demo_db = isolated_user_dirs / "data" / "demo.db"
    assert launched == [f"sqlite:///{demo_db}"]
    assert schema.schema_status(launched[0]).up_to_date
    assert (isolated_user_dirs / "data" / "keys.json").is_file()
    assert cli.main(["demo"]) == 0
    assert "Using the demo database" in capsys.readouterr().out
    assert len(launched) == 2


def test_demo_reset_rebuilds(isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--no-console"]) == 0
    assert cli.main(["ring", "--demo", "+6591234567"]) == 0
    assert cli.main(["demo", "--no-console", "--reset"]) == 0
    assert "Demo database ready" in capsys.readouterr().out


def test_demo_flag_points_commands_at_the_demo_database(
    isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["demo", "--no-console"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", "admin-demo")
    assert cli.main(["agent", "list", "--demo", "--admin", "admin"]) == 0
    assert "chenjing" in capsys.readouterr().out
    assert cli.main(["agent", "list", "--demo", "--db", "sqlite:///x.db"]) == cli.EXIT_USAGE


def test_seed_demo_refuses_a_seeded_database(isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--no-console"]) == 0
    assert cli.main(["seed", "demo", "--demo"]) == cli.EXIT_FAILED
    assert capsys.readouterr().err.startswith("hotline: ")


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_ring_example() -> list[str]:
    """The `hotline ring` command of the README's demo section, as a shell would split it."""
    commands = [line.strip() for line in README.read_text(encoding="utf-8").splitlines()]
    (example,) = [line for line in commands if line.startswith("hotline ring --demo")]
    return shlex.split(example)


def _newest_call(url: str) -> tuple[str, str | None]:
    """The newest incoming call's number, and the demo account whose phone it is (None: nobody's)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        (number,) = connection.execute("SELECT caller_number FROM incoming_calls ORDER BY id DESC LIMIT 1").fetchone()
        row = connection.execute("SELECT account_number FROM customers WHERE phone_e164 = ?", (number,)).fetchone()
    return number, row[0] if row else None


def test_the_readmes_ring_example_rings_a_demo_caller_as_written(
    isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue: `hotline ring --demo +86 138 0013 8000` was three arguments and nobody's number."""
    assert cli.main(["demo", "--no-console"]) == 0
    printed = capsys.readouterr().out
    command = _readme_ring_example()
    assert command[:3] == ["hotline", "ring", "--demo"] and len(command) > 4  # a number typed with spaces
    assert cli.main(command[1:]) == 0
    out = capsys.readouterr().out
    assert "is waiting for an agent" in out and "No demo customer" not in out
    _number, account = _newest_call(f"sqlite:///{isolated_user_dirs / 'data' / 'demo.db'}")
    demo_accounts = {case.account_number for case in DEMO_ACCOUNTS.values()}
    assert account in demo_accounts
    # The README names whom it rings, and `hotline demo` printed that number for that caller.
    readme = README.read_text(encoding="utf-8")
    assert f"({account})" in readme
    (line,) = [line for line in printed.splitlines() if account in line]
    assert " ".join(command[3:-2]) in line


def test_demo_prints_every_demo_caller_with_the_number_to_ring(
    isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["demo", "--no-console"]) == 0
    first = capsys.readouterr().out
    assert cli.main(["demo", "--no-console"]) == 0
    again = capsys.readouterr().out  # printed again on a database built before, not only the first time
    demo_db = isolated_user_dirs / "data" / "demo.db"
    with sqlite3.connect(demo_db) as connection:
        phones = dict(connection.execute("SELECT account_number, phone_e164 FROM customers").fetchall())
    for out in (first, again):
        assert "lina-demo" in out
        for case in DEMO_ACCOUNTS.values():
            (line,) = [line for line in out.splitlines() if case.account_number in line and case.case in line]
            phone = phones[case.account_number]
            if phone is None:
                assert "(no phone)" in line
            else:
                assert "".join(ch for ch in line.split("OK")[0] if ch.isdigit()) == phone.lstrip("+")


def test_ring_takes_a_number_in_words_or_quoted_and_refuses_a_wrong_one_in_plain_words(
    isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["demo", "--no-console"]) == 0
    capsys.readouterr()
    assert cli.main(["ring", "--demo", "+86", "191", "2748", "7583"]) == 0
    assert cli.main(["ring", "--demo", "+86 191 2748 7583", "--line", "CN"]) == 0
    assert "No demo customer" not in capsys.readouterr().out
    # A number nobody in the demo has still rings, and says so.
    assert cli.main(["ring", "--demo", "+86", "138", "0013", "8000"]) == 0
    assert "No demo customer has this number" in capsys.readouterr().out
    assert cli.main(["ring", "--demo", "12", "34"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert err.startswith("hotline: That caller number is not a valid phone number") and "Traceback" not in err


def test_in_a_terminal_demo_waits_for_enter_before_the_console_covers_the_list(
    isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue: the console covered what `hotline demo` printed at once."""
    events: list[str] = []
    monkeypatch.setattr(cli, "_launch", lambda settings, database: events.append("console") or 0)
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: events.append(prompt) or "")
    assert cli.main(["demo"]) == 0
    assert events == ["Press Enter to open the console (Ctrl+C to stop here). ", "console"]
    assert "Demo callers" in capsys.readouterr().out
