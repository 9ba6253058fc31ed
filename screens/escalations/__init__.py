"""The supervisor's desk: `EscalationScreen` and the widgets and dialogs it is made of, one module each."""

from screens.escalations.screen import EscalationScreen

__all__ = ["EscalationScreen"]
