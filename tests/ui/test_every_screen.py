"""Every screen at 80x24 and at 120x40: an SVG snapshot of each, a footer of whole "key description"
pairs, and the words the agent reads aloud shown whole.

The scenes are in tests/ui/every_screen.py (the fixed demo, frozen clocks, a relative database path),
so a snapshot shows the same thing on every run. Regenerate with `--snapshot-update` and look at them.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from console.app import HotlineApp
from console.services.security_review import ADVICE
from tests.support.world import World
from tests.ui.console_driver import Console, drive
from tests.ui.every_screen import SCENES, SIZES, play

SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", SCENES)
def test_screen_snapshot(
    snap_compare: SnapCompare, fixed_app: HotlineApp, fixed_world: World, scene: str, size: str
) -> None:
    async def run_before(pilot: Pilot[object]) -> None:
        await play(Console(pilot), fixed_world, scene)

    assert snap_compare(fixed_app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", SCENES)
async def test_the_footer_shows_whole_key_pairs_that_do_not_touch(
    fixed_app: HotlineApp, fixed_world: World, scene: str, size: str
) -> None:
    width, _height = SIZES[size]
    async with drive(fixed_app, size=SIZES[size]) as console:
        await play(console, fixed_world, scene)
        footer = console.app.screen.query_one(Footer)
        line = console.text().splitlines()[footer.region.y]
        # The palette's key is hidden from footers (f1 Help lists it with every other key).
        shown = [key for key in footer.query(FooterKey) if key.styles.display != "none"]
        keys = sorted(shown, key=lambda key: key.region.x)
        assert keys, f"no keys in the footer of {scene}"
        for key in keys:
            pair = f"{key.key_display} {key.description}".strip()
            assert pair in line, f"{pair!r} is cut or missing in the footer of {scene}: {line!r}"
            assert key.region.x >= 0 and key.region.right <= width, f"{pair!r} runs off the screen"
        for left, right in pairwise(keys):
            assert left.region.right <= right.region.x, (
                f"{left.key_display} {left.description!r} runs into {right.key_display} {right.description!r}"
            )


def unwrapped(text: str) -> str:
    """The terminal's text with the panel borders and line breaks taken out, so wrapped words join."""
    lines = [line.strip(" │▊▎") for line in text.splitlines()]
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("size", SIZES)
async def test_the_advice_read_aloud_is_shown_whole(fixed_app: HotlineApp, fixed_world: World, size: str) -> None:
    async with drive(fixed_app, size=SIZES[size]) as console:
        await play(console, fixed_world, "account")
        shown = console.text()
        for words in ADVICE.values():
            assert words in shown, f"{words!r} is cut at {size}"


@pytest.mark.parametrize("size", SIZES)
async def test_the_verification_script_is_shown_whole(fixed_app: HotlineApp, fixed_world: World, size: str) -> None:
    async with drive(fixed_app, size=SIZES[size]) as console:
        await play(console, fixed_world, "verify")
        script = " ".join(console.shown("#verify-say").split())
        assert script and "…" not in script
        # Chinese wraps without spaces: compare with every space and border taken out.
        assert script.replace(" ", "") in unwrapped(console.text()).replace(" ", "")


@pytest.mark.parametrize("size", SIZES)
async def test_every_statement_filter_keeps_its_label_and_the_filter_button_its_word(
    fixed_app: HotlineApp, fixed_world: World, size: str
) -> None:
    async with drive(fixed_app, size=SIZES[size]) as console:
        await play(console, fixed_world, "withdrawal")
        shown = console.text()
        for label in ("From", "To", "Type", "Status", "Amount", "Filter"):
            assert f" {label} " in shown, f"the {label!r} label is missing at {size}"
        for column in ("Date (UTC)", "Type", "Amount", "Fee", "Status"):
            assert column in shown


@pytest.mark.parametrize("size", SIZES)
async def test_the_fee_line_chosen_is_said_whole_with_its_time_and_limits(
    fixed_app: HotlineApp, fixed_world: World, size: str
) -> None:
    async with drive(fixed_app, size=SIZES[size]) as console:
        await play(console, fixed_world, "fees")
        said = unwrapped(console.text())
        assert "by on-chain in USDT: no fee" in said and "takes within 1 hour; minimum 10.000000 USDT" in said


@pytest.mark.parametrize("size", SIZES)
async def test_the_notes_typed_on_the_call_are_on_screen(fixed_app: HotlineApp, fixed_world: World, size: str) -> None:
    async with drive(fixed_app, size=SIZES[size]) as console:
        await play(console, fixed_world, "workspace")
        notes = console.app.screen.query_one("#notes")
        screen = console.app.screen.region
        assert screen.contains_region(notes.region), f"the notes box is off screen at {size}: {notes.region}"
        assert "wants to log in today." in unwrapped(console.text())
        assert "Notes" in console.text() and "Reason" in console.text()
