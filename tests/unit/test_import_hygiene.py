"""The core never imports the UI: checked in a clean interpreter and by import-linter's contracts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CORE_MODULES = [
    "models",
    "console.db",
    "console.schema",
    "console.settings",
    "console.keys",
    "console.services.agents",
    "console.services.audit",
    "console.services.crypto",
]


def _loaded_after_importing(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


def test_core_modules_load_without_textual_or_screens() -> None:
    loaded = _loaded_after_importing(CORE_MODULES)
    ui = {name for name in loaded if name.split(".")[0] in {"textual", "screens"}}
    assert ui == set()


def test_every_service_module_loads_without_the_ui() -> None:
    services = sorted(
        f"console.services.{path.stem}"
        for path in (ROOT / "console" / "services").glob("*.py")
        if path.stem != "__init__"
    )
    loaded = _loaded_after_importing(services)
    assert {name for name in loaded if name.split(".")[0] in {"textual", "screens"}} == set()


def test_import_linter_contracts_hold() -> None:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert executable, "import-linter is a test dependency"
    result = subprocess.run([executable], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
