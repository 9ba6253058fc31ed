"""The admin's desk system panels: the schema revisions, the audit-chain check, and the policies in force."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Label, Static

from console import verified_heads
from console.i18n import N_, _
from console.services.admin_system import AuditCheck, PolicySection, SchemaView, check_audit_chain, policies
from console.services.admin_system import schema_status as read_schema_status
from console.services.context import Actor
from console.services.errors import ServiceError
from console.text import pad, safe_text
from screens.base import Notice, OnHotline

SCHEMA_GROUP = "admin.schema"
AUDIT_GROUP = "admin.audit"
POLICIES_GROUP = "admin.policies"
READING = N_("Reading…")


class SchemaPanel(OnHotline, Vertical):
    """The database's revision beside the code's, and the command that upgrades it when it is behind."""

    def __init__(self, actor: Callable[[], Actor]) -> None:
        super().__init__(id="schema", classes="panel")
        self.actor = actor
        self.view: SchemaView | None = None
        self.border_title = _("Schema")

    def compose(self) -> ComposeResult:
        with Grid(classes="facts"):
            yield Label(_("Database"), classes="fact-label")
            yield Static(_(READING), id="schema-database")
            yield Label(_("This Hotline"), classes="fact-label")
            yield Static(_(READING), id="schema-code")
        yield Notice(id="schema-state")

    def load(self) -> None:
        self.run_service(
            lambda: read_schema_status(self.database.read_sessions, self.actor()),
            self.show,
            refused=self.refused,
            group=SCHEMA_GROUP,
            latest_only=True,
        )

    def show(self, view: SchemaView) -> None:
        self.view = view
        self.query_one("#schema-database", Static).update(safe_text(view.database_revision or _("no Hotline schema")))
        self.query_one("#schema-code", Static).update(safe_text(view.code_revision))
        state = safe_text(view.state)
        if view.upgrade_command is not None:
            state += Content("\n") + safe_text(view.upgrade_command, style="bold")
        self.query_one("#schema-state", Notice).say(state, refusal=not view.up_to_date)

    def refused(self, refusal: ServiceError) -> None:
        self.query_one("#schema-state", Notice).say(str(refusal), refusal=True)


class AuditPanel(OnHotline, Vertical):
    """The audit-chain check, run on request; its result in words."""

    def __init__(self, actor: Callable[[], Actor]) -> None:
        super().__init__(id="audit", classes="panel")
        self.actor = actor
        self.result: AuditCheck | None = None
        self.border_title = _("Audit log")

    def compose(self) -> ComposeResult:
        yield Notice(id="audit-result")

    def on_mount(self) -> None:
        self.query_one("#audit-result", Notice).say(
            _("Not checked from this console yet. {key_for} checks every event.").format(
                key_for=self.key_for("admin.check_audit")
            )
        )

    @property
    def checking(self) -> bool:
        return any(worker.group == AUDIT_GROUP and worker.is_running for worker in self.workers)

    def check(self) -> None:
        if self.checking:
            return
        self.query_one("#audit-result", Notice).say(_("Checking every event… (a long log takes a while)"))
        settings = self.hotline.settings
        database = self.database

        def run() -> AuditCheck:
            # The newest event this machine checked before, as `hotline audit verify` remembers it.
            heads = verified_heads.heads_file(settings)
            remembered = verified_heads.load(heads, settings.database_url)
            result = check_audit_chain(
                database.sessions, self.actor(), read_sessions=database.read_sessions, remembered=remembered
            )
            if result.ok and result.head is not None:
                verified_heads.remember(heads, settings.database_url, result.head)
            return result

        self.run_service(run, self.show, refused=self.refused, group=AUDIT_GROUP)

    def show(self, result: AuditCheck) -> None:
        self.result = result
        self.query_one("#audit-result", Notice).say(result.words, refusal=not result.ok)

    def refused(self, refusal: ServiceError) -> None:
        self.query_one("#audit-result", Notice).say(str(refusal), refusal=True)


class PoliciesPanel(OnHotline, Vertical):
    """Each policy in force on this console, line by line, with where it is set."""

    def __init__(self, actor: Callable[[], Actor]) -> None:
        super().__init__(id="policies", classes="panel")
        self.actor = actor
        self.sections: tuple[PolicySection, ...] = ()
        self.border_title = _("Policies in force")

    def compose(self) -> ComposeResult:
        yield Notice(_(READING), id="policies-body")

    def load(self) -> None:
        settings = self.hotline.settings
        self.run_service(
            lambda: policies(self.database.read_sessions, self.actor(), settings),
            self.show,
            refused=self.refused,
            group=POLICIES_GROUP,
            latest_only=True,
        )

    def show(self, sections: tuple[PolicySection, ...]) -> None:
        self.sections = sections
        body = Content("")
        for number, section in enumerate(sections):
            if number:
                body += Content("\n\n")
            body += safe_text(section.title, style="bold") + Content("\n") + safe_text(section.summary)
            # Short names (assets) line up in a column; long ones (routing rules) point at their value.
            width = max((cell_len(line.name) for line in section.lines), default=0)
            for line in section.lines:
                name = pad(line.name, 6) + " " if width <= 6 else f"{line.name} → "
                body += Content("\n") + safe_text(name) + safe_text(line.value)
            body += Content("\n") + safe_text(_("Set in {set_in}.").format(set_in=section.set_in), style="$text-muted")
        self.query_one("#policies-body", Notice).say(body)

    def refused(self, refusal: ServiceError) -> None:
        self.query_one("#policies-body", Notice).say(str(refusal), refusal=True)
