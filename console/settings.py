"""Settings in layers: defaults < TOML file in the user config dir < HOTLINE_* environment < CLI flags."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "hotline"
ENV_PREFIX = "HOTLINE_"
CONFIG_FILE_NAME = "config.toml"


class SettingsError(ValueError):
    """A setting could not be read; the message names the setting and the layer it came from."""


@dataclass(frozen=True)
class Settings:
    """Everything the console needs to know about where it runs."""

    data_dir: Path
    config_dir: Path
    database_url: str
    keys_file: Path
    default_region: str = "CN"
    # The interface language: "en", "zh-CN" (Simplified), "zh-TW" (Traditional), or "" for the locale's.
    language: str = ""
    # Seconds between polls for incoming calls where the database cannot push them.
    call_poll_seconds: float = 1.0
    # Key remapping for bindings by id, e.g. {"app.quit": "ctrl+q"}.
    keymap: Mapping[str, str] = field(default_factory=dict)
    # Per asset, in major units: adjustments that bring a customer's last 24 hours of adjustments
    # in that asset to this much wait for a supervisor. An asset not listed always needs one.
    approval_thresholds: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_APPROVAL_THRESHOLDS))
    # Where feedback goes: "category" or "category/area" -> department; the more specific rule wins.
    # Each layer adds rules to the defaults (or replaces one with the same key), so every category
    # always goes somewhere.
    feedback_routing: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FEEDBACK_ROUTING))
    # Where each value came from (field name -> "default" | "file" | "env" | "cli"), for `hotline config`.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


DEFAULT_APPROVAL_THRESHOLDS: dict[str, str] = {"CNY": "5000", "USD": "700", "USDT": "700", "BTC": "0.01", "ETH": "0.3"}

DEFAULT_FEEDBACK_ROUTING: dict[str, str] = {
    "bug": "engineering",
    "bug/security": "risk_and_security",
    "usability": "product",
    "feature_request": "product",
    "complaint": "support_operations",
    "complaint/deposits_withdrawals": "payments",
    "complaint/transfers": "payments",
    "complaint/fees": "payments",
    "complaint/security": "risk_and_security",
    "praise": "support_operations",
    "other": "support_operations",
}

# Fields a user may set in any layer; data_dir and config_dir are located before the layers are read.
_LAYERED = {
    "database_url",
    "keys_file",
    "default_region",
    "language",
    "call_poll_seconds",
    "keymap",
    "approval_thresholds",
    "feedback_routing",
}
# Settings whose layers add to the one below instead of replacing it.
_MERGED = {"feedback_routing"}


def user_config_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get(f"{ENV_PREFIX}CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def user_data_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get(f"{ENV_PREFIX}DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'hotline.db'}"


def load_settings(
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from every layer; later layers win. `cli` holds only flags the user gave."""
    env = os.environ if env is None else env
    config_dir = user_config_dir(env)
    data_dir = user_data_dir(env)

    values: dict[str, Any] = {
        "database_url": default_database_url(data_dir),
        "keys_file": data_dir / "keys.json",
        "feedback_routing": dict(DEFAULT_FEEDBACK_ROUTING),
    }
    sources = {name: "default" for name in _LAYERED}

    def layer(name: str, raw: Any, where: str, source: str) -> None:
        value = _coerce(name, raw, where)
        if name == "feedback_routing":
            value = feedback_routing_rules(value, where)
        values[name] = {**values[name], **value} if name in _MERGED else value
        sources[name] = source

    config_file = Path(env.get(f"{ENV_PREFIX}CONFIG_FILE") or config_dir / CONFIG_FILE_NAME)
    for name, raw in _read_config_file(config_file).items():
        layer(name, raw, f"{config_file}", "file")

    for name in _LAYERED:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            layer(name, raw, f"environment variable {ENV_PREFIX}{name.upper()}", "env")

    for name, raw in (cli or {}).items():
        if raw is None:
            continue
        if name not in _LAYERED:
            raise SettingsError(f"unknown setting {name!r}")
        layer(name, raw, "the command line", "cli")

    values["database_url"] = normalize_database_url(values["database_url"])
    return Settings(data_dir=data_dir, config_dir=config_dir, sources=sources, **values)


def normalize_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    url = url.strip()
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    if url.startswith(("sqlite:", "postgresql+psycopg:")):
        return url
    raise SettingsError(
        f"database URL must start with sqlite:/// or postgresql:// (got one starting with {url.split(':', 1)[0]!r})"
    )


def feedback_routing_rules(rules: Mapping[str, str], where: str) -> dict[str, str]:
    """Routing rules as written ("complaint/fees" = "payments"), checked: each key a category or
    category/area, each value a department; names in lower case, spaces around them ignored."""
    # The models load here, when a layer sets routing rules, not when settings merely load at start.
    from models.feedback import Department, FeedbackCategory, ProductArea

    categories = [category.value for category in FeedbackCategory]
    areas = [area.value for area in ProductArea]
    departments = [department.value for department in Department]
    checked: dict[str, str] = {}
    for raw_key, raw_department in rules.items():
        key, department = raw_key.strip().lower(), raw_department.strip().lower()
        category, _, area = key.partition("/")
        problem = None
        if category not in categories:
            problem = f"unknown category {category!r} in rule {raw_key!r} (categories: {', '.join(categories)})"
        elif "/" in key and area not in areas:
            problem = f"unknown product area {area!r} in rule {raw_key!r} (areas: {', '.join(areas)})"
        elif department not in departments:
            problem = (
                f"unknown department {raw_department!r} in rule {raw_key!r} (departments: {', '.join(departments)})"
            )
        if problem:
            raise SettingsError(f"setting feedback_routing from {where}: {problem}")
        checked[key] = department
    return checked


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - _LAYERED)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return data


_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, raw: Any, where: str) -> Any:
    kind = _TYPES[name]
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "float":
            return float(raw)
        if kind.startswith("Mapping"):
            if isinstance(raw, str):
                # HOTLINE_KEYMAP="app.quit=ctrl+q,call.claim=f2", HOTLINE_APPROVAL_THRESHOLDS="CNY=5000,USD=700"
                pairs = (item.split("=", 1) for item in raw.split(",") if item.strip())
                return {key.strip(): value.strip() for key, value in pairs}
            if not isinstance(raw, Mapping):
                raise TypeError
            return {str(key): str(value) for key, value in raw.items()}
        if not isinstance(raw, str):
            raise TypeError
        return raw
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name} from {where} has the wrong type") from None


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of `settings` with some fields replaced (tests and the demo use this)."""
    return dataclasses.replace(settings, **changes)
