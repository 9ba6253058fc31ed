"""The insider alert: each customer an agent opens is noted, and an agent who opens more than 30
different customers in an hour raises one alert in the supervisors' queue. Counted here, in the
database, so it is the same count however many consoles the agent uses.

One alert per hour counted: after an alert, the next comes only once the hour it counted has passed
(and the agent has again opened more than 30 different customers in the hour before).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import audit
from console.services.actors import SUPERVISORS, require_fresh_password, usernames
from console.services.announce import ItemKind, announce
from console.services.context import Actor
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.unit_of_work import unit_of_work
from models import Agent, CustomerOpen, InsiderAlert, InsiderAlertStatus

# More than this many different customers opened by one agent within INSIDER_WINDOW raises an alert.
INSIDER_LIMIT = 30
INSIDER_WINDOW = timedelta(hours=1)
MAX_REASON = 1_000
_CHANGED = N_("This alert changed since you opened it; look at it again.")


@dataclass(frozen=True)
class InsiderAlertView:
    """An alert as the supervisors' queue shows it: who, when, how many customers, over what window."""

    alert_id: int
    version: int
    agent_id: int
    agent_username: str
    raised_at: datetime
    # Different customers the agent had opened in the window when the alert was raised.
    count: int
    window: timedelta
    status: str
    dismissed_by: str | None = None
    dismissal_reason: str | None = None

    @property
    def window_start(self) -> datetime:
        return self.raised_at - self.window


def _view(alert: InsiderAlert, names: dict[int | None, str]) -> InsiderAlertView:
    return InsiderAlertView(
        alert_id=alert.id,
        version=alert.version,
        agent_id=alert.agent_id,
        agent_username=names[alert.agent_id],
        raised_at=alert.raised_at,
        count=alert.customers,
        window=timedelta(seconds=alert.window_seconds),
        status=alert.status.value,
        dismissed_by=names.get(alert.dismissed_by_agent_id),
        dismissal_reason=alert.dismissal_reason,
    )


# --- counting ---------------------------------------------------------------------------------


def _note_open(session: Session, agent_id: int, customer_id: int, now: datetime) -> None:
    """One row per agent and customer, its time moved on: one statement, whoever wrote the row before."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(CustomerOpen).values(agent_id=agent_id, customer_id=customer_id, last_opened_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[CustomerOpen.agent_id, CustomerOpen.customer_id],
            set_={"last_opened_at": statement.excluded.last_opened_at},
        )
    )


def customers_opened(session: Session, agent_id: int, now: datetime) -> int:
    """How many different customers the agent opened in the window before `now`."""
    count = session.scalar(
        select(func.count())
        .select_from(CustomerOpen)
        .where(CustomerOpen.agent_id == agent_id, CustomerOpen.last_opened_at > now - INSIDER_WINDOW)
    )
    return int(count or 0)


def note_customer_opened(session: Session, agent_id: int, customer_id: int, now: datetime) -> InsiderAlert | None:
    """Note, in the caller's write transaction, that the agent opened this customer; raise the alert when
    this makes more than INSIDER_LIMIT different customers in the window. Returns the alert it raised.

    One agent's opens are counted one at a time: on PostgreSQL the agent's row is locked (FOR NO KEY
    UPDATE, so rows that merely refer to the agent do not wait), and SQLite's BEGIN IMMEDIATE already
    serializes every writer. So two consoles at once count every open, and cannot both raise the alert.
    """
    options = session.connection().get_execution_options()
    if options.get("hotline_read_only") or options.get("isolation_level") == "AUTOCOMMIT":
        raise RuntimeError("an open is noted in a write transaction: pass the write sessions, not read_sessions")
    session.execute(select(Agent.id).where(Agent.id == agent_id).with_for_update(key_share=True))
    _note_open(session, agent_id, customer_id, now)
    count = customers_opened(session, agent_id, now)
    if count <= INSIDER_LIMIT:
        return None
    raised_lately = select(InsiderAlert.id).where(
        InsiderAlert.agent_id == agent_id, InsiderAlert.raised_at > now - INSIDER_WINDOW
    )
    if session.scalar(raised_lately.limit(1)) is not None:
        return None  # this hour has its alert already
    alert = InsiderAlert(
        agent_id=agent_id,
        raised_at=now,
        customers=count,
        window_seconds=int(INSIDER_WINDOW.total_seconds()),
        status=InsiderAlertStatus.OPEN,
    )
    session.add(alert)
    session.flush()
    announce(session, ItemKind.INSIDER, alert.id)
    audit.record(
        session,
        actor="system",
        action="insider.alert",
        subject_type="agent",
        subject_id=agent_id,
        details={"alert": alert.id, "customers": count, "window_minutes": INSIDER_WINDOW // timedelta(minutes=1)},
        now=now,
    )
    return alert


# --- the supervisors' side --------------------------------------------------------------------


def insider_alerts(session: Session, now: datetime) -> list[InsiderAlertView]:
    """Alerts no supervisor has dismissed yet, raised up to `now`, oldest first: a source for the
    supervisors' queue (which checks who may see it)."""
    alerts = session.scalars(
        select(InsiderAlert)
        .where(InsiderAlert.status == InsiderAlertStatus.OPEN, InsiderAlert.raised_at <= now)
        .order_by(InsiderAlert.raised_at, InsiderAlert.id)
    ).all()
    names = usernames(session, *(alert.agent_id for alert in alerts))
    return [_view(alert, names) for alert in alerts]


def _reason(text: str) -> str:
    text = free_text(text).strip()
    if not text:
        raise InvalidInput(_("Say what you found: enter the reason for dismissing the alert."))
    if len(text) > MAX_REASON:
        raise InvalidInput(_("Keep the reason under {MAX_REASON:,} characters.").format(MAX_REASON=MAX_REASON))
    return text


def dismiss_insider_alert(
    sessions: sessionmaker[Session], actor: Actor, alert_id: int, expected_version: int, reason: str
) -> InsiderAlertView:
    """A supervisor other than the alerted agent looked into it and closes it, saying why."""
    reason = _reason(reason)
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("dismiss insider alerts"), stale=_CHANGED) as uow:
        session, supervisor = uow.session, uow.agent
        require_fresh_password(supervisor, uow.now, doing=N_("dismiss insider alerts"))
        alert = session.get(InsiderAlert, alert_id)
        if alert is None:
            raise NotFound(_("No such insider alert."))
        if alert.agent_id == supervisor.id:
            raise Refused(_("This alert is about you; another supervisor must look into it."))
        if alert.status != InsiderAlertStatus.OPEN:
            raise Refused(_("This alert was already dismissed."))
        if alert.version != expected_version:
            raise Conflict(_(_CHANGED))
        alert.status = InsiderAlertStatus.DISMISSED
        alert.dismissed_by_agent_id = supervisor.id
        alert.dismissed_at = uow.now
        alert.dismissal_reason = reason
        session.flush()
        announce(session, ItemKind.INSIDER, alert.id)
        uow.record("insider.dismiss", "insider_alert", alert.id, {"agent": alert.agent_id, "reason": reason})
        return _view(alert, usernames(session, alert.agent_id, supervisor.id))
