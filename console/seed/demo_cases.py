"""The demo's cast: its agents, and a customer for every case the console handles, with what happened to them.

Read `DEMO_CASES` for who is there and why, and `SCENES` for what each went through before the call.
Account numbers are fixed so tests and the README can name them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from console.seed.catalog import fee_rule, units
from console.seed.demo_feedback import (
    complained_about_the_late_withdrawal,
    found_the_fee_hard_to_find,
    reported_an_app_crash,
)
from console.seed.demo_world import DemoWorld, Profile
from models import (
    Customer,
    CustomerStatus,
    Direction,
    Disposition,
    LockReason,
    PaymentMethod,
    Role,
    TicketReason,
    TransactionStatus,
)


class DemoLogin(NamedTuple):
    username: str
    role: Role
    password: str


class DemoAccount(NamedTuple):
    account_number: str
    name: str
    case: str


# Demo passwords are printed by `hotline demo`; they only ever exist in a demo database.
DEMO_AGENTS: tuple[tuple[DemoLogin, str], ...] = (
    (DemoLogin("lina", Role.AGENT, "lina-demo"), "Li Na 李娜"),
    (DemoLogin("marcus", Role.AGENT, "marcus-demo"), "Marcus Tan"),
    (DemoLogin("chenjing", Role.SUPERVISOR, "chenjing-demo"), "Chen Jing 陈静"),
    (DemoLogin("admin", Role.ADMIN, "admin-demo"), "Hotline Admin"),
)

# ID numbers of the callers who verify with an email code plus their ID number (demo data only).
EMAIL_ONLY_ID_NUMBER = "K4829131"  # shown on the card as K482913(1)
PHONE_NOT_BOUND_ID_NUMBER = "31011519910422103X"


@dataclass(frozen=True)
class DemoCase:
    """One demo customer: the case they show (by key), who they are, and why they are there."""

    key: str
    account_number: str
    name: str
    why: str
    profile: Profile

    @property
    def account(self) -> DemoAccount:
        return DemoAccount(self.account_number, self.name, self.why)


# In the order `hotline demo` lists them, which is also the order they open their accounts in.
DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "locked_password_failures",
        "OK10382417",
        "张伟",
        "Locked after 5 wrong passwords: agent may unlock once verified",
        Profile("CN"),
    ),
    DemoCase(
        "locked_abnormal_login",
        "OK10519034",
        "刘洋",
        "Locked after an unusual login from Lagos, NG: unlock needs a supervisor",
        Profile("CN", home=4),
    ),
    DemoCase("locked_risk", "OK10674452", "陳嘉欣", "Locked by risk rules: unlock needs a supervisor", Profile("HK")),
    DemoCase(
        "two_factor_on",
        "OK10728163",
        "周杰",
        "2FA on: verify with the authenticator (hotline demo totp)",
        Profile("CN", home=3, two_factor=True),
    ),
    DemoCase(
        "two_factor_off",
        "OK10836620",
        "Tan Wei Ming",
        "2FA off, logins normal: the security-advice call",
        Profile("SG", email="weiming.tan@gmail.com"),
    ),
    DemoCase(
        "email_only",
        "OK10947781",
        "Kelvin Chan",
        f"No phone on file: email code plus ID number {EMAIL_ONLY_ID_NUMBER}",
        Profile("HK", no_phone=True, email="kelvin.chan@netvigator.com", id_number=EMAIL_ONLY_ID_NUMBER),
    ),
    DemoCase(
        "phone_not_bound",
        "OK11053927",
        "吴芳",
        f"Phone on file but not bound: email code plus ID number {PHONE_NOT_BOUND_ID_NUMBER}",
        Profile("CN", phone_bound=False, email="wufang1991@163.com", id_number=PHONE_NOT_BOUND_ID_NUMBER),
    ),
    DemoCase(
        "delayed_withdrawal",
        "OK11162840",
        "赵敏",
        "Bank withdrawal of 8,000.00 CNY delayed past its ETA",
        Profile("CN", home=2),
    ),
    DemoCase(
        "wrong_fee",
        "OK11274506",
        "马超",
        "USDT withdrawal charged a 5 USDT fee; the schedule says 1 USDT",
        Profile("CN", home=5, two_factor=True),
    ),
    DemoCase(
        "dispute_investigating",
        "OK11385219",
        "Priya Raman",
        "Open dispute, investigating: card charged for a failed deposit",
        Profile("SG", email="priya.raman@singnet.com.sg"),
    ),
    DemoCase(
        "dispute_open",
        "OK11496372",
        "孙丽",
        "Open dispute: a transfer she does not recognise",
        Profile("CN", home=1),
    ),
    DemoCase(
        "repeat_caller",
        "OK11507718",
        "林涛",
        "Repeat caller: two closed tickets this week",
        Profile("CN", home=3),
    ),
    DemoCase(
        "same_name_beijing",
        "OK11618045",
        "王伟",
        "Same name as OK11729460 (pick list): lives in Beijing",
        Profile("CN", home=1, email="wangwei1985@163.com"),
    ),
    DemoCase(
        "same_name_guangzhou",
        "OK11729460",
        "王伟",
        "Same name as OK11618045 (pick list): lives in Guangzhou",
        Profile("CN", home=2, email="wangwei.gz@outlook.com", two_factor=True),
    ),
    DemoCase(
        "pinyin_homophone",
        "OK11830582",
        "汪薇",
        "Also spelled 'wangwei' in pinyin (pick list by pinyin)",
        Profile("CN"),
    ),
    DemoCase(
        "shared_last4_cn",
        "OK11941236",
        "何静",
        "Phone ends 5678, like OK12052691 (pick list by last 4)",
        Profile("CN", home=3, phone="+8613971825678"),
    ),
    DemoCase(
        "shared_last4_hk",
        "OK12052691",
        "Emily Ho",
        "Phone ends 5678, like OK11941236 (pick list by last 4)",
        Profile("HK", home=1, phone="+85294125678", email="emily.ho@gmail.com"),
    ),
    DemoCase("closed_account", "OK12163804", "徐明", "Closed account, zero balance", Profile("CN")),
    DemoCase(
        "international",
        "OK12274159",
        "John Smith",
        "US customer who rings the international line",
        Profile("US", email="john.smith@icloud.com", two_factor=True),
    ),
)

# The customers each case is demonstrated on, by case key.
DEMO_ACCOUNTS: dict[str, DemoAccount] = {case.key: case.account for case in DEMO_CASES}

# Ordinary customers by region, next to the cases: about 50 customers in all.
FILLER_REGIONS = ("CN",) * 18 + ("HK",) * 5 + ("SG",) * 5 + ("GB", "AU", "MY", "US")


# ---- what happened to them ---------------------------------------------------------------------

Scene = Callable[[DemoWorld, Customer], None]


def ordinary_life(world: DemoWorld, who: Customer) -> None:
    """Nothing went wrong: the case is who they are (their sign-in, contacts or name), not their history."""
    world.ordinary_life(who)


def paid_for_a_paper_statement(world: DemoWorld, who: Customer) -> None:
    world.money.charge(who, "USD", units("USD", "2"), world.ago(days=15), "Paper statement fee")


def locked_after_wrong_passwords(world: DemoWorld, who: Customer) -> None:
    """Five wrong passwords in a row from the customer's own phone, then the lock."""
    world.usual_logins(who, 5)
    world.money.open_holding(who, "CNY", units("CNY", "12680"))
    world.money.deposit(who, "CNY", PaymentMethod.BANK_TRANSFER, units("CNY", "3000"), world.ago(days=20))
    for minutes in (52, 50, 49, 47, 45):
        world.login(who, world.ago(minutes=minutes), success=False)
    world.lock(who, LockReason.PASSWORD_FAILURES, world.ago(minutes=45))
    who.failed_password_count = 5


