"""The errors services raise: each carries a plain-language message an agent can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no. `str(error)` is safe to show on screen: no codes, secrets or full numbers."""


class InvalidInput(ServiceError):
    """What was typed cannot be used as it is (a malformed phone number, a bad amount)."""


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """Someone else changed it first, or it already exists."""


class Refused(ServiceError):
    """The rules do not allow this action now (wrong role, not verified, locked out)."""


class PasswordNeeded(Refused):
    """The supervisor last typed their password too long ago to decide: they type it again, then retry."""


class LoginRefused(Refused):
    """A console login was refused (wrong or unknown credentials, a disabled or locked agent)."""


class PasswordChangeRequired(LoginRefused):
    """The password was right, but an admin reset it: the login goes on only with a new one."""


class AgentDisabled(Exception):
    """The acting agent has been disabled. Not a ServiceError on purpose: screens show refusals in
    place, but this one must reach the app, which locks the console with the message (safe to show)."""
