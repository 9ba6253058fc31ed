"""The agent's interface language: the `language` setting (file, HOTLINE_LANGUAGE, --lang), else the locale."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from console import cli
from console.i18n import (
    ENGLISH,
    SIMPLIFIED,
    TRADITIONAL,
    UnknownLanguage,
    current_language,
    interface_language,
    language_from_locale,
    parse_language,
)
from console.settings import load_settings


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("zh_TW.UTF-8", TRADITIONAL),
        ("zh_HK.UTF-8", TRADITIONAL),
        ("zh_MO", TRADITIONAL),
        ("zh_CN.UTF-8", SIMPLIFIED),
        ("zh_SG.UTF-8", SIMPLIFIED),
        ("zh", SIMPLIFIED),
        ("en_GB.UTF-8", ENGLISH),
        ("fr_FR.UTF-8", ENGLISH),
        ("C.UTF-8", ENGLISH),
        ("", ENGLISH),
    ],
)
def test_the_default_language_comes_from_the_locale(locale: str, language: str) -> None:
    assert language_from_locale({"LANG": locale}) == language


def test_lc_all_and_the_language_list_come_before_lang() -> None:
    assert language_from_locale({"LANG": "en_US.UTF-8", "LC_ALL": "zh_HK.UTF-8"}) == TRADITIONAL
    assert language_from_locale({"LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_TW:en"}) == TRADITIONAL
    # LANGUAGE names languages without catalogs first: the first one the console has wins.
    assert language_from_locale({"LANG": "en_US.UTF-8", "LANGUAGE": "de:zh_CN"}) == SIMPLIFIED


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("zh-TW", TRADITIONAL),
        ("zh-HK", TRADITIONAL),
        ("zh-Hant", TRADITIONAL),
        ("zh_Hant", TRADITIONAL),
        ("zh-CN", SIMPLIFIED),
        ("zh-Hans", SIMPLIFIED),
        ("en", ENGLISH),
        ("EN-us", ENGLISH),
    ],
)
def test_a_setting_or_flag_names_a_language_by_its_usual_tags(tag: str, language: str) -> None:
    assert parse_language(tag) == language


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownLanguage, match=r"use en, zh-CN \(Simplified\) or zh-TW \(Traditional\)"):
        parse_language("fr")


def test_the_setting_beats_the_locale_in_layers(isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert interface_language(load_settings().language) == SIMPLIFIED
    (isolated_user_dirs / "config").mkdir(parents=True)
    (isolated_user_dirs / "config" / "config.toml").write_text('language = "en"\n')
    assert interface_language(load_settings().language) == ENGLISH
    monkeypatch.setenv("HOTLINE_LANGUAGE", "zh-HK")
    assert interface_language(load_settings().language) == TRADITIONAL
    settings = load_settings(cli={"language": "zh-CN"})
    assert interface_language(settings.language) == SIMPLIFIED
    assert settings.sources["language"] == "cli"


def test_lang_on_the_command_line_speaks_to_the_admin_in_that_language(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    argv = ["agent", "add", "root", "--role", "admin", "--password-stdin", "--db", sqlite_url, "--lang", "zh-TW"]
    assert cli.main(argv) == cli.EXIT_FAILED
    assert current_language() == TRADITIONAL
    assert "密碼長度至少為 8 個字元。" in capsys.readouterr().err


def test_an_unknown_lang_stops_the_command_and_says_why(
    isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["keys", "init", "--lang", "klingon"]) == cli.EXIT_FAILED
    assert "No interface language 'klingon'" in capsys.readouterr().err
    assert not (isolated_user_dirs / "data" / "keys.json").exists()


def test_a_missing_compiled_catalog_is_named_not_shown_as_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from console import i18n

    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_translations", {})
    with pytest.raises(UnknownLanguage, match="catalog is not compiled"):
        i18n.set_language(TRADITIONAL)
    assert current_language() == ENGLISH
