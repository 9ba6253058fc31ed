"""F1: the keys of the screen below, and on the demo database the demo callers with the numbers to ring."""

from __future__ import annotations

from console.app import HotlineApp
from console.seed.demo import demo_callers
from screens.help import HelpDialog
from screens.login import LoginScreen
from screens.workspace import WorkspaceScreen
from tests.support.world import World
from tests.ui.console_driver import drive


async def test_f1_lists_the_demo_callers_with_their_numbers_and_the_workspace_keys(
    demo_app: HotlineApp, world: World
) -> None:
    async with drive(demo_app) as console:
        await console.log_in("lina", "lina-demo")
        await console.press("f1")
        dialog = console.on(HelpDialog)
        await console.wait_until(lambda: dialog.callers is not None, what="the demo callers")
        callers = demo_callers(world.sessions)
        assert dialog.callers == callers
        zhang = next(caller for caller in callers if caller.account_number == "OK10382417")
        assert zhang.phone is not None and zhang.phone.startswith("+86 ")
        keys = console.shown("#help-keys")
        assert "Take call" in keys
        assert "Lock" in keys and "Help" in keys
        shown = console.shown("#help-callers")
        assert f"{zhang.phone}" in shown and "OK10382417  张伟" in shown
        await console.press("escape")
        assert isinstance(demo_app.screen, WorkspaceScreen)


async def test_f1_on_another_database_shows_keys_only(app: HotlineApp, floor: dict[str, int]) -> None:
    """Outside the demo the callers are real people: no list, not even an empty one."""
    async with drive(app) as console:
        await console.press("f1")
        dialog = console.on(HelpDialog)
        await console.settle()
        assert dialog.callers is None
        assert not dialog.query_one("#help-callers").display
        assert "Quit" in console.shown("#help-keys")
        await console.press("escape")
        assert isinstance(app.screen, LoginScreen)


async def test_the_help_fits_a_small_terminal(demo_app: HotlineApp, world: World) -> None:
    async with drive(demo_app, size=(80, 24)) as console:
        await console.log_in("lina", "lina-demo")
        await console.press("f1")
        dialog = console.on(HelpDialog)
        await console.wait_until(lambda: dialog.callers is not None, what="the demo callers")
        await console.sees("Keys and demo callers", "Keys on this screen")
        region = dialog.query_one("#help").region
        assert region.right <= 80 and region.bottom <= 24


async def test_f1_works_on_the_panels_over_the_call_and_lists_their_keys(demo_app: HotlineApp, world: World) -> None:
    """The verify, account and money panels are modal: the help key has priority so it reaches them too."""
    ticket = world.verified_call("wrong_fee", reason="deposit_withdrawal")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        panel = await console.open_money()
        await console.press("f1")
        console.on(HelpDialog)
        assert "Statement" in console.shown("#help-keys") and "Back to the call" in console.shown("#help-keys")
        await console.press("escape")
        assert demo_app.screen is panel
