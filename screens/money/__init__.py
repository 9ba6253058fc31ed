"""The money screen: `MoneyScreen` and its three tabs (fees, statement, disputes), one module each."""

from screens.money.screen import MoneyScreen

__all__ = ["MoneyScreen"]
