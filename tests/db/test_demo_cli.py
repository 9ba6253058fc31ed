"""`hotline demo` builds the demo database once, with keys, and other commands reach it with --demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from console import cli, schema


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
