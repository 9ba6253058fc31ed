"""The admin's desk, the system: the database's schema revision beside the code's and the command that
upgrades it, the audit-chain check in words, and the policies in force. Each refuses anyone but an admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import audit
from console.services.actors import require_enabled
from console.services.adjustments import APPROVAL_WINDOW
from console.services.context import Actor
from console.services.insider import INSIDER_LIMIT, INSIDER_WINDOW
from console.services.labels import department_label, feedback_category_label, product_area_label
from console.services.money import all_assets, format_money, parse_amount
from console.services.unit_of_work import unit_of_work
from console.settings import Settings
from models import Department, FeedbackCategory, ProductArea, Role

# What fixes a database behind the code (console.schema.FIX_COMMAND; not imported, see `schema_status`).
UPGRADE_COMMAND = "hotline db upgrade"


def _require_admin(session: Session, actor: Actor, doing: str) -> None:
    # The acting agent's role and state only: on a database behind the code a newer agents column is missing.
    require_enabled(session, actor.agent_id, Role.ADMIN, doing=doing)


# --- the schema -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaView:
    database_revision: str | None  # None: no Hotline schema
    code_revision: str
    up_to_date: bool
    # In words: up to date, behind (and the command), or ahead of this Hotline.
    state: str
    # The command that upgrades the database, when it is behind.
    upgrade_command: str | None


def schema_status(sessions: sessionmaker[Session], actor: Actor) -> SchemaView:
    """The database's Alembic revision beside the code's head, and what to run when they differ."""
    # Alembic loads here and not when the console starts (it takes a while to import).
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from console.schema import alembic_config

    with sessions() as session:
        _require_admin(session, actor, _("see the schema revision"))
        current = MigrationContext.configure(session.connection()).get_current_revision()
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    if current == head:
        return SchemaView(current, head, True, _("Up to date."), None)
    known = current is None or current in {revision.revision for revision in script.walk_revisions()}
    if not known:
        state = _(
            "The database is at revision {current}, newer than this Hotline knows (it expects {head}): "
            "it was migrated by a newer Hotline. Upgrade Hotline on this machine."
        ).format(current=current, head=head)
        return SchemaView(current, head, False, state, None)
    state = _("The database is behind this Hotline ({value}, expected {head}). Run the command below.").format(
        value=current or _("no schema"), head=head
    )
    return SchemaView(current, head, False, state, UPGRADE_COMMAND)


# --- the audit chain --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    events_checked: int
    # The result in words, as `hotline audit verify` prints it.
    words: str
    broken_at: int | None
    # On success, the newest event checked (for the machine to remember); None for an empty log.
    head: audit.ChainHead | None


def check_audit_chain(
    sessions: sessionmaker[Session],
    actor: Actor,
    *,
    read_sessions: sessionmaker[Session] | None = None,
    remembered: audit.ChainHead | None = None,
) -> AuditCheck:
    """Check every audit event's signature and link, the signed head, and `remembered` (the newest event
    this machine verified before); the check and its result are recorded as an event of their own.

    The events are read with `read_sessions` when given: on SQLite they do not hold the write lock meanwhile.
    """
    with (read_sessions or sessions)() as session:
        _require_admin(session, actor, _("check the audit log"))
    report = audit.verify_chain(read_sessions or sessions, remembered=remembered)
    if report.ok:
        words = _("The audit log is intact: {events_checked:,} events checked.").format(
            events_checked=report.events_checked
        )
        if report.unsigned_events:
            words += _(
                " The first {unsigned_events:,} were written before the log was signed; the first signed "
                "event vouches for them."
            ).format(unsigned_events=report.unsigned_events)
    else:
        words = _(
            "The audit log is broken at event {broken_at_seq}: {problem}. The {events_checked:,} "
            "events before it are intact."
        ).format(broken_at_seq=report.broken_at_seq, problem=report.problem, events_checked=report.events_checked)
    with unit_of_work(sessions, actor, Role.ADMIN, doing=N_("check the audit log")) as uow:
        details = {"ok": report.ok, "events_checked": report.events_checked, "broken_at": report.broken_at_seq}
        uow.record("audit.check", "audit_log", None, details)
    return AuditCheck(report.ok, report.events_checked, words, report.broken_at_seq, report.head)


# --- the policies in force --------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyLine:
    name: str
    value: str


@dataclass(frozen=True)
class PolicySection:
    """One policy in force: what it does in a sentence, its values line by line, and where it is set."""

    title: str
    summary: str
    lines: tuple[PolicyLine, ...]
    set_in: str


# The policies the desk shows, in order. A new one is a function of (session, settings) added here.
PolicyReader = Callable[[Session, Settings], PolicySection]

_SOURCES = {
    "default": N_("built-in defaults"),
    "file": "config.toml",
    "env": N_("the HOTLINE_* environment"),
    "cli": N_("the command line"),
}


def _set_in(settings: Settings, name: str, toml_key: str, env: str) -> str:
    source = _(_SOURCES.get(settings.sources.get(name, "default"), N_("built-in defaults")))
    return _("{source} (TOML [{toml_key}], {env})").format(source=source, toml_key=toml_key, env=env)


def approval_thresholds(session: Session, settings: Settings) -> PolicySection:
    """Per asset, the 24-hour adjustment total that waits for a supervisor; unlisted assets always wait."""
    assets = all_assets(session)
    hours = int(APPROVAL_WINDOW / timedelta(hours=1))
    lines = []
    for code, money in sorted(assets.items()):
        configured = settings.approval_thresholds.get(code)
        if configured is None:
            lines.append(PolicyLine(code, _("none: every adjustment waits")))
            continue
        threshold = parse_amount(configured, money.scale, code, allow_zero=True)
        lines.append(PolicyLine(code, format_money(threshold, money)))
    for code in sorted(set(settings.approval_thresholds) - set(assets)):
        lines.append(
            PolicyLine(
                code,
                _("{approval_thresholds} (no such asset in this database)").format(
                    approval_thresholds=settings.approval_thresholds[code]
                ),
            )
        )
    summary = _(
        "A customer's adjustments in one asset over {hours} h that reach this much wait for a "
        "supervisor other than the requester."
    ).format(hours=hours)
    where = _set_in(settings, "approval_thresholds", "approval_thresholds", "HOTLINE_APPROVAL_THRESHOLDS")
    return PolicySection(_("Adjustment approval thresholds"), summary, tuple(lines), where)


def insider_alert(session: Session, settings: Settings) -> PolicySection:
    minutes = int(INSIDER_WINDOW / timedelta(minutes=1))
    summary = _(
        "An agent who opens more than {INSIDER_LIMIT} different customers in {minutes} minutes "
        "raises an alert in the supervisors' queue."
    ).format(INSIDER_LIMIT=INSIDER_LIMIT, minutes=minutes)
    return PolicySection(_("Insider alert"), summary, (), _("the code (console/services/insider.py)"))


def feedback_routing(session: Session, settings: Settings) -> PolicySection:
    """Where each kind of feedback goes: the category's rule, and the category-and-area rules that beat it."""
    lines = []
    for rule, department in sorted(settings.feedback_routing.items(), key=lambda item: (item[0].count("/"), item[0])):
        category, _slash, area = rule.partition("/")
        what = feedback_category_label(FeedbackCategory(category))
        if area:
            what = _("{what} about {lower}").format(what=what, lower=product_area_label(ProductArea(area)).lower())
        lines.append(PolicyLine(what, department_label(Department(department))))
    summary = _(
        "Feedback goes to the department its category names, unless a rule for that category and "
        "product area says otherwise."
    )
    where = _set_in(settings, "feedback_routing", "feedback_routing", "HOTLINE_FEEDBACK_ROUTING")
    return PolicySection(_("Feedback routing"), summary, tuple(lines), where)


POLICY_READERS: tuple[PolicyReader, ...] = (approval_thresholds, feedback_routing, insider_alert)


def policies(sessions: sessionmaker[Session], actor: Actor, settings: Settings) -> tuple[PolicySection, ...]:
    """The policies in force on this console, each with where it is set."""
    with sessions() as session:
        _require_admin(session, actor, _("see the policies"))
        return tuple(reader(session, settings) for reader in POLICY_READERS)
