"""AdminDeskScreen: where an admin lands after login: the agents, the schema, the audit check and the
policies in force, each a widget of its own; the screen holds the keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header

from console.services.agents import AgentView
from console.services.context import Actor
from screens.admin.agents import AgentsPanel
from screens.admin.keys import ADMIN_DESK_BINDINGS
from screens.admin.system import AuditPanel, PoliciesPanel, SchemaPanel
from screens.desk import DeskScreen


class AdminDeskScreen(DeskScreen):
    """The admin's desk: every service behind it refuses anyone but an admin; this screen only shows."""

    CSS_PATH = "admin.tcss"
    AUTO_FOCUS = "#agents-table"
    # Wide terminals put the system panels beside the agents; narrow ones below them (admin.tcss).
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = ADMIN_DESK_BINDINGS

    def __init__(self, agent: AgentView) -> None:
        super().__init__(agent)

    def actor(self) -> Actor:
        """The admin, acting now (the console's clock, read at each key press)."""
        return Actor(self.agent.id, self.hotline.wall_clock())

    # The parts

    @property
    def agents(self) -> AgentsPanel:
        return self.query_one(AgentsPanel)

    @property
    def schema(self) -> SchemaPanel:
        return self.query_one(SchemaPanel)

    @property
    def audit(self) -> AuditPanel:
        return self.query_one(AuditPanel)

    @property
    def policies(self) -> PoliciesPanel:
        return self.query_one(PoliciesPanel)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="desk"), Horizontal(id="desk-columns"):
            yield AgentsPanel(self.actor)
            with Vertical(id="desk-side"):
                yield SchemaPanel(self.actor)
                yield AuditPanel(self.actor)
                yield PoliciesPanel(self.actor)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.action_refresh()

    # Bindings

    def action_refresh(self) -> None:
        self.agents.load()
        self.schema.load()
        self.policies.load()

    def action_add_agent(self) -> None:
        self.agents.add()

    def action_disable_agent(self) -> None:
        self.agents.disable()

    def action_enable_agent(self) -> None:
        self.agents.enable()

    def action_change_role(self) -> None:
        self.agents.change_role()

    def action_reset_password(self) -> None:
        self.agents.reset_password()

    def action_check_audit(self) -> None:
        self.audit.scroll_visible()
        self.audit.check()
