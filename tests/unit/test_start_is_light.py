"""Nothing heavy before the login screen: a fresh process starts the console up to its first frame and
has computed no password hash and loaded no Alembic, ORM, models or screens beyond the login's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

START_TO_LOGIN = r"""
import asyncio, json, sys

import argon2

hashes = []
real_hash = argon2.PasswordHasher.hash
argon2.PasswordHasher.hash = lambda self, *args, **kwargs: hashes.append(1) or real_hash(self, *args, **kwargs)

from console import app as app_module, cli
from screens.login import LoginScreen

# What the console loads after the first frame is what this test must not see: keep it from starting.
app_module.HotlineApp.load_the_rest = lambda self: None
shown = []


def launch(settings, database):
    console = app_module.make_app(settings, database)

    async def show():
        async with console.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown.append(isinstance(console.screen, LoginScreen))
            shown.append(sorted(sys.modules))

    asyncio.run(show())
    return 0


cli._launch = launch
code = cli.main(["run", "--db", sys.argv[1]])
login_shown, modules = shown
import console.services.agents  # importing the login's service computes no hash either
print(json.dumps({"code": code, "login_shown": login_shown, "modules": modules, "hashes": len(hashes)}))
"""

# The key file is read and its keys checked before the console starts (a broken one is reported on the
# command line), by the format Fernet takes, without loading cryptography: that waits for the first secret.
HEAVY = ("alembic", "sqlalchemy", "models", "phonenumbers", "psycopg", "pypinyin", "cryptography")
LOGIN_SCREENS = {
    "screens",
    "screens.base",
    "screens.login",
    "screens.lock",
    "screens.password_form",
    "screens.new_password",
}


def test_the_login_screen_shows_before_anything_heavy_is_loaded(sqlite_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "HOTLINE_DATA_DIR": str(tmp_path / "data"), "HOTLINE_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("HOTLINE_DATABASE_URL", None)
    # The machine's keys exist already (the very first start makes them, and that one loads cryptography).
    make_keys = (
        "from console.keys import ensure_keyring; from console.settings import load_settings; "
        "ensure_keyring(load_settings())"
    )
    subprocess.run([sys.executable, "-c", make_keys], check=True, env=env, timeout=60)
    result = subprocess.run(
        [sys.executable, "-c", START_TO_LOGIN, sqlite_url], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0 and report["login_shown"]
    assert report["hashes"] == 0, "an argon2 hash was computed before any password was checked"
    loaded = set(report["modules"])
    assert not [name for name in loaded if name.split(".")[0] in HEAVY]
    assert {name for name in loaded if name.split(".")[0] == "screens"} <= LOGIN_SCREENS
    assert "console.services.agents" not in loaded and "console.services.lookup" not in loaded
