"""The caller's language: the script and the customer's messages follow the caller, not the agent.

A Hong Kong caller hears the Traditional Chinese script and gets a Traditional Chinese SMS, whatever
language the agent's console speaks; a mainland caller gets Simplified; a caller from elsewhere English.
"""

from __future__ import annotations

import pytest

from console.i18n import TRADITIONAL, set_language
from console.seed.demo import DEMO_ACCOUNTS
from console.services import calls, codes, verification
from console.services.caller_language import caller_language, line_language, phone_region
from console.services.context import Actor, OnCall
from console.services.outbox import recent_messages
from models import Customer
from tests.support.world import World


def _ring_and_take(world: World, case: str, number: str, line: str | None) -> int:
    """`number` rings `line`; lina takes the call; its ticket is for the customer of `case`."""
    waiting = calls.record_incoming_call(world.sessions, number, line, now=world.now)
    claimed = calls.claim_call(world.sessions, waiting.call_id, Actor(world.agent("lina"), world.now))
    return claimed.ticket.ticket_id


def _start(world: World, case: str, ticket: int) -> verification.VerificationStart:
    call = OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case))
    return verification.start_verification(world.sessions, call)


def _sms(world: World, case: str, ticket: int) -> str:
    call = OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case))
    codes.send_code(world.sessions, world.keyring, call, "sms", "verify")
    account = DEMO_ACCOUNTS[case].account_number
    (message,) = recent_messages(world.sessions, world.keyring.fernet(), account, limit=1)
    return message.body


def test_a_hong_kong_caller_gets_the_traditional_script_and_a_traditional_sms(world: World) -> None:
    phone = world.customer_row("locked_risk").phone_e164  # 陳嘉欣, Hong Kong
    assert phone is not None and phone.startswith("+852")
    ticket = _ring_and_take(world, "locked_risk", phone, "HK")
    start = _start(world, "locked_risk", ticket)
    assert start.script.language == "zh-TW"
    assert start.script.step("greet").say.startswith("您好，這裡是 OK 錢包客服")
    body = _sms(world, "locked_risk", ticket)
    assert body.startswith("【OK錢包】您的身份驗證碼是 ")
    assert "分鐘內有效" in body and "钱包" not in body and "Your" not in body
    assert world.last_code("locked_risk") in body


def test_a_mainland_caller_gets_simplified_even_when_the_agent_reads_traditional(world: World) -> None:
    set_language(TRADITIONAL)  # the agent's interface: not the caller's language
    phone = world.customer_row("same_name_beijing").phone_e164
    assert phone is not None and phone.startswith("+86")
    ticket = _ring_and_take(world, "same_name_beijing", phone, "CN")
    assert _start(world, "same_name_beijing", ticket).script.language == "zh-CN"
    assert _sms(world, "same_name_beijing", ticket).startswith("【OK钱包】您的身份验证码是 ")


def test_a_caller_from_elsewhere_on_the_international_line_gets_english(world: World) -> None:
    phone = world.customer_row("international").phone_e164  # John Smith, United States
    assert phone is not None
    ticket = _ring_and_take(world, "international", phone, "INTL")
    assert _start(world, "international", ticket).script.language == "en"


def test_the_number_rung_from_comes_before_the_profile(world: World) -> None:
    # A mainland customer ringing from a Hong Kong mobile hears Traditional Chinese.
    ticket = _ring_and_take(world, "same_name_beijing", "+85291234567", "INTL")
    assert _start(world, "same_name_beijing", ticket).script.language == "zh-TW"


def test_without_a_call_the_profile_decides(world: World) -> None:
    # A ticket opened by hand has no line: a Hong Kong customer's profile says Traditional.
    ticket = world.open_ticket("locked_risk")
    assert _start(world, "locked_risk", ticket).script.language == "zh-TW"
    ticket = world.open_ticket("two_factor_off")  # Tan Wei Ming, Singapore: English
    assert _start(world, "two_factor_off", ticket).script.language == "en"


def test_the_panel_can_still_ask_for_a_language(world: World) -> None:
    ticket = world.open_ticket("locked_risk")
    call = OnCall(world.agent("lina"), world.now, ticket_id=ticket, customer_id=world.customer("locked_risk"))
    start = verification.start_verification(world.sessions, call, "en")
    assert start.script.language == "en"
    assert list(start.translations) == ["zh-CN", "zh-TW", "en"]


@pytest.mark.parametrize(
    ("number", "region", "line", "language"),
    [
        ("+85291234567", "CN", None, "zh-TW"),  # the number rung from first
        ("+85366123456", None, None, "zh-TW"),  # Macau
        ("+886912345678", None, None, "zh-TW"),  # Taiwan
        ("+8613800138000", "HK", None, "zh-CN"),
        (None, "HK", "en,zh-CN", "zh-TW"),  # then the profile
        (None, "SG", "en,zh-SG,ms", "en"),  # then the line's first language
        (None, None, "zh-HK,en,zh-CN", "zh-TW"),
        (None, None, "zh-CN,en", "zh-CN"),
        ("+14155550100", "US", "en,zh-CN", "en"),
        (None, None, None, "en"),
    ],
)
def test_the_rules_in_order(number: str | None, region: str | None, line: str | None, language: str) -> None:
    customer = Customer(region=region, phone_e164=None) if region is not None else None
    assert caller_language(caller_number=number, customer=customer, line_languages=line) == language


def test_a_number_s_region_and_a_line_s_language() -> None:
    assert phone_region("+85291234567") == "HK"
    assert phone_region("withheld") is None
    assert line_language("zh-HK,en") == "zh-TW" and line_language("ms") is None
