"""HomeScreen: who is logged in and which database this console is on (f3 from a supervisor's or admin's desk)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Label, Static
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.services.agents import AgentView
from console.services.labels import engine_label, role_label
from console.services.system import DatabaseInfo, describe_database, explain_failure
from console.text import safe_text
from screens.base import HotlineScreen
from screens.feedback import FeedbackDeskScreen

READING = N_("Reading…")


def role_title(agent: AgentView) -> str:
    return role_label(str(agent.role))


class HomeScreen(HotlineScreen):
    """Who is logged in and the facts of the database open: engine, address, schema revision, customers."""

    CSS_PATH = "home.tcss"
    # On a wide terminal the panels sit side by side (home.tcss, `HomeScreen.-wide`).
    # Textual declares this `ClassVar[...] | None`, which type checkers read as an instance attribute.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="home.back", tooltip=N_("Back to your desk")),
        Binding(
            "ctrl+l",
            "log_out",
            N_("Log out"),
            id="home.log_out",
            show=False,
            tooltip=N_("Log out and return to the login screen"),
        ),
        Binding(
            "f5",
            "refresh_database",
            N_("Refresh"),
            id="home.refresh",
            tooltip=N_("Read the database facts again"),
        ),
        Binding(
            "f2",
            "workspace",
            N_("Call workspace"),
            id="home.workspace",
            tooltip=N_("Take calls, find callers and work tickets"),
        ),
        Binding(
            "ctrl+f",
            "feedback_desk",
            N_("Feedback"),
            id="home.feedback",
            tooltip=N_("Feedback waiting in each department: read it, see its history, move its status on"),
        ),
    ]

    def __init__(self, agent: AgentView) -> None:
        super().__init__()
        self.agent = agent

    def compose(self) -> ComposeResult:
        agent = self.agent
        yield Header()
        with VerticalScroll(id="home"):
            with Vertical(id="home-panels"):
                with Vertical(id="who", classes="panel"):
                    yield Static(
                        safe_text(_("{role_title} home").format(role_title=role_title(agent))), classes="panel-title"
                    )
                    with Grid(classes="facts"):
                        yield Label(_("Logged in as"), classes="fact-label")
                        yield Static(
                            safe_text(agent.display_name, style="bold")
                            + Content(" (")
                            + safe_text(agent.username)
                            + Content(")"),
                            id="agent-name",
                        )
                        yield Label(_("Role"), classes="fact-label")
                        yield Static(safe_text(role_title(agent)), id="agent-role")
                with Vertical(id="database", classes="panel"):
                    yield Static(_("Database"), classes="panel-title")
                    with Grid(classes="facts"):
                        yield Label(_("Engine"), classes="fact-label")
                        yield Static(safe_text(self.engine_name()), id="database-engine")
                        yield Label(_("Address"), classes="fact-label")
                        yield Static(safe_text(self.database.url), id="database-url")
                        yield Label(_("Schema"), classes="fact-label")
                        yield Static(_(READING), id="database-schema", classes="database-fact")
                        yield Label(_("Customers"), classes="fact-label")
                        yield Static(_(READING), id="database-customers", classes="database-fact")
            yield Static(
                _("Calls are taken in the call workspace (see the footer for its key)."),
                id="home-note",
                classes="muted",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.read_database()

    def engine_name(self) -> str:
        dialect = self.database.dialect
        return engine_label(dialect)

    def action_log_out(self) -> None:
        self.hotline.log_out()

    def action_workspace(self) -> None:
        self.hotline.open_workspace()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "feedback_desk":
            return str(self.agent.role) in ("supervisor", "admin")
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1 and self.app.screen_stack[-2] is not None:
            self.app.pop_screen()

    def action_feedback_desk(self) -> None:
        self.app.push_screen(FeedbackDeskScreen(self.agent))

    def action_refresh_database(self) -> None:
        for fact in self.query(".database-fact").results(Static):
            fact.remove_class("failed")
            fact.update(_(READING))
        self.read_database()

    def read_database(self) -> None:
        database = self.database
        self.run_service(lambda: describe_database(database), self.show_database, group="home.database")

    def show_database(self, info: DatabaseInfo) -> None:
        if info.revision is None:
            schema = _("no Hotline schema (this Hotline expects revision {head})").format(head=info.head)
        elif info.up_to_date:
            schema = _("revision {revision} (up to date)").format(revision=info.revision)
        else:
            schema = _("revision {revision}; this Hotline expects {head}").format(
                revision=info.revision, head=info.head
            )
        self.query_one("#database-schema", Static).update(safe_text(schema))
        customers = _("no customers table") if info.customers is None else f"{info.customers:,}"
        self.query_one("#database-customers", Static).update(customers)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "home.database" and event.state is WorkerState.ERROR:
            assert event.worker.error is not None
            schema = self.query_one("#database-schema", Static)
            schema.update(safe_text(explain_failure(event.worker.error)))
            self.query_one("#database-customers", Static).update("unknown")
            for fact in self.query(".database-fact"):
                fact.add_class("failed")
