"""The agent's call workspace: `WorkspaceScreen` and the widgets it is made of, one module each."""

from screens.workspace.lookup import LOOKUP_GROUP
from screens.workspace.screen import WorkspaceScreen

__all__ = ["LOOKUP_GROUP", "WorkspaceScreen"]
