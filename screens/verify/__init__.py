"""The verify panel: `VerifyScreen` and its parts (what to say to the caller, the verified state)."""

from screens.verify.screen import VerifyScreen

__all__ = ["VerifyScreen"]
