"""Files are private: the SQLite database, its WAL and shm, its backups and the logs are 0600, the data folder 0700.

Every test runs with a permissive umask (0o022, the usual default), under which Python and SQLite would
create files 0644 and folders 0755.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from console import cli, schema
from console.db import open_database
from console.logs import log_file, log_file_path
from console.settings import load_settings


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_sqlite_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "hotline.db"
    schema.upgrade(f"sqlite:///{path}")
    database = open_database(f"sqlite:///{path}")
    try:
        with database.engine.begin() as connection:  # a write, so SQLite opens the WAL and shared memory
            connection.execute(text("INSERT INTO assets (code, name, scale) VALUES ('BTC', 'Bitcoin', 8)"))
        wal, shm = path.with_name("hotline.db-wal"), path.with_name("hotline.db-shm")
        assert wal.exists() and shm.exists()
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        database.dispose()
    assert mode(path.parent) == 0o700  # the folder the upgrade had to create


def test_an_existing_database_left_readable_by_others_is_narrowed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    schema.upgrade(f"sqlite:///{path}")
    for name in ("hotline.db", "hotline.db-wal", "hotline.db-shm"):
        candidate = tmp_path / name
        if candidate.exists():
            candidate.chmod(0o644)
    database = open_database(f"sqlite:///{path}")
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert mode(path) == 0o600
        for suffix in ("-wal", "-shm"):
            sidecar = path.with_name(path.name + suffix)
            assert not sidecar.exists() or mode(sidecar) == 0o600
    finally:
        database.dispose()


def test_a_db_upgrade_backup_is_owner_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hotline.db"
    url = f"sqlite:///{path}"
    schema.upgrade(url, "0001")
    assert cli.main(["db", "upgrade", "--db", url]) == 0
    (backup,) = tmp_path.glob("hotline.db.*.bak")
    assert f"Backed up the database to {backup}" in capsys.readouterr().out
    assert mode(backup) == 0o600


def test_the_log_file_and_the_data_folder_are_owner_only(sqlite_url: str) -> None:
    data_dir = load_settings().data_dir
    data_dir.mkdir(parents=True)
    data_dir.chmod(0o755)  # as an older version, or mkdir under this umask, left it
    assert cli.main(["db", "current", "--db", sqlite_url]) == 0
    log = log_file_path(data_dir)
    assert log.exists() and "hotline db current" in log.read_text()
    assert (mode(data_dir), mode(log.parent), mode(log)) == (0o700, 0o700, 0o600)


def test_a_new_data_folder_is_made_owner_only(sqlite_url: str) -> None:
    data_dir = load_settings().data_dir
    assert not data_dir.exists()
    assert cli.main(["db", "current", "--db", sqlite_url]) == 0
    assert mode(data_dir) == 0o700 and mode(data_dir.parent) == 0o700


def test_a_rotated_log_file_is_owner_only_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("console.logs.LOG_FILE_BYTES", 200)
    with log_file(tmp_path) as path:
        for number in range(20):
            logging.getLogger("hotline.test").info("line %d of a log that rotates after a few lines", number)
    files = sorted(path.parent.iterdir())
    assert len(files) > 1
    assert {mode(file) for file in files} == {0o600}
