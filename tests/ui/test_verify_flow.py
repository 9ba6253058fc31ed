"""The verify panel driven through the real app: ring, claim, verify by SMS code, step-up after 5 minutes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from console.app import HotlineApp
from console.commands import HotlineCommands
from console.db import Database
from console.keys import KeyRing, ensure_keyring
from console.services import otp
from console.services.agents import add_agent
from console.services.crypto import encrypt_totp_secret, hash_id_number
from console.services.outbox import recent_messages
from console.settings import Settings
from models import AuditEvent, Customer
from screens.verify import VerifyScreen
from tests.support.call_floor import FLOOR_NOW, ZHANG
from tests.ui.clocks import FrozenWallClock
from tests.ui.conftest import PASSWORD
from tests.ui.console_driver import Console, drive


@pytest.fixture
def keyring(settings: Settings) -> KeyRing:
    return ensure_keyring(settings)


@pytest.fixture
def clock(app: HotlineApp) -> FrozenWallClock:
    wall = FrozenWallClock(FLOOR_NOW)
    app.wall_clock = wall
    return wall


def latest_code(database: Database, keyring: KeyRing, account: str) -> str:
    """What the caller's phone received, read back through the (encrypted) outbox."""
    message = recent_messages(database.sessions, keyring.fernet(), account, limit=1)[0]
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


async def verify_zhang(console: Console, database: Database) -> None:
    """As ann: 张三丰 rings from the bound phone, she takes the call and opens the verify panel."""
    await console.log_in("ann")
    await console.ring(database, ZHANG.phone or "")
    screen = await console.take_call()
    assert screen.card is not None and screen.card.customer_id is not None
    await console.open_verify()


