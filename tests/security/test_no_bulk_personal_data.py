"""Nothing lists unmasked personal data in bulk, and nothing exports it: every list a service returns
carries phone numbers and emails masked only (whole personal numbers are for one verified caller, on
their own call), and `hotline` has no command that writes customers out."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import select

from console import cli
from console.services import adjustments, admin, calls, insider, lookup, tickets, unlocks
from console.services.context import Actor
from console.services.customers import customer_card
from models import Customer
from tests.security.test_four_eyes import _awaiting, _unlock_request
from tests.support.world import World


def _strings(value: Any) -> Iterator[str]:
    """Every text inside a view: its fields, their items, their fields, and so on."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def _personal(w: World) -> set[str]:
    """Every customer's whole phone number (as stored, and its national digits) and email address."""
    with w.sessions() as session:
        rows = session.execute(select(Customer.phone_e164, Customer.email)).all()
    found = set()
    for phone, email in rows:
        if phone:
            found |= {phone, phone.lstrip("+"), str(phonenumbers.parse(phone).national_number)}
        if email:
            found.add(email)
    return found


def _lists(w: World) -> dict[str, Callable[[], Any]]:
    """Every service that returns a list, as the desk, the queue or the workspace shows it."""
    lina, chenjing = w.agent("lina"), w.agent("chenjing")
    with w.sessions() as session:
        sample = session.execute(select(Customer).limit(8)).scalars().all()
    finds = [c.full_name for c in sample] + [c.email for c in sample if c.email] + ["wang", "li", "OK1"]
    finds += [c.phone_e164[-4:] for c in sample if c.phone_e164] + [c.phone_e164 for c in sample if c.phone_e164]

    def alerts() -> list[insider.InsiderAlertView]:
        with w.sessions() as session:
            return insider.insider_alerts(session, w.later(hours=1))

    return {
        # What was typed comes back as the query; the candidates are what the lookup lists.
        "lookup": lambda: [lookup.find_customers(w.sessions, q, agent_id=lina).matches for q in finds],
        "calls waiting": lambda: calls.waiting_calls(w.sessions, lina),
        "my tickets": lambda: tickets.my_tickets(w.sessions, lina),
        "unlock requests": lambda: unlocks.pending_unlock_requests(w.sessions, chenjing),
        "adjustments waiting": lambda: adjustments.pending_adjustments(w.sessions, chenjing),
        "insider alerts": alerts,
        "agents": lambda: admin.list_agents(w.sessions, w.acting("admin")),
        "hotlines": lambda: calls.list_hotlines(w.sessions),
    }


@pytest.fixture
def busy_floor(world: World) -> World:
    """Something in every list: calls ringing from customers' phones, tickets, approvals waiting, an alert."""
    w = world
    with w.sessions() as session:
        customers = session.execute(select(Customer).order_by(Customer.id)).scalars().all()
    for customer in customers[:3]:
        if customer.phone_e164:
            calls.record_incoming_call(w.sessions, customer.phone_e164, now=w.now)
    _awaiting(w)
    _unlock_request(w)
    for customer in customers[: insider.INSIDER_LIMIT + 1]:
        customer_card(w.sessions, Actor(agent_id=w.agent("marcus"), now=w.now), customer.id)
    return w


def test_no_list_carries_a_whole_phone_number_or_email(busy_floor: World) -> None:
    personal = _personal(busy_floor)
    for name, listing in _lists(busy_floor).items():
        shown = list(_strings(listing()))
        assert shown, f"{name}: the list is empty, so it proves nothing"
        leaked = {value for value in personal for text in shown if value in text}
        assert leaked == set(), f"{name} lists whole personal data"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}"
                yield from _commands(sub, f"{prefix}{name} ")


def test_hotline_has_no_command_that_exports_customers() -> None:
    # A new command is added here only after checking it prints no customers' personal data in bulk
    # (`outbox` masks recipients and codes on any database but the demo's: test_cli_output.py).
    assert set(_commands(cli.build_parser())) == {
        "run",
        "demo",
        "demo totp",
        "db",
        "db upgrade",
        "db downgrade",
        "db current",
        "db check",
        "seed",
        "seed demo",
        "seed synthetic",
        "agent",
        "agent add",
        "agent list",
        "agent disable",
        "agent enable",
        "agent role",
        "agent reset-password",
        "ring",
        "keys",
        "keys init",
        "keys rotate",
        "outbox",
        "audit",
        "audit verify",
    }
