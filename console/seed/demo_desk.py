"""The supervisor's desk in the demo: callers whose cases wait for a supervisor when `make demo` is done.

Each case is acted out through the services, as agents other than chenjing did it on the console:
an adjustment over the threshold, an unlock request for a risk lock, and a caller locked out of
verification. They are acted out after everything else in the demo (and draw from the same random
seed only then), so the rest of the demo stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from console.seed.catalog import units
from console.seed.demo_cases import DemoCase
from console.seed.demo_world import DemoWorld, Profile
from console.services import adjustments, codes, disputes, tickets, unlocks
from console.services.context import Actor, OnCall
from console.services.tickets import WrapUp
from console.settings import DEFAULT_APPROVAL_THRESHOLDS
from models import Customer, Disposition, LockReason, PaymentMethod, TicketReason, TransactionStatus

DESK_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "adjustment_waiting",
        "OK12385347",
        "Nguyen Thi Lan",
        "800 USDT deposit confirmed on chain, shown as failed: marcus's 800 USDT adjustment waits for a supervisor",
        Profile("SG", email="lan.nguyen@gmail.com"),
    ),
    DemoCase(
        "unlock_waiting",
        "OK12496058",
        "黄磊",
        "Locked by risk rules: lina's unlock request waits for a supervisor",
        Profile("CN", home=2),
    ),
    DemoCase(
        "locked_out_of_verification",
        "OK12507193",
        "Sarah Lim",
        "Five wrong codes on marcus's call: locked out of verification (for 15 minutes after the demo is built)",
        Profile("SG"),
    ),
)


def _wrap_up_escalated(world: DemoWorld, ticket_id: int, agent: str, at_minutes_ago: float) -> None:
    at = world.ago(minutes=at_minutes_ago)
    answer = WrapUp(disposition=Disposition.ESCALATED.value, talk_seconds=240, wrap_up_seconds=40)
    tickets.wrap_up(world.services, OnCall(agent_id=world.agent_ids[agent], now=at, ticket_id=ticket_id), answer)


def deposit_shown_as_failed(world: DemoWorld, who: Customer) -> None:
    """An on-chain deposit of 800 USDT arrived but was marked failed; marcus proposed crediting it."""
    world.usual_logins(who)
    world.money.open_holding(who, "USDT", units("USDT", "1200"))
    failed = world.money.deposit(
        who, "USDT", PaymentMethod.ON_CHAIN, units("USDT", "800"), world.ago(days=2), TransactionStatus.FAILED
    )
    at = world.ago(minutes=38)
    ticket = world.verified_call(who, "marcus", TicketReason.STATEMENT_DISPUTE, at)
    marcus, sessions = world.agent_ids["marcus"], world.services
    opened = disputes.open_dispute(
        sessions,
        OnCall(agent_id=marcus, now=at + timedelta(minutes=2), ticket_id=ticket, customer_id=who.id),
        failed.id,
        "800",
        "The chain shows the 800 USDT deposit confirmed; the wallet shows it failed and never credited it.",
    )
    adjustments.propose_adjustment(
        sessions,
        DEFAULT_APPROVAL_THRESHOLDS,
        OnCall(agent_id=marcus, now=at + timedelta(minutes=3), ticket_id=ticket),
        opened.dispute_id,
        "800",
        "Deposit confirmed on chain (6 confirmations) but never credited.",
        "demo-desk-adjustment-800",
    )
    _wrap_up_escalated(world, ticket, "marcus", 33)


def risk_lock_unlock_requested(world: DemoWorld, who: Customer) -> None:
    """Locked by risk rules after a burst of deposits; lina verified him and filed the unlock."""
    world.usual_logins(who)
    world.money.open_holding(who, "CNY", units("CNY", "8600"))
    world.money.open_holding(who, "USDT", units("USDT", "900"))
    world.lock(who, LockReason.RISK, world.ago(hours=5))
    at = world.ago(minutes=22)
    ticket = world.verified_call(who, "lina", TicketReason.LOCKED_ACCOUNT, at)
    unlocks.request_unlock(
        world.services,
        OnCall(agent_id=world.agent_ids["lina"], now=at + timedelta(minutes=2), ticket_id=ticket, customer_id=who.id),
        "Caller explains the deposits: salary and a bonus from his employer; payslips sent by email.",
    )
    _wrap_up_escalated(world, ticket, "lina", 18)


def five_wrong_codes(world: DemoWorld, who: Customer) -> None:
    """marcus's caller read out five wrong codes in a row: verification is locked for 15 minutes."""
    world.usual_logins(who)
    world.money.open_holding(who, "USD", units("USD", "2400"))
    at = world.ago(minutes=6)
    marcus = world.agent_ids["marcus"]
    sessions = world.services
    ticket = tickets.open_ticket(
        sessions, Actor(agent_id=marcus, now=at), who.id, TicketReason.ACCOUNT_SECURITY.value
    ).ticket_id
    sent = codes.send_code(
        sessions, world.keyring, OnCall(agent_id=marcus, now=at, ticket_id=ticket, customer_id=who.id), "sms", "verify"
    )
    wrong = f"{(int(world.code_sent(who)) + 1) % 1_000_000:06d}"
    # The last try at the moment the demo is built, so the lockout lasts its full 15 minutes from then.
    for minute in range(5):
        tried = world.ago(minutes=4 - minute)
        codes.check_code(
            sessions, world.keyring, sent.challenge_id, OnCall(agent_id=marcus, now=tried, ticket_id=ticket), wrong
        )


Scene = Callable[[DemoWorld, Customer], None]

DESK_SCENES: tuple[tuple[str, Scene], ...] = (
    ("adjustment_waiting", deposit_shown_as_failed),
    ("unlock_waiting", risk_lock_unlock_requested),
    ("locked_out_of_verification", five_wrong_codes),
)
