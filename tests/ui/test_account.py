"""The account screen driven through the real console on the demo data: unlocking a password-failure lock,
a risk lock that only a supervisor may lift, an unverified caller, and the advice ticks on the ticket."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from textual.widgets import Checkbox, DataTable, Input

from console.app import HotlineApp
from console.seed.demo import DEMO_ACCOUNTS
from console.services.security_review import ADVICE
from models import AuditEvent, Customer, CustomerStatus, Ticket, UnlockRequest
from screens.account import AccountScreen
from screens.confirm import ConfirmAction
from screens.verify import VerifyScreen
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import drive


def customer_row(world: World, case: str) -> Customer:
    with world.sessions() as session:
        customer = session.get(Customer, world.customer(case))
        assert customer is not None
        return customer


async def test_unlock_from_the_account_screen(demo_app: HotlineApp, world: World, clock: FrozenWallClock) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case)
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        screen = await console.open_account()
        lock = console.shown("#lock-state")
        assert "Locked: Too many wrong passwords" in lock
        assert "Since " in lock and " UTC" in lock
        # The logins that led to the lock are listed, failed ones named as such.
        logins = screen.query_one("#logins", DataTable)
        assert logins.row_count > 0
        assert any("Failed" in str(logins.get_row_at(i)[1]) for i in range(logins.row_count))
        assert "failed logins in 30 days: 5" in console.shown("#security-facts")
        # A supervisor request is not offered for this lock.
        assert not screen.query_one("#request-unlock").display
        await console.type_into("#unlock-reason", "Caller confirmed the five attempts were hers")
        await console.press("f2")
        # One more key: the confirmation says which account, which lock, and what follows.
        said = await console.sees("Unlock the account?")
        account = DEMO_ACCOUNTS[case].account_number
        assert f"Unlock {account}, locked for: Too many wrong passwords." in said
        assert "new password at the next login" in said and "held for 24 hours" in said and "is told" in said
        assert customer_row(world, case).status == CustomerStatus.LOCKED  # nothing yet
        await console.confirm()
        held_until = clock.now + timedelta(hours=24)
        outcome = console.shown("#lock-outcome")
        assert f"Withdrawals are held until {held_until:%H:%M} UTC on {held_until:%Y-%m-%d}." in outcome
        assert "new password at the next login" in outcome
        assert "notified" in outcome
        assert "Active" in console.shown("#lock-state")
        assert not screen.query_one("#lock-actions").display  # nothing left to unlock
    customer = customer_row(world, case)
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.lock_reason is None
    assert customer.password_reset_required is True
    assert customer.withdrawals_held_until is not None


async def test_an_unlock_after_five_minutes_asks_for_a_fresh_code_with_the_verify_key(
    demo_app: HotlineApp, world: World, clock: FrozenWallClock
) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case)
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.open_account()
        clock.advance(timedelta(minutes=6))
        await console.type_into("#unlock-reason", "Caller confirmed the attempts")
        await console.press("enter")  # Enter in the reason box does what the lock allows
        # Asked before the confirmation: the agent does not tell the caller "unlocking now" for nothing.
        assert not isinstance(demo_app.screen, ConfirmAction)
        outcome = console.shown("#lock-outcome")
        assert "Caller not verified: this action needs a code passed in the last 5 minutes" in outcome
        assert "Press f11 to open the verify panel" in outcome
        assert customer_row(world, case).status == CustomerStatus.LOCKED
        await console.press("f11")
        assert isinstance(demo_app.screen, VerifyScreen)


async def test_escape_on_the_unlock_confirmation_changes_nothing(demo_app: HotlineApp, world: World) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case)
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.open_account()
        await console.type_into("#unlock-reason", "Caller confirmed the attempts")
        await console.press("enter")
        console.on(ConfirmAction)
        await console.press("escape")
        await console.wait_until(lambda: "Nothing was changed" in console.shown("#lock-outcome"), what="the answer")
        assert "Locked: Too many wrong passwords" in console.shown("#lock-state")
        # The reason typed is still there for a second try.
        assert console.app.screen.query_one("#unlock-reason", Input).value == "Caller confirmed the attempts"
    assert customer_row(world, case).status == CustomerStatus.LOCKED


async def test_risk_lock_offers_only_a_supervisor_request(demo_app: HotlineApp, world: World) -> None:
    case = "locked_risk"
    ticket = world.verified_call(case)
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        screen = await console.open_account()
        assert "Locked: Risk control" in console.shown("#lock-state")
        assert "Only a supervisor can unlock it" in console.shown("#lock-state")
        assert not screen.query_one("#unlock").display
        assert screen.query_one("#request-unlock").display
        await console.type_into("#unlock-reason", "Caller explains the deposits came from her own exchange account")
        # The agent's unlock key does nothing on a risk lock.
        await console.press("f2")
        assert customer_row(world, case).status == CustomerStatus.LOCKED
        await console.press("f3")
        lock = console.shown("#lock-state")
        assert "pending" in lock and "filed by lina" in lock and "waiting for a supervisor" in lock
        assert "own exchange account" in lock
        # With the request pending, neither button nor reason box is offered.
        assert not screen.query_one("#lock-actions").display
        await console.press("f3")
    customer = customer_row(world, case)
    assert customer.status == CustomerStatus.LOCKED
    assert customer.withdrawals_held_until is None
    with world.sessions() as session:
        requests = session.scalars(select(UnlockRequest).where(UnlockRequest.customer_id == customer.id)).all()
    assert [r.status.value for r in requests] == ["pending"]


async def test_unverified_caller_sees_no_account_details(demo_app: HotlineApp, world: World) -> None:
    ticket = world.open_ticket("locked_password_failures")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        screen = await console.open_account()
        message = console.shown("#account-message")
        assert "Caller not verified" in message
        assert "Press f11 to open the verify panel" in message
        assert not screen.query_one("#account-body").display
        assert screen.query_one("#logins", DataTable).row_count == 0
        text = console.text()
        assert "Too many wrong passwords" not in text
        assert "Recent transactions" not in text
        # Neither unlock key does anything for an unverified caller.
        await console.press("f2", wait=False)
        await console.press("f3")
    assert customer_row(world, "locked_password_failures").status == CustomerStatus.LOCKED


async def test_advice_ticks_are_saved_on_the_ticket(demo_app: HotlineApp, world: World) -> None:
    ticket = world.verified_call("two_factor_off", reason="account_security")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        screen = await console.open_account()
        assert "2FA off" in console.shown("#security-facts")
        assert not any(box.value for box in screen.query(Checkbox))
        await console.press("f5", wait=False)  # the first advice box
        await console.press("space", wait=False)
        await console.press("tab", "tab", "space")  # a second one, straight after
        assert "Saved" in console.shown("#advice-state")
        await console.press("escape")
        assert not isinstance(demo_app.screen, AccountScreen)
        # Open again: the ticks come back from the ticket.
        again = await console.open_account()
        ticked = {box.name for box in again.query(Checkbox) if box.value}
    first, _, third, _ = ADVICE
    assert ticked == {first, third}
    with world.sessions() as session:
        stored = session.get(Ticket, ticket)
        assert stored is not None
        assert stored.advice_given == f"{first},{third}"
        audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.advice")).all()
    assert len(audited) >= 1


async def test_a_device_name_with_markup_shows_literally(demo_app: HotlineApp, world: World) -> None:
    from models import LoginEvent

    case = "locked_password_failures"
    with world.sessions.begin() as session:
        session.add(
            LoginEvent(
                customer_id=world.customer(case),
                occurred_at=world.now - timedelta(minutes=1),
                region="[red]Nowhere\x1b[2J",
                device="[bold]x",
                ip_address="10.0.0.1",
                success=False,
                unusual=True,
            )
        )
    ticket = world.verified_call(case)
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.open_account()
        text = await console.sees("[bold]x", "[red]Nowhere[2J", "unusual")
        assert "[bold]x" in text
        assert "[red]Nowhere[2J" in text
        assert "unusual" in text
