"""The key ring, outside the database: Fernet keys for secrets, the HMAC key for codes and ID numbers, audit keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from console.settings import ENV_PREFIX, Settings

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


class KeysMissing(RuntimeError):
    """No key file and no keys in the environment; the message says how to make them."""


# The audit key every key ring has from the start. It is derived from `hmac_key` (HMAC-SHA256 with a
# fixed label) rather than stored: key files and HOTLINE_HMAC_KEY settings written before the audit
# chain was keyed then sign and check events without being edited, and each ring's first audit key
# stays as secret as its HMAC key. `hotline keys rotate` adds random audit keys in front of it.
DERIVED_AUDIT_KEY_ID = "a0"
_DERIVED_AUDIT_KEY_LABEL = b"hotline audit chain key a0"


@dataclass(frozen=True, repr=False)
class KeyRing:
    # Newest first: MultiFernet encrypts with the first key and decrypts with any of them.
    fernet_keys: tuple[bytes, ...]
    hmac_key: bytes
    # Audit keys added by rotation, newest first, as (key id, key); the derived key "a0" follows them.
    added_audit_keys: tuple[tuple[str, bytes], ...] = ()

    def __repr__(self) -> str:
        # Never the keys themselves: a ring can end up in a traceback or a test failure report.
        audit_ids = ", ".join(key_id for key_id, _ in self.audit_keys)
        return f"KeyRing({len(self.fernet_keys)} Fernet keys, audit keys {audit_ids})"

    # cryptography loads when a secret is first encrypted or read, not when the console starts.
    def fernet(self) -> MultiFernet:
        from cryptography.fernet import Fernet, MultiFernet

        return MultiFernet([Fernet(key) for key in self.fernet_keys])

    def with_new_fernet_key(self) -> KeyRing:
        from cryptography.fernet import Fernet

        return KeyRing((Fernet.generate_key(), *self.fernet_keys), self.hmac_key, self.added_audit_keys)

    @property
    def audit_keys(self) -> tuple[tuple[str, bytes], ...]:
        """Every audit key, newest first: new events are signed with the first, old ones checked by id."""
        derived = hmac.new(self.hmac_key, _DERIVED_AUDIT_KEY_LABEL, hashlib.sha256).digest()
        return (*self.added_audit_keys, (DERIVED_AUDIT_KEY_ID, derived))

    def audit_key(self, key_id: str) -> bytes | None:
        return dict(self.audit_keys).get(key_id)

    def with_new_audit_key(self) -> KeyRing:
        """A new random audit key in front; ids count up ("a1", "a2", ...) so none is ever reused."""
        numbers = [int(key_id[1:]) for key_id, _ in self.audit_keys if key_id[1:].isdigit()]
        new = (f"a{max(numbers) + 1}", secrets.token_bytes(32))
        return KeyRing(self.fernet_keys, self.hmac_key, (new, *self.added_audit_keys))

    def keyed_tag(self, purpose: str, text: str) -> str:
        """A short keyed hash of `text`: equal texts correlate, but the text cannot be read back or guessed."""
        message = f"{purpose}\n{text}".encode()
        return hmac.new(self.hmac_key, message, hashlib.sha256).hexdigest()[:16]

    def to_json(self) -> str:
        data: dict[str, object] = {
            "fernet_keys": [key.decode() for key in self.fernet_keys],
            "hmac_key": base64.urlsafe_b64encode(self.hmac_key).decode(),
        }
        if self.added_audit_keys:
            data["audit_keys"] = [
                {"id": key_id, "key": base64.urlsafe_b64encode(key).decode()} for key_id, key in self.added_audit_keys
            ]
        return json.dumps(data, indent=2)

    @classmethod
    def generate(cls) -> KeyRing:
        from cryptography.fernet import Fernet

        return cls((Fernet.generate_key(),), secrets.token_bytes(32))

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> KeyRing:
        fernet_keys = data.get("fernet_keys")
        hmac_key = data.get("hmac_key")
        if not isinstance(fernet_keys, list) or not fernet_keys or not isinstance(hmac_key, str):
            raise KeysMissing("the key file needs a non-empty 'fernet_keys' list and an 'hmac_key'")
        # Absent from key files written before the audit chain was keyed: the derived key covers them.
        audit_keys = data.get("audit_keys", [])
        if not isinstance(audit_keys, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("key"), str)
            for entry in audit_keys
        ):
            raise KeysMissing("the key file's 'audit_keys' must be a list of {'id': ..., 'key': ...}")
        added = tuple((entry["id"], base64.urlsafe_b64decode(entry["key"].encode())) for entry in audit_keys)
        if any(key_id == DERIVED_AUDIT_KEY_ID for key_id, _ in added):
            raise KeysMissing(f"the audit key id {DERIVED_AUDIT_KEY_ID!r} is reserved for the derived key")
        ring = cls(
            tuple(str(key).encode() for key in fernet_keys),
            base64.urlsafe_b64decode(hmac_key.encode()),
            added,
        )
        for key in ring.fernet_keys:  # fail now, with a clear error, on a malformed key
            _check_fernet_key(key)
        return ring


def _check_fernet_key(key: bytes) -> None:
    """The check Fernet makes of its key (32 url-safe base64 bytes), made without loading cryptography:
    the console starts, and looks callers up, long before it reads or writes its first secret."""
    try:
        raw = base64.urlsafe_b64decode(key)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise KeysMissing("a Fernet key in the key file is not 32 url-safe base64-encoded bytes")


def load_keyring(settings: Settings, env: Mapping[str, str] | None = None) -> KeyRing:
    """Keys from HOTLINE_FERNET_KEYS + HOTLINE_HMAC_KEY when set, else from the key file.

    HOTLINE_AUDIT_KEYS optionally adds rotated audit keys to the environment form: "id=key,..." newest
    first (without it the derived audit key alone signs and checks).
    """
    env = os.environ if env is None else env
    fernet_env = env.get(f"{ENV_PREFIX}FERNET_KEYS")
    hmac_env = env.get(f"{ENV_PREFIX}HMAC_KEY")
    if fernet_env and hmac_env:
        audit_env = env.get(f"{ENV_PREFIX}AUDIT_KEYS", "")
        pairs = [item.strip().partition("=") for item in audit_env.split(",") if item.strip()]
        if any(not sep or not key_id or not key for key_id, sep, key in pairs):
            raise KeysMissing(f"{ENV_PREFIX}AUDIT_KEYS must read id=key,id=key (newest first)")
        return KeyRing.from_mapping(
            {
                "fernet_keys": [k.strip() for k in fernet_env.split(",")],
                "hmac_key": hmac_env,
                "audit_keys": [{"id": key_id, "key": key} for key_id, _, key in pairs],
            }
        )
    path = settings.keys_file
    if not path.is_file():
        raise KeysMissing(
            f"No encryption keys at {path}. Create them with `hotline keys init`"
            f" or set {ENV_PREFIX}FERNET_KEYS and {ENV_PREFIX}HMAC_KEY."
        )
    return KeyRing.from_mapping(json.loads(path.read_text()))


def write_keyring(path: Path, ring: KeyRing) -> None:
    """Write the key file readable by its owner only, replacing any old one atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(ring.to_json())
    os.replace(temporary, path)


def ensure_keyring(settings: Settings) -> KeyRing:
    """The existing keys, or new ones written to the key file (the demo and first runs use this)."""
    try:
        return load_keyring(settings)
    except KeysMissing:
        ring = KeyRing.generate()
        write_keyring(settings.keys_file, ring)
        return ring
