"""`hotline keys rotate`, `hotline outbox` and `hotline demo totp`, run as the CLI runs them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from console import cli
from console.keys import KeyRing, load_keyring, write_keyring
from console.seed.demo import DEMO_ACCOUNTS
from console.services import codes, crypto, otp
from console.services.context import OnCall
from console.services.outbox import ENCRYPTED_PREFIX, readable_body
from console.settings import load_settings
from models import Customer, OutboxMessage
from tests.support.world import World


@pytest.fixture
def keys_on_file(world: World) -> KeyRing:
    write_keyring(load_settings().keys_file, world.keyring)
    return world.keyring


def _url(w: World) -> str:
    return w.database.engine.url.render_as_string(hide_password=False)


def test_after_key_rotation_every_secret_decrypts_with_the_new_key_alone(
    world: World, keys_on_file: KeyRing, capsys: pytest.CaptureFixture[str]
) -> None:
    case = "locked_password_failures"
    codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(
            agent_id=world.agent("lina"),
            now=world.now,
            ticket_id=world.open_ticket(case),
            customer_id=world.customer(case),
        ),
        "sms",
        "verify",
    )
    code = world.last_code(case)
    with world.sessions() as session:
        before = {
            c.id: crypto.decrypt_totp_secret(keys_on_file.fernet(), c.id, c.totp_secret_encrypted)
            for c in session.scalars(select(Customer).where(Customer.totp_secret_encrypted.is_not(None)))
        }
    assert len(before) >= 4
    world.database.dispose()
    assert cli.main(["keys", "rotate", "--db", _url(world)]) == 0
    assert f"Re-encrypted {len(before)} authenticator secrets" in capsys.readouterr().out
    rotated = load_keyring(load_settings())
    assert rotated.fernet_keys[1:] == keys_on_file.fernet_keys and rotated.hmac_key == keys_on_file.hmac_key
    new_only = KeyRing(rotated.fernet_keys[:1], rotated.hmac_key).fernet()
    with world.sessions() as session:
        for customer in session.scalars(select(Customer).where(Customer.totp_secret_encrypted.is_not(None))):
            assert (
                crypto.decrypt_totp_secret(new_only, customer.id, customer.totp_secret_encrypted) == before[customer.id]
            )
            with pytest.raises(crypto.SecretUnreadable):
                crypto.decrypt_totp_secret(keys_on_file.fernet(), customer.id, customer.totp_secret_encrypted)
        bodies = list(
            session.scalars(select(OutboxMessage.body).where(OutboxMessage.body.startswith(ENCRYPTED_PREFIX)))
        )
    # Every code message (the demo's past calls had theirs too) reads with the new key alone.
    readable = [readable_body(new_only, body) for body in bodies]
    assert readable and not any("cannot be read" in text for text in readable)
    assert any(code in text for text in readable)


def test_keys_rotate_refuses_keys_from_the_environment(
    world: World, keys_on_file: KeyRing, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import base64

    monkeypatch.setenv("HOTLINE_FERNET_KEYS", keys_on_file.fernet_keys[0].decode())
    monkeypatch.setenv("HOTLINE_HMAC_KEY", base64.urlsafe_b64encode(keys_on_file.hmac_key).decode())
    assert cli.main(["keys", "rotate", "--db", _url(world)]) == cli.EXIT_FAILED
    assert "Nothing was changed" in capsys.readouterr().err


def test_outbox_shows_what_the_callers_phone_received(
    world: World, keys_on_file: KeyRing, capsys: pytest.CaptureFixture[str]
) -> None:
    case = "locked_password_failures"
    codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(
            agent_id=world.agent("lina"),
            now=world.now,
            ticket_id=world.open_ticket(case),
            customer_id=world.customer(case),
        ),
        "sms",
        "verify",
    )
    code = world.last_code(case)
    account = DEMO_ACCOUNTS[case].account_number
    assert cli.main(["outbox", "--customer", account.lower(), "--db", _url(world)]) == 0
    out = capsys.readouterr().out
    assert code in out and world.customer_row(case).phone_e164 in out and "SMS" in out
    assert cli.main(["outbox", "--customer", "OK00000000", "--db", _url(world)]) == cli.EXIT_FAILED
    assert "No customer" in capsys.readouterr().err


def test_demo_totp_prints_the_current_authenticator_code_of_a_demo_customer(
    world: World, keys_on_file: KeyRing, capsys: pytest.CaptureFixture[str]
) -> None:
    account = DEMO_ACCOUNTS["two_factor_on"].account_number
    assert cli.main(["demo", "totp", account, "--db", _url(world)]) == 0
    printed = re.match(r"(\d{6}) ", capsys.readouterr().out)
    assert printed
    secret = world.totp_secret("two_factor_on")
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    assert printed.group(1) in {otp.totp(secret, now), otp.totp(secret, now.timestamp() - 30)}


def test_demo_totp_refuses_a_customer_without_2fa(
    world: World, keys_on_file: KeyRing, capsys: pytest.CaptureFixture[str]
) -> None:
    account = DEMO_ACCOUNTS["two_factor_off"].account_number
    assert cli.main(["demo", "totp", account, "--db", _url(world)]) == cli.EXIT_FAILED
    assert "2FA is off" in capsys.readouterr().err


def test_demo_totp_refuses_on_a_database_that_is_not_a_demo_one(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_keyring(load_settings().keys_file, KeyRing.generate())
    assert cli.main(["demo", "totp", "OK10728163", "--db", sqlite_url]) == cli.EXIT_FAILED
    assert "not a demo database" in capsys.readouterr().err
