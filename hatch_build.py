"""Build hook: compile the gettext catalogs (console/locale/*/LC_MESSAGES/hotline.po) into .mo files.

Hatchling runs it for wheels and editable installs alike (`pip install -e .` in the Makefile), so a fresh
clone's `make demo` and `make test` get compiled catalogs; the .mo files are build products, not sources.
A catalog with a fuzzy or empty translation still compiles (gettext falls back to English for it); the
test suite is what refuses one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(root: Path) -> list[Path]:
    """Write hotline.mo beside every hotline.po under `root`/console/locale; returns the .mo files."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((root / "console" / "locale").glob("*/LC_MESSAGES/hotline.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parents[1].name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo in compile_catalogs(root):
            # Git ignores them, and hatchling leaves ignored files out unless they are named artifacts.
            build_data["artifacts"].append(str(mo.relative_to(root)))
