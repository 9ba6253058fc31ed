"""Every screen at 80x24 (the tight size for double-width text) in Simplified and Traditional Chinese:
an SVG snapshot of each scene of tests/ui/every_screen.py, the interface language set by the agent's
setting as `hotline run --lang` sets it.

A file of its own, so the test run's workers share these scenes out with the English ones. The language
goes back to English after each test (tests/conftest.py). Regenerate with `--snapshot-update` and read
the SVGs' text for English left over, cut words and footers that run together.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from console.app import HotlineApp, make_app
from console.i18n import SIMPLIFIED, TRADITIONAL, current_language
from console.settings import load_settings, with_overrides
from tests.support.world import World
from tests.ui.clocks import FrozenWallClock
from tests.ui.console_driver import Console
from tests.ui.every_screen import SCENES, SIZES, play

SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture

# The setting's value (as typed after --lang) and the interface language it must give.
LANGUAGES = {"zh-CN": SIMPLIFIED, "zh-TW": TRADITIONAL}


@pytest.fixture(params=LANGUAGES)
def chinese_app(request: pytest.FixtureRequest, fixed_app: HotlineApp, fixed_world: World) -> HotlineApp:
    """The console of `fixed_app` (the fixed demo, its clocks stopped), speaking the language set."""
    settings = with_overrides(load_settings(), database_url="sqlite:///demo.db", language=request.param)
    app = make_app(settings, fixed_world.database)
    assert current_language() == LANGUAGES[request.param]
    app.wall_clock = FrozenWallClock(fixed_world.now)
    app.clock = fixed_app.clock
    return app


@pytest.mark.parametrize("scene", SCENES)
def test_screen_snapshot_in_chinese(
    snap_compare: SnapCompare, chinese_app: HotlineApp, fixed_world: World, scene: str
) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        await play(Console(pilot), fixed_world, scene)

    assert snap_compare(chinese_app, terminal_size=SIZES["80x24"], run_before=run_before)
