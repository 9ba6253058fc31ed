"""The key ring: Fernet keys for secrets at rest and the HMAC key for codes and ID numbers, kept outside the database."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from console.settings import ENV_PREFIX, Settings


class KeysMissing(RuntimeError):
    """No key file and no keys in the environment; the message says how to make them."""


@dataclass(frozen=True)
class KeyRing:
    # Newest first: MultiFernet encrypts with the first key and decrypts with any of them.
    fernet_keys: tuple[bytes, ...]
    hmac_key: bytes

    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.fernet_keys])

    def with_new_fernet_key(self) -> KeyRing:
        return KeyRing((Fernet.generate_key(), *self.fernet_keys), self.hmac_key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "fernet_keys": [key.decode() for key in self.fernet_keys],
                "hmac_key": base64.urlsafe_b64encode(self.hmac_key).decode(),
            },
            indent=2,
        )

    @classmethod
    def generate(cls) -> KeyRing:
        return cls((Fernet.generate_key(),), secrets.token_bytes(32))

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> KeyRing:
        fernet_keys = data.get("fernet_keys")
        hmac_key = data.get("hmac_key")
        if not isinstance(fernet_keys, list) or not fernet_keys or not isinstance(hmac_key, str):
            raise KeysMissing("the key file needs a non-empty 'fernet_keys' list and an 'hmac_key'")
        ring = cls(
            tuple(str(key).encode() for key in fernet_keys),
            base64.urlsafe_b64decode(hmac_key.encode()),
        )
        ring.fernet()  # fail now, with a clear error, on a malformed key
        return ring


def load_keyring(settings: Settings, env: Mapping[str, str] | None = None) -> KeyRing:
    """Keys from HOTLINE_FERNET_KEYS + HOTLINE_HMAC_KEY when set, else from the key file."""
    env = os.environ if env is None else env
    fernet_env = env.get(f"{ENV_PREFIX}FERNET_KEYS")
    hmac_env = env.get(f"{ENV_PREFIX}HMAC_KEY")
    if fernet_env and hmac_env:
        return KeyRing.from_mapping(
            {"fernet_keys": [k.strip() for k in fernet_env.split(",")], "hmac_key": hmac_env}
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
