"""The catalogs: every message the code marks has a translation in each language, with its placeholders."""

from __future__ import annotations

import gettext
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from console.i18n import CATALOGS, DOMAIN, LOCALE_DIR, SIMPLIFIED, TRADITIONAL, _, set_language, translate

ROOT = Path(__file__).resolve().parents[2]


def extracted() -> dict[str, list[str]]:
    """What `make messages` extracts from the source tree today (babel.cfg): msgid -> where it is."""
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords={"_": None, "N_": None}
    ):
        assert isinstance(message, str), f"{filename}:{lineno}: plural forms are not used"
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=language)


def fields(text: str) -> Counter[str]:
    """The replacement fields of a str.format template, as written: "{name!r:spec}"."""
    found: Counter[str] = Counter()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found[f"{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}"] += 1
    return found


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    return extracted()


def test_the_extractor_finds_the_console_s_words(messages: dict[str, list[str]]) -> None:
    # Markers in screens, services, bindings and the label tables all reach the catalogs.
    assert "Take call" in messages  # a binding description (N_)
    assert "Caller not verified: verify the caller with a code first." in messages  # a service's refusal
    assert "Too many wrong passwords" in messages  # a label table (console/services/labels.py)
    assert len(messages) > 600


@pytest.mark.parametrize("language", CATALOGS)
def test_every_marked_message_is_translated_in_each_catalog(language: str, messages: dict[str, list[str]]) -> None:
    po = catalog(language)
    missing = []
    for msgid, where in sorted(messages.items()):
        entry = po.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{where[0]}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} messages without a {language} translation (run `make messages`):\n" + "\n".join(missing[:40])
    )


@pytest.mark.parametrize("language", CATALOGS)
def test_every_translation_keeps_the_placeholders_of_its_message(language: str) -> None:
    wrong = [
        f"{entry.id!r} -> {entry.string!r}"
        for entry in catalog(language)
        if entry.id and entry.string and fields(str(entry.id)) != fields(str(entry.string))
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", CATALOGS)
def test_the_compiled_catalogs_are_the_po_files(language: str) -> None:
    """The .mo files the console reads were built from today's .po (installing rebuilds them)."""
    compiled = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    stale = [
        str(entry.id)
        for entry in catalog(language)
        if entry.id and entry.string and compiled.gettext(str(entry.id)) != entry.string
    ]
    assert not stale, f"{len(stale)} messages differ from the .po; reinstall (make) to recompile: {stale[:5]}"


def test_the_language_is_looked_up_when_a_message_is_said() -> None:
    message = "Take call"
    assert _(message) == "Take call"
    set_language(SIMPLIFIED)
    assert _(message) == "接听"
    set_language(TRADITIONAL)
    assert _(message) == "接聽"
    # What a customer reads does not follow the agent's language.
    assert translate(SIMPLIFIED, message) == "接听"
    assert _("") == ""  # never the catalog's header
