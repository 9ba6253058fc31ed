"""The newest audit event this machine has verified, per database, remembered outside the database.

Whoever can write the database can delete the newest events and put back a head row saved earlier;
the signature on that old head is genuine. So `hotline audit verify` keeps, in a small owner-only file
in the user data folder, the last head it verified for each database, and fails when the log no
longer reaches it. Databases are told apart by their URL without the password.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from console.services.audit import ChainHead
from console.settings import Settings

HEADS_FILE_NAME = "audit-verified-heads.json"


def heads_file(settings: Settings) -> Path:
    return settings.data_dir / HEADS_FILE_NAME


def database_key(url: str) -> str:
    """The URL with its password left out, so the file never holds one."""
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def _read(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


def load(path: Path, url: str) -> ChainHead | None:
    entry = _read(path).get(database_key(url))
    if not isinstance(entry, dict):
        return None
    seq, event_hash = entry.get("seq"), entry.get("hash")
    if not isinstance(seq, int) or not isinstance(event_hash, str):
        return None
    return ChainHead(seq, event_hash)


def remember(path: Path, url: str, head: ChainHead) -> None:
    """Store `head` for `url`, replacing the file atomically; the file is readable by its owner only."""
    heads = _read(path)
    heads[database_key(url)] = {"seq": head.seq, "hash": head.hash}
    remember_all(path, heads)


def remember_all(path: Path, heads: dict[str, dict[str, object]]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(heads, indent=2, sort_keys=True))
    os.chmod(temporary, 0o600)  # an older leftover .tmp file keeps its mode through O_TRUNC
    os.replace(temporary, path)


def forget(path: Path, url: str) -> None:
    """Drop the remembered head of a database that was deliberately rebuilt (`hotline demo --reset`)."""
    heads = _read(path)
    if heads.pop(database_key(url), None) is not None:
        remember_all(path, heads)
