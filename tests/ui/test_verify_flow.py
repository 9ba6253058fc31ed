"""The verify panel driven through the real app: ring, claim, verify by SMS code, step-up after 5 minutes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from textual.pilot import Pilot
from textual.widgets import Input

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
from tests.ui.call_helpers import FrozenWallClock, ring_and_wait, wait_until, workspace
from tests.ui.conftest import PASSWORD, SIZE, log_in, screen_text, settle


@pytest.fixture
def keyring(settings: Settings) -> KeyRing:
    return ensure_keyring(settings)


@pytest.fixture
def clock(app: HotlineApp) -> FrozenWallClock:
    wall = FrozenWallClock(FLOOR_NOW)
    app.wall_clock = wall
    return wall


def panel_text(app: HotlineApp) -> str:
    screen = app.screen
    assert isinstance(screen, VerifyScreen), f"expected the verify panel, not {screen!r}"
    return " ".join(
        str(screen.query_one(selector).render()) for selector in ("#verify-state", "#verify-say", "#verify-outcome")
    )


def latest_code(database: Database, keyring: KeyRing, account: str) -> str:
    """What the caller's phone received, read back through the (encrypted) outbox."""
    message = recent_messages(database.sessions, keyring.fernet(), account, limit=1)[0]
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


async def open_verify_for_zhang(pilot: Pilot[object], database: Database) -> VerifyScreen:
    """Ring from 张三丰's bound phone, take the call (f2), and open the verify panel (f11)."""
    app = pilot.app
    assert isinstance(app, HotlineApp)
    await log_in(pilot, "ann", PASSWORD)
    await ring_and_wait(pilot, database, ZHANG.phone or "")
    await pilot.press("f2")
    await settle(pilot)
    screen = workspace(app)
    await wait_until(pilot, lambda: screen.card is not None and screen.ticket is not None, what="the caller")
    assert screen.card is not None and screen.card.customer_id is not None
    await pilot.press("f11")
    await settle(pilot)
    assert isinstance(app.screen, VerifyScreen)
    await wait_until(pilot, lambda: app.screen.start is not None, what="the script")  # type: ignore[attr-defined]
    return app.screen


