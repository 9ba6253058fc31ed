"""Secrets at rest: keyed hashes for ID numbers and codes, and encrypted authenticator secrets."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import TYPE_CHECKING

from console.i18n import _
from console.services.errors import ServiceError

if TYPE_CHECKING:  # cryptography loads with the first secret read or written (7 MiB a lookup never needs)
    from cryptography.fernet import MultiFernet


class SecretUnreadable(ServiceError):
    """A stored secret does not decrypt for this customer (wrong key, or copied from another row)."""


def normalize_id_number(raw: str) -> str:
    """ID numbers as people type them: full-width forms folded, spaces and dashes dropped, upper case."""
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in folded if ch.isalnum()).upper()


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 with the purpose mixed in, so a hash made for one use never matches another."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def hash_id_number(key: bytes, raw: str) -> str:
    return keyed_hash(key, "id-number", normalize_id_number(raw))


def encrypt_totp_secret(fernet: MultiFernet, customer_id: int, secret: str) -> str:
    # The customer id inside the plaintext binds the ciphertext to its row.
    return fernet.encrypt(f"{customer_id}:{secret}".encode()).decode()


def decrypt_totp_secret(fernet: MultiFernet, customer_id: int, token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        plaintext = fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(_("The authenticator secret cannot be read with the current keys.")) from None
    owner, _colon, secret = plaintext.partition(":")
    if owner != str(customer_id):
        raise SecretUnreadable(_("The authenticator secret on file belongs to another customer."))
    return secret


def rotate_token(fernet: MultiFernet, token: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate keeps the plaintext and its binding)."""
    return fernet.rotate(token.encode()).decode()
