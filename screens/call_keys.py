"""The call's keys on the screens over the call (verify panel, account, money): wrap up, the account, money
and verify go straight on from there, without first going back to the workspace."""

from __future__ import annotations

from typing import Any, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

from console.i18n import N_

# action on the workspace -> (key, footer words, palette tooltip); the same keys as on the workspace.
# They stay out of these screens' footers (the workspace's footer shows them, and f1 lists them here).
_CALL_KEYS = {
    "wrap_up": ("f9", N_("Wrap up"), N_("Close this and wrap up the call")),
    "account": ("f10", N_("Account"), N_("Close this and open the caller's account")),
    "money": ("ctrl+b", N_("Money"), N_("Close this and open fees, the statement and disputes")),
    "verify": ("f11", N_("Verify"), N_("Close this and open the verify panel")),
}


def call_key_bindings(screen_id: str, *actions: str) -> list[BindingType]:
    """Bindings for the workspace's `actions` on the screen `screen_id` (binding ids "<screen>.<action>")."""
    bindings: list[BindingType] = []
    for action in actions:
        key, words, tooltip = _CALL_KEYS[action]
        bindings.append(
            Binding(key, f"call('{action}')", words, id=f"{screen_id}.{action}", tooltip=tooltip, show=False)
        )
    return bindings


class CallKeys:
    """Mixin for a dialog over the call: its call keys close it (as Escape would, callbacks and all) and
    run the same key on the screen below, until the workspace does it."""

    def action_call(self, action: str) -> None:
        screen = cast(Screen[Any], self)
        app = screen.app

        async def forward() -> None:
            await app.screen.run_action(f"call('{action}')")

        screen.dismiss(None)
        app.call_later(forward)
