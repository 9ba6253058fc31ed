"""One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238) through pyotp, and fresh 6-digit codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pyotp

TOTP_INTERVAL = 30
CODE_DIGITS = 6
DIGESTS: dict[str, Callable[..., Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}


def base32_secret(raw: bytes) -> str:
    """pyotp takes base32 secrets; the RFCs give raw bytes."""
    return base64.b32encode(raw).decode()


def hotp(secret_b32: str, counter: int, *, digits: int = CODE_DIGITS, digest: str = "sha1") -> str:
    return pyotp.HOTP(secret_b32, digits=digits, digest=DIGESTS[digest]).at(counter)


def totp_step(at: datetime | int | float, interval: int = TOTP_INTERVAL) -> int:
    """The RFC 6238 time step (T) for a moment."""
    seconds = at.timestamp() if isinstance(at, datetime) else at
    return int(seconds) // interval


def totp(
    secret_b32: str,
    at: datetime | int | float,
    *,
    digits: int = CODE_DIGITS,
    digest: str = "sha1",
    interval: int = TOTP_INTERVAL,
) -> str:
    seconds = at.timestamp() if isinstance(at, datetime) else at
    return pyotp.TOTP(secret_b32, digits=digits, digest=DIGESTS[digest], interval=interval).at(int(seconds))


def totp_code_for_step(secret_b32: str, step: int) -> str:
    """The code an authenticator shows during time step `step` (6 digits, SHA-1, 30 s)."""
    return totp(secret_b32, step * TOTP_INTERVAL)


def matching_totp_step(secret_b32: str, entered: str, now: datetime) -> int | None:
    """The step `entered` belongs to, among the current and the previous one only (never a future one)."""
    current = totp_step(now)
    for step in (current, current - 1):
        if hmac.compare_digest(totp_code_for_step(secret_b32, step), entered):
            return step
    return None


def is_six_ascii_digits(entered: str) -> bool:
    """Exactly 6 characters 0-9: full-width digits, spaces and other lengths are not codes."""
    return len(entered) == CODE_DIGITS and all("0" <= ch <= "9" for ch in entered)


# What an agent may type between the digits a caller reads out: spaces and dashes of any width.
_SEPARATORS = str.maketrans(dict.fromkeys(" \t-\u2010\u2011\u2012\u2013\u2014\u2212\u3000"))


def typed_code(entered: str) -> str:
    """The code as typed, made submittable: full-width digits folded to ASCII, spaces and dashes dropped.

    The panel submits this; the services still take exactly 6 ASCII digits and nothing else.
    """
    folded = "".join(unicodedata.normalize("NFKC", ch) if "\uff10" <= ch <= "\uff19" else ch for ch in entered)
    return folded.translate(_SEPARATORS)


def new_code() -> str:
    """A uniformly random 6-digit code from the operating system's CSPRNG."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
