"""The account screen: `AccountScreen` and its parts (the lock, the advice, logins and transactions)."""

from screens.account.screen import AccountScreen

__all__ = ["AccountScreen"]
