"""Keys live outside the database; secrets are bound to their row; the audit chain detects tampering."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import text

from console.db import Database
from console.keys import KeyRing, KeysMissing, ensure_keyring, load_keyring
from console.services import audit, crypto
from console.settings import load_settings


def test_missing_keys_say_how_to_create_them() -> None:
    with pytest.raises(KeysMissing, match="hotline keys init"):
        load_keyring(load_settings())


def test_key_file_is_private_and_reloads() -> None:
    settings = load_settings()
    ring = ensure_keyring(settings)
    mode = stat.S_IMODE(os.stat(settings.keys_file).st_mode)
    assert mode == 0o600
    assert load_keyring(settings) == ring


@pytest.mark.parametrize("bad_key", ["not base64 at all!", "c2hvcnQ=", ""])
def test_a_malformed_fernet_key_is_refused_in_words_when_the_keys_are_loaded(
    monkeypatch: pytest.MonkeyPatch, bad_key: str
) -> None:
    ring = KeyRing.generate()
    monkeypatch.setenv("HOTLINE_FERNET_KEYS", f"{ring.fernet_keys[0].decode()},{bad_key}")
    monkeypatch.setenv("HOTLINE_HMAC_KEY", base64.urlsafe_b64encode(ring.hmac_key).decode())
    with pytest.raises(KeysMissing, match="not 32 url-safe base64-encoded bytes") as refused:
        load_keyring(load_settings())
    assert bad_key not in str(refused.value) or not bad_key  # the key itself is never repeated


def test_loading_the_keys_loads_no_cryptography_until_a_secret_is_used(tmp_path: Path) -> None:
    """A console starts and looks callers up without the encryption library (7 MiB); the first secret
    read or written loads it, and the keys the file holds are the ones Fernet takes."""
    script = (
        "import sys, base64\n"
        "from console.keys import KeyRing, load_keyring\n"
        "from console.settings import load_settings\n"
        "import console.services.verification, console.services.codes, console.services.outbox\n"
        "ring = load_keyring(load_settings())\n"
        "assert 'cryptography' not in sys.modules, 'cryptography was loaded with the keys'\n"
        "token = ring.fernet().encrypt(b'x')\n"
        "assert ring.fernet().decrypt(token) == b'x'\n"
    )
    ring = KeyRing.generate()
    env = {
        **os.environ,
        "HOTLINE_FERNET_KEYS": ring.fernet_keys[0].decode(),
        "HOTLINE_HMAC_KEY": base64.urlsafe_b64encode(ring.hmac_key).decode(),
        "HOTLINE_CONFIG_DIR": str(tmp_path),
        "HOTLINE_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def test_keys_from_environment_win(monkeypatch: pytest.MonkeyPatch) -> None:
    ring = KeyRing.generate()
    import base64

    monkeypatch.setenv("HOTLINE_FERNET_KEYS", ring.fernet_keys[0].decode())
    monkeypatch.setenv("HOTLINE_HMAC_KEY", base64.urlsafe_b64encode(ring.hmac_key).decode())
    assert load_keyring(load_settings()) == ring


def test_totp_secret_copied_to_another_customer_does_not_decrypt() -> None:
    fernet = KeyRing.generate().fernet()
    secret = pyotp.random_base32()
    token = crypto.encrypt_totp_secret(fernet, 7, secret)
    assert secret not in token
    assert crypto.decrypt_totp_secret(fernet, 7, token) == secret
    with pytest.raises(crypto.SecretUnreadable, match="another customer"):
        crypto.decrypt_totp_secret(fernet, 8, token)


def test_rotated_token_decrypts_under_the_new_ring_only() -> None:
    old = KeyRing.generate()
    new = old.with_new_fernet_key()
    token = crypto.encrypt_totp_secret(old.fernet(), 1, "JBSWY3DPEHPK3PXP")
    rotated = crypto.rotate_token(new.fernet(), token)
    only_new = KeyRing((new.fernet_keys[0],), new.hmac_key)
    assert crypto.decrypt_totp_secret(only_new.fernet(), 1, rotated) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt_totp_secret(only_new.fernet(), 1, token)


def test_id_number_hash_ignores_formatting_but_not_digits() -> None:
    key = KeyRing.generate().hmac_key
    assert crypto.hash_id_number(key, "11010519491231002x") == crypto.hash_id_number(key, "110105 19491231 002X")
    assert crypto.hash_id_number(key, "１１０１０５１９４９１２３１００２X") == crypto.hash_id_number(
        key, "11010519491231002X"
    )
    assert crypto.hash_id_number(key, "11010519491231002X") != crypto.hash_id_number(key, "11010519491231003X")


def test_audit_chain_detects_an_edited_event(sqlite_database: Database) -> None:
    with sqlite_database.sessions.begin() as session:
        for n in range(3):
            audit.record(session, actor="ann", action="test.step", details={"n": n}, now=datetime.now(UTC))
    report = audit.verify_chain(sqlite_database.sessions)
    assert report.ok and report.events_checked == 3
    # Only someone who first removes the database's guard can edit history; the chain still tells.
    with sqlite_database.sessions.begin() as session:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("UPDATE audit_events SET details = :d WHERE seq = 2"), {"d": '{"n":9}'})
    report = audit.verify_chain(sqlite_database.sessions)
    assert not report.ok and report.broken_at_seq == 2 and report.events_checked == 1


def test_audit_chain_detects_a_removed_event(sqlite_database: Database) -> None:
    with sqlite_database.sessions.begin() as session:
        for n in range(3):
            audit.record(session, actor="ann", action="test.step", details={"n": n}, now=datetime.now(UTC))
    with sqlite_database.sessions.begin() as session:
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
        session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    report = audit.verify_chain(sqlite_database.sessions)
    assert not report.ok and report.broken_at_seq == 2 and "event 2 is missing" in str(report.problem)


@pytest.mark.postgres
def test_concurrent_audit_appends_keep_one_chain(postgres_database: Database) -> None:
    import threading

    def append(worker: int) -> None:
        for n in range(10):
            with postgres_database.sessions.begin() as session:
                audit.record(
                    session, actor=f"agent{worker}", action="test.race", details={"n": n}, now=datetime.now(UTC)
                )

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = audit.verify_chain(postgres_database.sessions)
    assert report.ok and report.events_checked == 40


def test_a_key_file_from_before_audit_keys_still_loads_and_signs_with_the_derived_key() -> None:
    import base64
    import json

    settings = load_settings()
    ring = KeyRing.generate()
    settings.keys_file.parent.mkdir(parents=True, exist_ok=True)
    settings.keys_file.write_text(
        json.dumps(
            {
                "fernet_keys": [ring.fernet_keys[0].decode()],
                "hmac_key": base64.urlsafe_b64encode(ring.hmac_key).decode(),
            }
        )
    )
    loaded = load_keyring(settings)
    assert loaded == ring and [key_id for key_id, _ in loaded.audit_keys] == ["a0"]
    assert loaded.audit_key("a0") == ring.audit_key("a0") != ring.hmac_key


def test_rotated_audit_keys_survive_the_key_file_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    from console.keys import write_keyring

    settings = load_settings()
    ring = KeyRing.generate().with_new_audit_key().with_new_audit_key()
    assert [key_id for key_id, _ in ring.audit_keys] == ["a2", "a1", "a0"]
    write_keyring(settings.keys_file, ring)
    assert load_keyring(settings) == ring
    monkeypatch.setenv("HOTLINE_FERNET_KEYS", ring.fernet_keys[0].decode())
    monkeypatch.setenv("HOTLINE_HMAC_KEY", base64.urlsafe_b64encode(ring.hmac_key).decode())
    monkeypatch.setenv(
        "HOTLINE_AUDIT_KEYS",
        ",".join(f"{key_id}={base64.urlsafe_b64encode(key).decode()}" for key_id, key in ring.added_audit_keys),
    )
    assert load_keyring(settings) == ring


def test_a_key_ring_never_shows_its_keys() -> None:
    ring = KeyRing.generate().with_new_audit_key()
    shown = repr(ring)
    assert ring.fernet_keys[0].decode() not in shown and repr(ring.hmac_key) not in shown
    assert "a1, a0" in shown