def locked_after_abnormal_login(world: DemoWorld, who: Customer) -> None:
    """A login from a country and device never seen before, a withdrawal try, and the lock."""
    world.usual_logins(who, 6)
    world.money.open_holding(who, "CNY", units("CNY", "5400"))
    world.money.open_holding(who, "USDT", units("USDT", "2300"))
    stranger = {
        "region": "Lagos, NG",
        "device": "Windows 10 · Chrome 131",
        "ip_address": "102.89.34.17",
    }
    world.login(who, world.ago(hours=3, minutes=4), success=False, **stranger)
    world.login(who, world.ago(hours=3), success=True, **stranger)
    world.money.withdraw(
        who,
        "USDT",
        PaymentMethod.ON_CHAIN,
        units("USDT", "2000"),
        world.ago(hours=2, minutes=58),
        TransactionStatus.FAILED,
    )
    world.lock(who, LockReason.ABNORMAL_LOGIN, world.ago(hours=2, minutes=57))


def locked_by_risk(world: DemoWorld, who: Customer) -> None:
    """Rapid deposits from new addresses and a withdrawal straight out again."""
    world.usual_logins(who)
    world.money.open_holding(who, "USD", units("USD", "1500"))
    for hours in (30, 29, 28):
        world.money.deposit(who, "USDT", PaymentMethod.ON_CHAIN, units("USDT", "4000"), world.ago(hours=hours))
    world.money.withdraw(
        who,
        "USDT",
        PaymentMethod.ON_CHAIN,
        units("USDT", "11900"),
        world.ago(hours=27, minutes=30),
        TransactionStatus.FAILED,
    )
    world.lock(who, LockReason.RISK, world.ago(hours=27, minutes=29))


