"""The console's words in the agent's language (gettext): wrap every string an agent reads in `_()`.

English is the source language (the msgids); Simplified and Traditional Chinese come from the catalogs
under `console/locale/<language>/LC_MESSAGES/hotline.po`, compiled to `.mo` when the package is built or
installed (`hatch_build.py`), never at run time. `_()` looks the language up when it is called, so text
made at import time (binding descriptions, label tables) is marked with `N_()` and translated where shown.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "hotline"
LOCALE_DIR = Path(__file__).with_name("locale")

# The interface languages, as the catalogs name them; English needs no catalog.
ENGLISH, SIMPLIFIED, TRADITIONAL = "en", "zh_Hans", "zh_Hant"
LANGUAGES = (ENGLISH, SIMPLIFIED, TRADITIONAL)
CATALOGS = (SIMPLIFIED, TRADITIONAL)

# Regions whose callers and agents read Traditional characters; the rest of Chinese is Simplified.
TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})
SIMPLIFIED_REGIONS = frozenset({"CN", "SG", "MY"})

# What customers read (scripts, SMS) is tagged BCP 47 style, as the hotline directory tags its lines.
CUSTOMER_LANGUAGES = {ENGLISH: "en", SIMPLIFIED: "zh-CN", TRADITIONAL: "zh-TW"}

_translations: dict[str, gettext.NullTranslations] = {}
_current: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


class UnknownLanguage(ValueError):
    """A language tag the console has no words for (the message names the ones it has)."""


def language_for(tag: str) -> str | None:
    """The interface language for a tag like "zh-TW", "zh_HK.UTF-8", "zh-Hans", "en_GB" (None: not known).

    Chinese without a script or region reads as Simplified; Taiwan, Hong Kong and Macau as Traditional.
    """
    cleaned = tag.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if not cleaned or cleaned in ("c", "posix"):
        return None
    parts = cleaned.split("_")
    if parts[0] == "en":
        return ENGLISH
    if parts[0] != "zh":
        return None
    rest = set(parts[1:])
    if "hant" in rest or {region.lower() for region in TRADITIONAL_REGIONS} & rest:
        return TRADITIONAL
    return SIMPLIFIED


def language_from_locale(env: Mapping[str, str] | None = None) -> str:
    """The interface language the user's locale asks for (LC_ALL, LC_MESSAGES, LANG; LANGUAGE's list first)."""
    env = os.environ if env is None else env
    candidates = [tag for tag in env.get("LANGUAGE", "").split(":") if tag]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            candidates.append(env[name])
            break
    for tag in candidates:
        language = language_for(tag)
        if language is not None:
            return language
    return ENGLISH


def parse_language(tag: str) -> str:
    """`tag` as an interface language, or UnknownLanguage saying which ones exist."""
    language = language_for(tag)
    if language is None:
        raise UnknownLanguage(f"No interface language {tag!r}: use en, zh-CN (Simplified) or zh-TW (Traditional).")
    return language


def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language` (English: the msgids themselves)."""
    if language not in _translations:
        if language == ENGLISH:
            _translations[language] = gettext.NullTranslations()
        else:
            # A build without compiled catalogs must say so, not quietly show English.
            try:
                _translations[language] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
            except FileNotFoundError:
                raise UnknownLanguage(
                    f"The {language} catalog is not compiled under {LOCALE_DIR}; reinstall Hotline (make) to build it."
                ) from None
    return _translations[language]


def set_language(language: str) -> None:
    """Speak `language` (one of LANGUAGES) from now on, in every thread."""
    global _current, _language
    if language not in LANGUAGES:
        raise UnknownLanguage(f"No interface language {language!r}.")
    _current, _language = translations(language), language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """`message` in the interface language, looked up now."""
    return _current.gettext(message) if message else message


# What already ends a sentence, in either script.
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")


def sentence(words: str) -> str:
    """`words` closed with the interface language's full stop ("." or "。"), unless they already end one."""
    return words if words.endswith(SENTENCE_ENDS) else words + _(".")


def N_(message: str) -> str:
    """Mark `message` for the catalogs without translating it: it is translated where it is shown."""
    return message


def translate(language: str, message: str) -> str:
    """`message` in another language than the interface's: what a customer reads follows the caller."""
    return translations(language).gettext(message) if message else message


def customer_tag(language: str) -> str:
    """The BCP 47 tag scripts use for an interface language ("zh_Hant" -> "zh-TW")."""
    return CUSTOMER_LANGUAGES[language]


def interface_language(setting: str, env: Mapping[str, str] | None = None) -> str:
    """The language the `language` setting names, or the locale's when it names none."""
    return parse_language(setting) if setting.strip() else language_from_locale(env)
