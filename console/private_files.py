"""Files and folders only their owner can read: the data directory, the SQLite database and its backups, the logs.

Each file is created with its final mode (never created open and narrowed later), so no other user can
open it in between, whatever the umask; files and folders left open by an older version are narrowed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700
_GROUP_AND_OTHERS = 0o077

log = logging.getLogger("hotline.files")


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner can enter: created (with any missing parents) 0700, or narrowed."""
    create_missing_folders(path)
    narrow(path)
    return path


def create_missing_folders(path: Path) -> None:
    """Create `path` and its missing parents 0700; folders that exist already are left as they are."""
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        # FileExistsError: another process made it first; narrowed below where it matters.
        with contextlib.suppress(FileExistsError):
            # Python's mkdir(parents=True) would create the parents with the umask's mode.
            folder.mkdir(mode=OWNER_ONLY_FOLDER)


def private_file(path: Path) -> Path:
    """`path` as a file only its owner can read: created empty 0600 if missing, else narrowed. Never truncates."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    except FileExistsError:
        narrow(path)
    else:
        os.close(descriptor)
    return path


def narrow(path: Path) -> None:
    """Take group and others' permissions off `path` if it exists (someone else's file is left, with a warning)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & _GROUP_AND_OTHERS:
        try:
            os.chmod(path, mode & ~_GROUP_AND_OTHERS)
        except PermissionError:
            log.warning("%s is readable by other users and is not ours to change", path)
