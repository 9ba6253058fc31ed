"""The RFC 4226 HOTP and RFC 6238 TOTP test vectors pass through Hotline's own OTP module."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.services import otp

RFC4226_SECRET = otp.base32_secret(b"12345678901234567890")
RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

# RFC 6238 appendix B: the seed is "1234567890" repeated to the hash's block of 20/32/64 bytes.
RFC6238_SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238_VECTORS = [
    (59, "sha1", "94287082"),
    (59, "sha256", "46119246"),
    (59, "sha512", "90693936"),
    (1111111109, "sha1", "07081804"),
    (1111111109, "sha256", "68084774"),
    (1111111109, "sha512", "25091201"),
    (1111111111, "sha1", "14050471"),
    (1111111111, "sha256", "67062674"),
    (1111111111, "sha512", "99943326"),
    (1234567890, "sha1", "89005924"),
    (1234567890, "sha256", "91819424"),
    (1234567890, "sha512", "93441116"),
    (2000000000, "sha1", "69279037"),
    (2000000000, "sha256", "90698825"),
    (2000000000, "sha512", "38618901"),
    (20000000000, "sha1", "65353130"),
    (20000000000, "sha256", "77737706"),
    (20000000000, "sha512", "47863826"),
]


@pytest.mark.parametrize("counter", range(10))
def test_rfc4226_hotp_vectors(counter: int) -> None:
    assert otp.hotp(RFC4226_SECRET, counter) == RFC4226_CODES[counter]


@pytest.mark.parametrize(("unix_time", "digest", "expected"), RFC6238_VECTORS)
def test_rfc6238_totp_vectors(unix_time: int, digest: str, expected: str) -> None:
    secret = otp.base32_secret(RFC6238_SEEDS[digest])
    assert otp.totp(secret, unix_time, digits=8, digest=digest) == expected


def test_rfc6238_vectors_also_hold_for_aware_datetimes() -> None:
    secret = otp.base32_secret(RFC6238_SEEDS["sha1"])
    at = datetime.fromtimestamp(1111111109, UTC)
    assert otp.totp(secret, at, digits=8) == "07081804"
    assert otp.totp_step(at) == 0x23523EC


def test_totp_accepts_the_current_and_previous_step_only() -> None:
    secret = RFC4226_SECRET
    now = datetime.fromtimestamp(1_800_000_015, UTC)
    step = otp.totp_step(now)
    assert otp.matching_totp_step(secret, otp.totp_code_for_step(secret, step), now) == step
    assert otp.matching_totp_step(secret, otp.totp_code_for_step(secret, step - 1), now) == step - 1
    assert otp.matching_totp_step(secret, otp.totp_code_for_step(secret, step - 2), now) is None
    assert otp.matching_totp_step(secret, otp.totp_code_for_step(secret, step + 1), now) is None


@pytest.mark.parametrize("entered", ["12345", "1234567", "123 456", " 123456", "１２３４５６", "12345a", "", "١٢٣٤٥٦"])
def test_input_that_is_not_exactly_six_ascii_digits_is_not_a_code(entered: str) -> None:
    assert not otp.is_six_ascii_digits(entered)


def test_new_codes_are_six_ascii_digits() -> None:
    codes = {otp.new_code() for _ in range(200)}
    assert all(otp.is_six_ascii_digits(code) for code in codes)
    assert len(codes) > 150