def delayed_withdrawal(world: DemoWorld, who: Customer) -> None:
    """A bank withdrawal that should have arrived two days ago."""
    world.usual_logins(who)
    world.money.open_holding(who, "CNY", units("CNY", "26500"))
    world.money.deposit(who, "CNY", PaymentMethod.BANK_TRANSFER, units("CNY", "5000"), world.ago(days=40))
    placed = world.ago(days=3, hours=2)
    world.money.withdraw(
        who,
        "CNY",
        PaymentMethod.BANK_TRANSFER,
        units("CNY", "8000"),
        placed,
        TransactionStatus.DELAYED,
        expected_by=placed + timedelta(hours=24),
    )


def wrong_fee(world: DemoWorld, who: Customer) -> None:
    """The fee on one USDT withdrawal is five times the published one; an earlier one is right."""
    world.usual_logins(who)
    world.money.open_holding(who, "USDT", units("USDT", "3200"))
    world.money.open_holding(who, "CNY", units("CNY", "1800"))
    chain = PaymentMethod.ON_CHAIN
    world.money.withdraw(who, "USDT", chain, units("USDT", "300"), world.ago(days=50))
    world.money.deposit(who, "USDT", chain, units("USDT", "800"), world.ago(days=30))
    world.money.withdraw(who, "USDT", chain, units("USDT", "500"), world.ago(days=12), fee=units("USDT", "5"))


def card_charged_for_failed_deposit(world: DemoWorld, who: Customer) -> None:
    """Two card charges of 200.00 USD, one deposit credited: a dispute under investigation."""
    world.usual_logins(who)
    card, visa = PaymentMethod.CREDIT_CARD, "Visa ****4417"
    world.money.open_holding(who, "USD", units("USD", "640"))
    world.money.deposit(who, "USD", card, units("USD", "200"), world.ago(days=6, minutes=3), counterparty=visa)
    failed = world.money.deposit(
        who, "USD", card, units("USD", "200"), world.ago(days=6), TransactionStatus.FAILED, counterparty=visa
    )
    call = world.take_call(who, "lina", TicketReason.STATEMENT_DISPUTE, world.ago(days=4))
    dispute = world.open_dispute(
        call, failed, units("USD", "200"), "Card charged 200.00 USD for a deposit the wallet shows as failed."
    )
    world.wrap_up(
        call, "Card statement shows two charges of 200.00 USD; the wallet credited one.", Disposition.FOLLOW_UP
    )
    world.investigate(dispute, "chenjing", world.ago(days=3), "Asked the card processor for the settlement report.")


