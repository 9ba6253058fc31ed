"""Settings come in layers: defaults < TOML file < HOTLINE_* environment < CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.settings import SettingsError, load_settings, normalize_database_url


def _write_config(home: Path, body: str) -> None:
    config_dir = home / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(body)


def test_defaults_put_the_database_in_the_user_data_dir(isolated_user_dirs: Path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{isolated_user_dirs / 'data' / 'hotline.db'}"
    assert settings.keys_file == isolated_user_dirs / "data" / "keys.json"
    assert settings.default_region == "CN"
    assert settings.sources["database_url"] == "default"


def test_file_overrides_defaults(isolated_user_dirs: Path) -> None:
    _write_config(isolated_user_dirs, 'database_url = "sqlite:////srv/file.db"\ndefault_region = "HK"\n')
    settings = load_settings()
    assert settings.database_url == "sqlite:////srv/file.db"
    assert settings.default_region == "HK"
    assert settings.sources["database_url"] == "file"


def test_environment_overrides_file(isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_config(isolated_user_dirs, 'database_url = "sqlite:////srv/file.db"\ndefault_region = "HK"\n')
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql://agent@db.example/hotline")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://agent@db.example/hotline"
    assert settings.default_region == "HK"  # not set in the environment: the file still wins
    assert settings.sources["database_url"] == "env"


def test_cli_flags_override_environment(isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_config(isolated_user_dirs, 'default_region = "HK"\n')
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "sqlite:////from/env.db")
    monkeypatch.setenv("HOTLINE_DEFAULT_REGION", "SG")
    settings = load_settings(cli={"database_url": "sqlite:////from/flag.db", "default_region": None})
    assert settings.database_url == "sqlite:////from/flag.db"
    assert settings.default_region == "SG"  # a flag not given (None) does not mask the layer below
    assert settings.sources["database_url"] == "cli"


def test_the_hotline_cli_flag_wins_over_everything(
    isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.cli import main

    _write_config(isolated_user_dirs, 'database_url = "sqlite:////from/file.db"\n')
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "sqlite:////from/env.db")
    flagged = isolated_user_dirs / "flag.db"
    assert main(["db", "current", "--db", f"sqlite:///{flagged}"]) == 0
    assert "current: none" in capsys.readouterr().out


def test_keymap_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_KEYMAP", "app.quit=ctrl+q, workspace.claim=f2")
    assert load_settings().keymap == {"app.quit": "ctrl+q", "workspace.claim": "f2"}


def test_unknown_setting_in_file_is_a_clear_error(isolated_user_dirs: Path) -> None:
    _write_config(isolated_user_dirs, 'databse_url = "typo"\n')
    with pytest.raises(SettingsError, match=r"unknown setting.*databse_url"):
        load_settings()


def test_broken_toml_is_a_clear_error(isolated_user_dirs: Path) -> None:
    _write_config(isolated_user_dirs, "database_url = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_are_normalized(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_unsupported_database_is_refused_without_echoing_the_url() -> None:
    with pytest.raises(SettingsError) as error:
        normalize_database_url("mysql://root:hunter2@h/db")
    assert "hunter2" not in str(error.value)


def test_tests_never_see_the_real_user_dirs(isolated_user_dirs: Path) -> None:
    settings = load_settings()
    assert settings.data_dir.is_relative_to(isolated_user_dirs)
    assert settings.config_dir.is_relative_to(isolated_user_dirs)
