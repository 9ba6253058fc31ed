"""DeskScreen: what the supervisor's and the admin's desks share: the keys to the call workspace, the
feedback desk, the database facts and logging out."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from console.i18n import N_
from console.services.agents import AgentView
from screens.base import HotlineScreen


def desk_bindings(desk: str, *, workspace_in_footer: bool = False) -> list[BindingType]:
    """The shared keys, with ids under `desk` ("admin.workspace", "escalations.log_out", ...) so a keymap
    can move them per desk. The desk's own keys fill the footer; these stay in the palette (the call
    workspace's key is shown where the desk asks for it)."""
    return [
        Binding(
            "f2",
            "workspace",
            N_("Call workspace"),
            id=f"{desk}.workspace",
            show=workspace_in_footer,
            tooltip=N_("Take calls, find callers and work tickets"),
        ),
        Binding(
            "ctrl+f",
            "feedback_desk",
            N_("Feedback"),
            id=f"{desk}.feedback",
            show=False,
            tooltip=N_("Feedback waiting in each department: read it, see its history, move its status on"),
        ),
        Binding(
            "f3",
            "database",
            N_("Database"),
            id=f"{desk}.database",
            show=False,
            tooltip=N_("Which database this console is on: engine, address, schema revision, customers"),
        ),
        Binding(
            "ctrl+l",
            "log_out",
            N_("Log out"),
            id=f"{desk}.log_out",
            show=False,
            tooltip=N_("Log out and return to the login screen"),
        ),
    ]


class DeskScreen(HotlineScreen):
    """A role's home that is a desk of its own (the escalation queue, the admin's desk)."""

    def __init__(self, agent: AgentView) -> None:
        super().__init__()
        self.agent = agent

    def action_workspace(self) -> None:
        self.hotline.open_workspace()

    def action_feedback_desk(self) -> None:
        from screens.feedback import FeedbackDeskScreen

        self.app.push_screen(FeedbackDeskScreen(self.agent))

    def action_database(self) -> None:
        from screens.home import HomeScreen

        self.app.push_screen(HomeScreen(self.agent))

    def action_log_out(self) -> None:
        self.hotline.log_out()