def unrecognised_transfer(world: DemoWorld, who: Customer) -> None:
    """A transfer to someone she does not know; the dispute was opened yesterday."""
    world.usual_logins(who)
    world.money.open_holding(who, "CNY", units("CNY", "9800"))
    stranger = world.first_filler_from("CN")
    outgoing = world.money.transfer(who, stranger, "CNY", units("CNY", "1500"), world.ago(days=2, hours=5))
    call = world.take_call(who, "marcus", TicketReason.STATEMENT_DISPUTE, world.ago(days=1))
    world.open_dispute(
        call,
        outgoing,
        units("CNY", "1500"),
        "Caller says she did not make this transfer and does not know the recipient.",
    )
    world.wrap_up(call, "Caller does not recognise a transfer of 1,500.00 CNY.", Disposition.FOLLOW_UP)


def rang_twice_this_week(world: DemoWorld, who: Customer) -> None:
    """He rang twice this week about the same withdrawal."""
    world.usual_logins(who)
    world.money.open_holding(who, "CNY", units("CNY", "15000"))
    world.money.withdraw(who, "CNY", PaymentMethod.BANK_TRANSFER, units("CNY", "6000"), world.ago(days=7))
    world.past_call(
        who,
        "lina",
        TicketReason.DEPOSIT_WITHDRAWAL,
        world.ago(days=6),
        "Asked where his withdrawal is; told it is still within the ETA.",
        Disposition.RESOLVED,
    )
    world.past_call(
        who,
        "marcus",
        TicketReason.DEPOSIT_WITHDRAWAL,
        world.ago(days=2),
        "Withdrawal arrived; caller confirmed.",
        Disposition.RESOLVED,
    )


def emptied_and_closed(world: DemoWorld, who: Customer) -> None:
    """Emptied and closed two months ago: the balance is exactly zero."""
    world.usual_logins(who, 2)
    bank = PaymentMethod.BANK_TRANSFER
    payout = units("CNY", "10000")
    fee = fee_rule(bank, "CNY", Direction.WITHDRAWAL).fee_for(payout)
    world.money.open_holding(who, "CNY", payout + fee)
    world.money.withdraw(who, "CNY", bank, payout, world.ago(days=60))
    who.status = CustomerStatus.CLOSED


# The script, scene by scene, acted out after the ordinary customers' own lives. Every scene draws
# from the demo's one random seed, so this order is part of the demo: changing it changes every later
# statement row.
SCENES: tuple[tuple[str, Scene], ...] = (
    ("two_factor_on", ordinary_life),
    ("two_factor_off", ordinary_life),
    ("international", ordinary_life),
    ("email_only", ordinary_life),
    ("phone_not_bound", ordinary_life),
    ("same_name_beijing", ordinary_life),
    ("same_name_guangzhou", ordinary_life),
    ("pinyin_homophone", ordinary_life),
    ("shared_last4_cn", ordinary_life),
    ("shared_last4_hk", ordinary_life),
    ("international", paid_for_a_paper_statement),
    ("locked_password_failures", locked_after_wrong_passwords),
    ("locked_abnormal_login", locked_after_abnormal_login),
    ("locked_risk", locked_by_risk),
    ("delayed_withdrawal", delayed_withdrawal),
    ("wrong_fee", wrong_fee),
    ("dispute_investigating", card_charged_for_failed_deposit),
    ("dispute_open", unrecognised_transfer),
    ("repeat_caller", rang_twice_this_week),
    ("closed_account", emptied_and_closed),
    # Feedback calls, made through the services; they draw nothing from the random seed.
    ("delayed_withdrawal", complained_about_the_late_withdrawal),
    ("international", found_the_fee_hard_to_find),
    ("same_name_guangzhou", reported_an_app_crash),
)
