"""`hotline db ...` and the console's refusal to start on a database that is behind the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from console import cli, schema, schema_check


def _refuse_launch(*_args: object) -> int:
    raise AssertionError("the console must not start")


def test_console_refuses_a_database_without_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_launch", _refuse_launch)
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert cli.main(["run", "--db", url]) == cli.EXIT_USAGE
    assert f"Run: hotline db upgrade --db {url}" in capsys.readouterr().err
    assert not (tmp_path / "new.db").exists()


def test_console_refuses_a_database_behind_head_and_names_the_fix(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_launch", _refuse_launch)
    current = schema.head_revision()
    # Pretend the code has moved on by one revision while the database stayed where it was.
    monkeypatch.setattr(schema_check, "HEAD_REVISION", "0002_future")
    monkeypatch.setattr(schema, "head_revision", lambda: "0002_future")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", sqlite_url)
    assert cli.main(["run"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"at revision {current} but this Hotline needs 0002_future" in err
    assert err.strip().endswith("Run: hotline db upgrade")


def test_console_refuses_after_a_downgrade(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_launch", _refuse_launch)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", db_url)
    assert cli.main(["db", "downgrade", "base"]) == 0
    assert cli.main(["run"]) == cli.EXIT_USAGE
    assert "Run: hotline db upgrade" in capsys.readouterr().err


def test_console_starts_on_a_current_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    launched = []

    def launch(settings: object, database: object) -> int:
        # A SQLite file is opened by the console after its first frame; PostgreSQL before it.
        launched.append((database() if callable(database) else database).url)
        return 0

    monkeypatch.setattr(cli, "_launch", launch)
    assert cli.main(["keys", "init"]) == 0  # a floor's PostgreSQL needs them given; a SQLite file makes its own
    assert cli.main(["run", "--db", db_url]) == 0
    assert launched == [cli.shown_url(db_url)]


def test_the_console_reads_the_revision_without_alembic(sqlite_url: str, tmp_path: Path) -> None:
    """The start-up check is one read of alembic_version, against a head the code names itself."""
    path = schema_check.sqlite_path(sqlite_url)
    assert path is not None
    assert schema_check.sqlite_revision(path) == schema_check.HEAD_REVISION == schema.current_revision(sqlite_url)
    assert schema_check.sqlite_revision(tmp_path / "absent.db") is None
    assert not (tmp_path / "absent.db").exists()
    assert schema_check.sqlite_path("sqlite://") is None
    assert schema_check.sqlite_path("postgresql+psycopg://u@h/db") is None


def test_upgrade_backs_up_a_sqlite_file_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hotline.db"
    url = f"sqlite:///{path}"
    assert cli.main(["db", "upgrade", "--db", url]) == 0
    assert list(tmp_path.glob("*.bak")) == []  # nothing to back up in a brand-new file
    assert cli.main(["db", "downgrade", "base", "--db", url]) == 0
    backups_before = set(tmp_path.glob("*.bak"))
    capsys.readouterr()
    assert cli.main(["db", "upgrade", "--db", url]) == 0
    new_backups = set(tmp_path.glob("hotline.db.*.bak")) - backups_before
    assert len(new_backups) == 1
    backup = new_backups.pop()
    assert f"Backed up the database to {backup}" in capsys.readouterr().out
    # The copy is the database as it was before the upgrade: at base, no tables but the version table.
    assert schema.current_revision(f"sqlite:///{backup}") is None


def test_backup_holds_the_data(sqlite_url: str) -> None:
    from sqlalchemy import text

    from console.db import open_database
    from console.keys import KeyRing

    database = open_database(sqlite_url, KeyRing.generate())
    with database.sessions.begin() as session:
        session.execute(text("INSERT INTO assets (code, name, scale) VALUES ('BTC', 'Bitcoin', 8)"))
    database.dispose()
    backup = schema.backup_sqlite(schema.sqlite_file(sqlite_url))
    copy = open_database(f"sqlite:///{backup}", KeyRing.generate())
    with copy.sessions() as session:
        assert session.scalar(text("SELECT scale FROM assets WHERE code = 'BTC'")) == 8
    copy.dispose()


def test_db_check_passes_when_models_match(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "check", "--db", db_url]) == 0
    assert "match" in capsys.readouterr().out


def test_db_check_fails_when_models_and_migrations_differ(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import Column, Integer, Table

    from models import Base

    extra = Table("not_migrated", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        assert cli.main(["db", "check", "--db", sqlite_url]) == cli.EXIT_FAILED
        assert "not_migrated" in capsys.readouterr().err
    finally:
        Base.metadata.remove(extra)


def test_db_current_reports_revision(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "current", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert f"current: {schema.head_revision()}" in out and "up to date" in out


def test_unreachable_database_gets_a_plain_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["db", "current", "--db", "postgresql://agent:s3cret@127.0.0.1:1/hotline"])
    assert code == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "cannot be reached" in err and "nothing was changed" in err
    assert "s3cret" not in err
