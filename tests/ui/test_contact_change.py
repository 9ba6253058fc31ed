"""Changing the caller's phone from the account screen, driven through the real console on the demo data:
the dialog, the confirmation that reads the new number back, Escape at the confirmation, a bad number."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from textual.widgets import Input

from console.app import HotlineApp
from models import AuditEvent, Customer
from screens.account.contact import ContactDialog
from screens.confirm import ConfirmAction
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import Console, drive

CASE = "locked_password_failures"


def phone_on_file(world: World) -> str | None:
    with world.sessions() as session:
        customer = session.get(Customer, world.customer(CASE))
        assert customer is not None
        return customer.phone_e164


async def open_dialog(console: Console, ticket: int) -> ContactDialog:
    await console.resume("lina", ticket)
    await console.open_account()
    await console.sees("Lock")
    await console.press("f6")
    return console.on(ContactDialog)


async def test_a_verified_callers_phone_changed_through_the_dialog(demo_app: HotlineApp, world: World) -> None:
    ticket = world.verified_call(CASE)
    old = phone_on_file(world)
    assert old is not None and old != "+8613912345678"
    async with drive(demo_app) as console:
        await open_dialog(console, ticket)
        await console.type_into("#contact-value", "139 1234 5678")
        await console.press("enter")
        await console.sees("Change the contact?")
        said = console.shown("#confirm-what")
        assert "Change the phone on file from +86" in said
        assert "to 139 1234 5678; the old phone is told by SMS." in said  # what the agent typed, to read back
        assert old[-8:] not in said  # the old number is masked
        assert phone_on_file(world) == old  # nothing yet
        await console.confirm()
        console.on(ContactDialog)
        await console.wait_until(lambda: "The phone on file is now" in console.shown("#contact-outcome"), what="done")
        outcome = console.shown("#contact-outcome")
        assert "(was +86" in outcome and "the old phone has been told" in outcome
        assert "12345678" not in outcome and "5678" not in outcome  # masked: the last 2 digits only
        await console.press("escape")
    assert phone_on_file(world) == "+8613912345678"
    with world.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.contact_change")).all()
        assert len(events) == 1


async def test_escape_at_the_confirmation_changes_nothing(demo_app: HotlineApp, world: World) -> None:
    ticket = world.verified_call(CASE)
    old = phone_on_file(world)
    async with drive(demo_app) as console:
        dialog = await open_dialog(console, ticket)
        await console.type_into("#contact-value", "139 1234 5678")
        await console.press("enter")
        console.on(ConfirmAction)
        await console.press("escape")
        await console.wait_until(lambda: "Nothing was changed" in console.shown("#contact-outcome"), what="answer")
        assert console.app.screen is dialog
        assert dialog.query_one("#contact-value", Input).value == "139 1234 5678"
    assert phone_on_file(world) == old


async def test_a_malformed_number_is_refused_in_words_and_kept(demo_app: HotlineApp, world: World) -> None:
    ticket = world.verified_call(CASE)
    old = phone_on_file(world)
    async with drive(demo_app) as console:
        dialog = await open_dialog(console, ticket)
        await console.type_into("#contact-value", "12ab")
        await console.press("enter")
        await console.confirm()
        await console.wait_until(lambda: "not a phone number we can use" in console.shown("#contact-outcome"))
        assert console.app.screen is dialog
        assert dialog.query_one("#contact-value", Input).value == "12ab"
    assert phone_on_file(world) == old


async def test_a_caller_verified_over_five_minutes_ago_is_refused_with_the_verify_key(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    ticket = world.verified_call(CASE)
    old = phone_on_file(world)
    async with drive(demo_app) as console:
        dialog = await open_dialog(console, ticket)
        clock.advance(timedelta(minutes=6))
        await console.type_into("#contact-value", "139 1234 5678")
        await console.press("enter")
        await console.confirm()
        await console.wait_until(lambda: "last 5 minutes" in console.shown("#contact-outcome"), what="the refusal")
        assert "press f11" in console.shown("#contact-outcome")
        assert dialog.query_one("#contact-value", Input).value == "139 1234 5678"
    assert phone_on_file(world) == old
