"""The root alembic.ini and an installed wheel migrate the same database the CLI would."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from console import schema

ROOT = Path(__file__).resolve().parents[2]


def test_alembic_ini_reads_the_database_url_from_hotline_settings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'via-alembic.db'}"
    env = {**os.environ, "HOTLINE_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    assert schema.current_revision(url) == schema.head_revision()


def test_alembic_x_db_overrides_settings(tmp_path: Path) -> None:
    env_url = f"sqlite:///{tmp_path / 'env.db'}"
    flag_url = f"sqlite:///{tmp_path / 'flag.db'}"
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), "-x", f"db={flag_url}", "upgrade", "head"],
        cwd=ROOT,
        env={**os.environ, "HOTLINE_DATABASE_URL": env_url},
        check=True,
        capture_output=True,
    )
    assert schema.current_revision(flag_url) == schema.head_revision()
    assert schema.current_revision(env_url) is None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("hotline-*.whl")
    return built


def test_wheel_ships_packages_migrations_and_styles(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "console/cli.py",
        "models/base.py",
        "screens/__init__.py",
        "migrations/env.py",
        "migrations/script.py.mako",
    ):
        assert required in names
    revisions = [n for n in names if n.startswith("migrations/versions/") and n[20:21].isdigit()]
    assert revisions, "no revision files in the wheel"
    sources = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/**/*.tcss")}
    assert sources <= names, "every .tcss file ships"
    assert not any(n.startswith("tests/") for n in names)


def test_installed_copy_upgrades_a_database_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    url = f"sqlite:///{tmp_path / 'installed.db'}"
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r}); from console.cli import main; "
        f"sys.exit(main(['db', 'upgrade', '--db', {url!r}]))"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert schema.current_revision(url) == schema.head_revision()
