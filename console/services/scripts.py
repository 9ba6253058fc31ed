"""Verification scripts as data: the versioned TOML files under console/scripts/, loaded into frozen DTOs."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from console.i18n import _
from console.services.errors import InvalidInput

# The order the verify panel goes through them with f6.
LANGUAGES = ("zh-CN", "zh-TW", "en")
FACTORS = ("sms", "totp", "email")
# The only values a script may fill in: masked ones, safe to read before the caller is verified.
PLACEHOLDERS = frozenset({"agent_name", "phone_last2", "email_masked", "id_last4", "code_minutes"})


class ScriptInvalid(ValueError):
    """A script file shipped with the package is malformed (a packaging bug, caught by the tests)."""


@dataclass(frozen=True)
class ScriptStep:
    key: str
    # The factor this step belongs to ("sms", "totp", "email"), or None for every caller.
    factor: str | None
    say: str
    on_failure: str | None


@dataclass(frozen=True)
class Script:
    script_id: str
    version: str
    reason: str
    language: str
    factors: tuple[str, ...]
    steps: tuple[ScriptStep, ...]

    def step(self, key: str) -> ScriptStep:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


def _scripts_dir() -> Any:
    return resources.files("console").joinpath("scripts")


def script_ids() -> tuple[str, ...]:
    return tuple(sorted(p.name[:-5] for p in _scripts_dir().iterdir() if p.name.endswith(".toml")))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@cache
def load_script(script_id: str, language: str = "zh-CN") -> Script:
    """The script for a call reason in one language, with its placeholders still in place."""
    if language not in LANGUAGES:
        raise InvalidInput(
            _("Scripts exist in {LANGUAGES}, not {language!r}.").format(
                LANGUAGES=", ".join(LANGUAGES), language=language
            )
        )
    source = _scripts_dir().joinpath(f"{script_id}.toml")
    if not source.is_file():
        raise InvalidInput(_("No verification script for {script_id!r}.").format(script_id=script_id))
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    try:
        factors = tuple(data["factors"])
        steps = tuple(_step(raw, language) for raw in data["steps"])
        script = Script(str(data["id"]), str(data["version"]), str(data["reason"]), language, factors, steps)
    except (KeyError, TypeError) as error:
        raise ScriptInvalid(f"{script_id}.toml: missing or malformed {error}") from None
    if script.script_id != script_id:
        raise ScriptInvalid(f"{script_id}.toml says its id is {script.script_id!r}")
    if unknown := set(factors) - set(FACTORS):
        raise ScriptInvalid(f"{script_id}.toml: unknown factors {sorted(unknown)}")
    for step in steps:
        for text in (step.say, step.on_failure or ""):
            if extra := _placeholders(text) - PLACEHOLDERS:
                raise ScriptInvalid(f"{script_id}.toml step {step.key}: unknown placeholders {sorted(extra)}")
    return script


def _step(raw: dict[str, Any], language: str) -> ScriptStep:
    factor = raw.get("factor")
    if factor is not None and factor not in FACTORS:
        raise ScriptInvalid(f"step {raw['key']}: unknown factor {factor!r}")
    failure = raw.get("on_failure")
    return ScriptStep(str(raw["key"]), factor, str(raw["say"][language]), str(failure[language]) if failure else None)


class _Blank(dict[str, str]):
    # A value the caller does not have (no phone, no email) reads as a dash, never as "{...}".
    def __missing__(self, key: str) -> str:
        return "—"


def render_script(script: Script, values: dict[str, str | None]) -> Script:
    """The script with masked values filled in, ready to read to the caller."""
    filled = _Blank({key: value for key, value in values.items() if value is not None and key in PLACEHOLDERS})
    steps = tuple(
        replace(
            step,
            say=step.say.format_map(filled),
            on_failure=step.on_failure.format_map(filled) if step.on_failure else None,
        )
        for step in script.steps
    )
    return replace(script, steps=steps)