async def send_sms(pilot: Pilot[object]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def enter(pilot: Pilot[object], code: str) -> None:
    field = pilot.app.screen.query_one("#verify-code", Input)
    field.value = code
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_whole_flow_sms_code_from_the_outbox_verifies_then_step_up_after_five_minutes(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        text = panel_text(app)
        assert "Not verified yet" in text
        assert "尾号 03" in text  # the script in Chinese, with the masked phone filled in
        assert ZHANG.phone not in screen_text(app)  # never the full number
        await send_sms(pilot)
        assert "Code sent to" in panel_text(app)
        code = latest_code(sqlite_database, keyring, ZHANG.account)
        assert code not in screen_text(app)  # the agent never sees the code
        await enter(pilot, code)
        text = panel_text(app)
        assert "Verified by SMS code at 09:00:00 UTC" in text
        assert "fresh until 09:05:00 UTC" in text

        clock.advance(timedelta(minutes=5, seconds=30))
        await wait_until(pilot, lambda: "a fresh code is needed" in panel_text(app), what="the step-up")
        # The fresh code is sent for the step-up and verifies again.
        await send_sms(pilot)
        await enter(pilot, latest_code(sqlite_database, keyring, ZHANG.account))
        assert "fresh until 09:10:30 UTC" in panel_text(app)


async def test_a_wrong_code_shows_the_failure_count(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        await send_sms(pilot)
        right = latest_code(sqlite_database, keyring, ZHANG.account)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        await enter(pilot, wrong)
        text = panel_text(app)
        assert "That code is not right." in text
        assert "(Failures: 1 of 5.)" in text
        # Said once, not twice: the service's sentence carries the attempts left.
        assert text.count("left before a 15-minute lockout") == 1


async def test_five_failures_lock_verification_for_fifteen_minutes_and_the_panel_says_until_when(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        await send_sms(pilot)
        right = latest_code(sqlite_database, keyring, ZHANG.account)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(5):
            await enter(pilot, wrong)
        text = panel_text(app)
        assert "Locked out until 09:15:00 UTC" in text
        assert "only a supervisor can lift the lockout" in text
        # Even the right code is refused while locked out.
        await enter(pilot, right)
        assert "Verified by" not in panel_text(app)
        assert "Locked out until 09:15:00 UTC" in panel_text(app)


async def test_without_keys_the_panel_says_so_in_plain_words(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        assert "Codes cannot be sent or checked" in panel_text(app)
        await send_sms(pilot)
        assert "No encryption keys" in panel_text(app)


def change_customer(database: Database, customer_id: int, **values: object) -> None:
    with database.sessions.begin() as session:
        session.execute(update(Customer).where(Customer.id == customer_id).values(**values))


async def test_the_script_switches_to_english_and_back(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        assert "您好" in panel_text(app)
        await pilot.press("f6")
        await settle(pilot)
        assert "Hello, this is OK Wallet support, Ann Agent speaking." in panel_text(app)
        assert "phone ending in 03" in panel_text(app)
        await pilot.press("f6")
        await settle(pilot)
        assert "尾号 03" in panel_text(app)
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
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        assert "Authenticator app" in panel_text(app) or "Authenticator app" in screen_text(app)
        await pilot.click("#verify-totp")
        await settle(pilot)
        assert "身份验证器" in panel_text(app)
        await enter(pilot, otp.totp_code_for_step(secret, otp.totp_step(clock.now)))
        assert "Verified by Authenticator app at 09:00:00 UTC" in panel_text(app)


async def test_without_a_bound_phone_an_email_code_and_the_full_id_number_verify(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    change_customer(
        sqlite_database,
        floor[ZHANG.account],
        phone_bound=False,
        id_number_hash=hash_id_number(keyring.hmac_key, ZHANG.id_number),
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        assert "Email code + ID number" in screen_text(app)
        await send_sms(pilot)  # the same key sends by email when there is no bound phone
        code = latest_code(sqlite_database, keyring, ZHANG.account)
        app.screen.query_one("#verify-id", Input).value = "440301198801010000"
        await enter(pilot, code)
        assert "The ID number does not match our records." in panel_text(app)
        await send_sms(pilot)
        app.screen.query_one("#verify-id", Input).value = ZHANG.id_number
        await enter(pilot, latest_code(sqlite_database, keyring, ZHANG.account))
        assert "Verified by Email code + ID number at 09:00:00 UTC" in panel_text(app)


async def test_verify_without_a_ticket_says_what_to_do_first(
    app: HotlineApp, floor: dict[str, int], keyring: KeyRing
) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await log_in(pilot, "ann", PASSWORD)
        await pilot.press("f11")
        await settle(pilot)
        assert not isinstance(app.screen, VerifyScreen)
        assert "Verification needs a ticket with its customer" in screen_text(app)
        commands = {c.name: c.help for c in HotlineCommands(app.screen).commands()}
        assert commands["Verify"].endswith("(f11)")


async def test_a_script_value_with_markup_and_escapes_shows_as_plain_characters(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    add_agent(sqlite_database.sessions, "eve", PASSWORD, "agent", display_name="[bold]Eve\x1b[2J")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "eve", PASSWORD)
        await ring_and_wait(pilot, sqlite_database, ZHANG.phone or "")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f11")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert "Hello, this is OK Wallet support, [bold]Eve[2J speaking." in screen_text(app)


async def test_the_verified_state_ends_after_fifteen_idle_minutes_and_the_panel_says_so(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        await send_sms(pilot)
        await enter(pilot, latest_code(sqlite_database, keyring, ZHANG.account))
        assert "Verified by SMS code" in panel_text(app)
        clock.advance(timedelta(minutes=16))
        await wait_until(pilot, lambda: "Not verified yet" in panel_text(app), timeout=8.0, what="the idle expiry")


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
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        # Before the code is sent the script says it is being sent, never that it has been.
        text = panel_text(app)
        assert "我现在向您尾号 03 的手机发送" in text and "刚刚" not in text
        await send_sms(pilot)
        assert "我们刚刚向您尾号 03 的手机发送了 6 位验证码" in panel_text(app)
        code = latest_code(sqlite_database, keyring, ZHANG.account)

        await enter(pilot, "")  # an Enter on an empty box
        assert "Type the 6 digits the caller reads out" in panel_text(app)
        await enter(pilot, code[:5])
        assert "that entry has 5 digits. Nothing was counted" in panel_text(app)
        await enter(pilot, "12a456")
        assert "has other characters. Nothing was counted" in panel_text(app)
        assert _failures_and_attempts(sqlite_database, ZHANG.account) == (0, 0)

        # The right code as a Chinese IME types it, with a space and a dash: folded, and it verifies.
        wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        await enter(pilot, f"{wide[:3]} -{wide[3:]}")
        assert "Verified by SMS code" in panel_text(app)
        assert _failures_and_attempts(sqlite_database, ZHANG.account) == (0, 1)


async def test_f6_keeps_the_step_on_screen_when_switching_language(
    app: HotlineApp, floor: dict[str, int], sqlite_database: Database, keyring: KeyRing, clock: FrozenWallClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_verify_for_zhang(pilot, sqlite_database)
        await send_sms(pilot)
        await pilot.press("f6")
        await settle(pilot)
        text = panel_text(app)
        assert "We have just sent a 6-digit code to your phone ending in 03" in text
        assert "Hello, this is OK Wallet support" not in text  # the step, not the opening again
