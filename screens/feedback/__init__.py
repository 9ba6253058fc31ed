"""Feedback screens: the dialog an agent records a caller's feedback in, and the departments' desk."""

from screens.feedback.desk import FeedbackDeskScreen
from screens.feedback.dialog import FeedbackDialog

__all__ = ["FeedbackDeskScreen", "FeedbackDialog"]