async def test_whole_flow_sms_code_from_the_outbox_verifies_then_step_up_after_five_minutes(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        text = console.panel_text()
        assert "Not verified yet" in text
        assert "尾号 03" in text  # the script in Chinese, with the masked phone filled in
        assert ZHANG.phone not in console.text()  # never the full number
        await console.send_code()
        assert "Code sent to" in console.panel_text()
        code = latest_code(sqlite_database, keyring, ZHANG.account)
        assert code not in console.text()  # the agent never sees the code
        await console.enter_code(code)
        text = console.panel_text()
        assert "Verified by SMS code at 09:00:00 UTC" in text
        assert "fresh until 09:05:00 UTC" in text

        clock.advance(timedelta(minutes=5, seconds=30))
        await console.wait_until(lambda: "a fresh code is needed" in console.panel_text(), what="the step-up")
        # The fresh code is sent for the step-up and verifies again.
        await console.send_code()
        await console.enter_code(latest_code(sqlite_database, keyring, ZHANG.account))
        assert "fresh until 09:10:30 UTC" in console.panel_text()


async def test_a_wrong_code_shows_the_failure_count(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        await console.send_code()
        right = latest_code(sqlite_database, keyring, ZHANG.account)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        await console.enter_code(wrong)
        text = console.panel_text()
        assert "That code is not right." in text
        assert "(Failures: 1 of 5.)" in text
        # Said once, not twice: the service's sentence carries the attempts left.
        assert text.count("left before a 15-minute lockout") == 1


async def test_five_failures_lock_verification_for_fifteen_minutes_and_the_panel_says_until_when(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        await console.send_code()
        right = latest_code(sqlite_database, keyring, ZHANG.account)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(5):
            await console.enter_code(wrong)
        text = console.panel_text()
        assert "Locked out until 09:15:00 UTC" in text
        assert "only a supervisor can lift the lockout" in text
        # Even the right code is refused while locked out.
        await console.enter_code(right)
        assert "Verified by" not in console.panel_text()
        assert "Locked out until 09:15:00 UTC" in console.panel_text()


async def test_without_keys_the_panel_says_so_in_plain_words(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        assert "Codes cannot be sent or checked" in console.panel_text()
        await console.send_code()
        assert "No encryption keys" in console.panel_text()


def change_customer(database: Database, customer_id: int, **values: object) -> None:
    with database.sessions.begin() as session:
        session.execute(update(Customer).where(Customer.id == customer_id).values(**values))


async def test_f6_goes_through_simplified_traditional_and_english_scripts(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        # 张三丰 rings from a mainland number: the script opens in Simplified Chinese.
        assert "您好，这里是 OK 钱包客服" in console.panel_text()
        await console.press("f6")
        assert "您好，這裡是 OK 錢包客服" in console.panel_text()
        assert "尾號 03" in console.panel_text()
        await console.press("f6")
        assert "Hello, this is OK Wallet support, Ann Agent speaking." in console.panel_text()
        assert "phone ending in 03" in console.panel_text()
        await console.press("f6")
        assert "尾号 03" in console.panel_text()
    # Switching language is local to the panel: the verification was started (and audited) once.
    with sqlite_database.sessions() as session:
        starts = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "verification.start")
        )
    assert starts == 1


async def test_a_caller_with_an_authenticator_verifies_with_its_current_code(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    customer_id = floor[ZHANG.account]
    secret = otp.base32_secret(b"zhang-sanfeng-secret")
    change_customer(
        sqlite_database, customer_id, totp_secret_encrypted=encrypt_totp_secret(keyring.fernet(), customer_id, secret)
    )
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        assert "Authenticator app" in console.panel_text() or "Authenticator app" in console.text()
        await console.click("#verify-totp")
        assert "身份验证器" in console.panel_text()
        await console.enter_code(otp.totp_code_for_step(secret, otp.totp_step(clock.now)))
        assert "Verified by Authenticator app at 09:00:00 UTC" in console.panel_text()


async def test_without_a_bound_phone_an_email_code_and_the_full_id_number_verify(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    change_customer(
        sqlite_database,
        floor[ZHANG.account],
        phone_bound=False,
        id_number_hash=hash_id_number(keyring.hmac_key, ZHANG.id_number),
    )
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        await console.sees("Email code + ID number")
        await console.send_code()  # the same key sends by email when there is no bound phone
        code = latest_code(sqlite_database, keyring, ZHANG.account)
        await console.fill("#verify-id", "440301198801010000")
        await console.enter_code(code)
        assert "The ID number does not match our records." in console.panel_text()
        await console.send_code()
        await console.fill("#verify-id", ZHANG.id_number)
        await console.enter_code(latest_code(sqlite_database, keyring, ZHANG.account))
        assert "Verified by Email code + ID number at 09:00:00 UTC" in console.panel_text()


async def test_verify_without_a_ticket_says_what_to_do_first(
    app: HotlineApp, floor: dict[str, int], keyring: KeyRing
) -> None:
    async with drive(app, notifications=True) as console:
        await console.log_in("ann")
        await console.press("f11")
        assert not isinstance(app.screen, VerifyScreen)
        await console.sees("Verification needs a ticket with its customer")
        commands = {c.name: c.help for c in HotlineCommands(app.screen).commands()}
        assert commands["Verify"].endswith("(f11)")


async def test_a_script_value_with_markup_and_escapes_shows_as_plain_characters(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    add_agent(
        sqlite_database.sessions, "eve", PASSWORD, "agent", display_name="[bold]Eve\x1b[2J", now=datetime.now(UTC)
    )
    async with drive(app) as console:
        await console.log_in("eve")
        await console.ring(sqlite_database, ZHANG.phone or "")
        await console.press("f2")
        await console.press("f11")
        await console.press("f6")  # Traditional
        await console.press("f6")  # English
        await console.sees("Hello, this is OK Wallet support, [bold]Eve[2J speaking.")


async def test_the_verified_state_ends_after_fifteen_idle_minutes_and_the_panel_says_so(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        await console.send_code()
        await console.enter_code(latest_code(sqlite_database, keyring, ZHANG.account))
        assert "Verified by SMS code" in console.panel_text()
        clock.advance(timedelta(minutes=16))
        await console.wait_until(
            lambda: "Not verified yet" in console.panel_text(), timeout=8.0, what="the idle expiry"
        )


def _failures_and_attempts(database: Database, account: str) -> tuple[int, int]:
    from models import VerificationAttempt

    with database.sessions() as session:
        customer = session.scalars(select(Customer).where(Customer.account_number == account)).one()
        attempts = session.scalar(
            select(func.count()).select_from(VerificationAttempt).where(VerificationAttempt.customer_id == customer.id)
        )
        return customer.verify_failures, attempts or 0


async def test_typing_slips_are_not_guesses_and_the_code_in_full_width_or_with_spaces_verifies(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        # Before the code is sent the script says it is being sent, never that it has been.
        text = console.panel_text()
        assert "我现在向您尾号 03 的手机发送" in text and "刚刚" not in text
        await console.send_code()
        assert "我们刚刚向您尾号 03 的手机发送了 6 位验证码" in console.panel_text()
        code = latest_code(sqlite_database, keyring, ZHANG.account)

        await console.enter_code("")  # an Enter on an empty box
        assert "Type the 6 digits the caller reads out" in console.panel_text()
        await console.enter_code(code[:5])
        assert "that entry has 5 digits. Nothing was counted" in console.panel_text()
        await console.enter_code("12a456")
        assert "has other characters. Nothing was counted" in console.panel_text()
        assert _failures_and_attempts(sqlite_database, ZHANG.account) == (0, 0)

        # The right code as a Chinese IME types it, with a space and a dash: folded, and it verifies.
        wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        await console.enter_code(f"{wide[:3]} -{wide[3:]}")
        assert "Verified by SMS code" in console.panel_text()
        assert _failures_and_attempts(sqlite_database, ZHANG.account) == (0, 1)


async def test_f6_keeps_the_step_on_screen_when_switching_language(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with drive(app) as console:
        await verify_zhang(console, sqlite_database)
        await console.send_code()
        await console.press("f6")
        assert "我們剛剛向您尾號 03 的手機傳送了 6 位驗證碼" in console.panel_text()
        await console.press("f6")
        text = console.panel_text()
        assert "We have just sent a 6-digit code to your phone ending in 03" in text
        assert "Hello, this is OK Wallet support" not in text  # the step, not the opening again
