"""Wrap-up knows the call (issue 14 item 6), through the real console on the demo data: it lists what was
done, suggests the reason from it, and the agent can still choose another."""

from __future__ import annotations

from textual.widgets import Select

from console.app import HotlineApp
from screens.workspace import WorkspaceScreen
from screens.wrap_up import WrapUpScreen
from tests.support.world import World
from tests.ui.console_driver import drive


async def test_the_suggested_reason_can_be_changed_and_the_agents_choice_is_saved(
    demo_app: HotlineApp, world: World
) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case, reason="other")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.press("f9")
        dialog = console.on(WrapUpScreen)
        await console.wait_until(lambda: dialog.summary is not None, what="what was done")
        assert console.shown("#call-done") == "Verified (SMS code)."
        # Verified only: nothing points to a reason yet, so the ticket's own stays.
        assert dialog.query_one("#wrap-up-reason", Select).value == "other"
        dialog.query_one("#wrap-up-reason", Select).value = "account_security"
        await console.pause()
        await console.press("enter", "enter")
        await console.wait_until(lambda: isinstance(console.app.screen, WorkspaceScreen), what="the workspace")
    assert world.ticket(ticket).reason.value == "account_security"


async def test_a_suggestion_does_not_override_a_reason_the_agent_picked_before_it_came(
    demo_app: HotlineApp, world: World
) -> None:
    from console.services.context import OnCall
    from console.services.unlocks import unlock_account

    case = "locked_password_failures"
    ticket = world.verified_call(case, reason="other")
    unlock_account(
        world.sessions, OnCall(world.agent("lina"), world.now, ticket, world.customer(case)), "Caller confirmed"
    )
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        await console.press("f9")
        dialog = console.on(WrapUpScreen)
        await console.wait_until(lambda: dialog.summary is not None, what="what was done")
        assert "Unlocked (Too many wrong passwords)" in console.shown("#call-done")
        reason = dialog.query_one("#wrap-up-reason", Select)
        assert reason.value == "locked_account"  # suggested from the unlock
        reason.value = "account_security"
        await console.pause()
        dialog.show_summary(dialog.summary)  # a late read does not undo the agent's choice
        assert reason.value == "account_security"
