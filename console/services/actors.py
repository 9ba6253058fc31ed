"""Who is acting: an enabled agent, the roles an action needs, and a console clock the rules can trust."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from console.db import TRUSTED_CLOCK_INFO
from console.i18n import N_, _
from console.services.driver import remember, row_type, run
from console.services.errors import AgentDisabled, PasswordNeeded, Refused
from console.services.gate import TOUCH_WITH_READ, touched_with_read
from console.services.rows import ActingAgent
from models import Agent, Customer, Role, Ticket

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)

# A supervisor decides only this soon after typing their password (DESIGN.md "Four eyes").
PASSWORD_FRESH_FOR = timedelta(minutes=5)

# How far a console's clock may be from the database server's before the time rules refuse to run.
CLOCK_TOLERANCE = timedelta(seconds=30)


def agent_on_call(
    session: Session,
    agent_id: int,
    *roles: Role,
    doing: str,
    now: datetime,
    ticket_id: int,
    customer_id: int | None,
) -> ActingAgent:
    """`active_agent` for a command on a call about to pass the verification gate, read on the driver:
    the agent, the server's clock, the call's ticket and its caller in one round trip, as plain rows.
    The ticket and the caller are kept for the rules that follow (`driver.known`): the gate, and the
    message the customer is sent."""
    clock = _clock_is_checked(session)
    touch = session.get_bind().dialect.name == "postgresql"
    params: dict[str, object] = {"agent_id": agent_id, "ticket_id": ticket_id, "customer_id": customer_id}
    if touch:  # the gate's touch of the ticket, sent with this read (see gate.TOUCH_WITH_READ)
        params |= {"touch_ticket": ticket_id, "touch_agent": agent_id, "touch_at": now}
    found = run(session, _on_call(clock, touch), params).first()
    agent: ActingAgent | None = None if found is None else _AGENT_ROW(*found[: len(_AGENT_COLUMNS)])
    check_agent_state(None if agent is None else (agent.disabled, agent.role), *roles, doing=doing)
    assert found is not None and agent is not None
    rest = found[len(_AGENT_COLUMNS) :]
    if clock:
        _refuse_a_wrong_clock(now, rest[0])
        rest = rest[1:]
    ticket = _TICKET_ROW(*rest[: len(_TICKET_COLUMNS)])
    if ticket.id is not None:
        remember(session, Ticket.__tablename__, ticket.id, ticket)
        if touch:
            touched_with_read(session, ticket.id)
    customer = _CUSTOMER_ROW(*rest[len(_TICKET_COLUMNS) :])
    if customer.id is not None:
        remember(session, Customer.__tablename__, customer.id, customer)
    session.info.setdefault(_USERNAMES_INFO, {})[agent.id] = agent.username
    return agent


def _labelled(table: Any, prefix: str) -> list[Any]:
    return [column.label(f"{prefix}{column.key}") for column in table.c]


_AGENT_COLUMNS = _labelled(Agent.__table__, "agent_")
_TICKET_COLUMNS = _labelled(Ticket.__table__, "ticket_")
_CUSTOMER_COLUMNS = _labelled(Customer.__table__, "customer_")
# Plain rows with the tables' own column names, as the rules read an object's attributes.
_AGENT_ROW = row_type("_AGENT_ROW", [column.key for column in Agent.__table__.c])
_TICKET_ROW = row_type("_TICKET_ROW", [column.key for column in Ticket.__table__.c])
_CUSTOMER_ROW = row_type("_CUSTOMER_ROW", [column.key for column in Customer.__table__.c])


@cache
def _on_call(clock: bool, touch: bool) -> Select[Any]:
    """The agent (with the server's clock where it is checked), the ticket and the customer side by side,
    built once each; a ticket or customer that is not there comes back as a row of NULLs. `touch`: the
    gate's touch of the ticket goes with it (PostgreSQL)."""
    clock_column = [func.clock_timestamp().label("server_now")] if clock else []
    query = (
        select(*_AGENT_COLUMNS, *clock_column, *_TICKET_COLUMNS, *_CUSTOMER_COLUMNS)
        .select_from(Agent)
        .outerjoin(Ticket, Ticket.id == bindparam("ticket_id"))
        .outerjoin(Customer, Customer.id == bindparam("customer_id"))
        .where(Agent.id == bindparam("agent_id"))
    )
    return query.add_cte(TOUCH_WITH_READ) if touch else query


def active_agent(
    session: Session,
    agent_id: int,
    *roles: Role,
    doing: str = N_("do this"),
    now: datetime | None = None,
    with_ticket: int | None = None,
    with_customer: int | None = None,
) -> Agent:
    """The enabled agent with this id; with `roles`, one of them is required.

    Every service loads the acting agent here (or, on a read's hot path, checks it with
    `require_enabled`), so a disabled agent is refused everywhere by one rule. With `now`, the
    console's clock is also checked against the database server's. With `with_ticket` (and
    `with_customer`), that ticket (and customer) is loaded into the session in the same round trip,
    for the verification gate and the command that follow.
    """
    agent: Agent | None
    server_now: datetime | None = None
    clock = now is not None and _clock_is_checked(session)
    if clock or with_ticket is not None or with_customer is not None:
        # The agent, the server's clock and the call's ticket in one round trip: every command on
        # PostgreSQL reads the first two, every command on a call the third.
        query = _agent_with(clock, with_ticket is not None, with_customer is not None)
        params = {"agent_id": agent_id, "ticket_id": with_ticket, "customer_id": with_customer}
        row = session.execute(query, params).first()
        if row is None:
            agent = None
        else:
            agent = cast(Agent, row[0])
            if clock:
                server_now = cast(datetime, row[1])
    else:
        agent = session.get(Agent, agent_id)
    check_agent_state(None if agent is None else (agent.disabled, agent.role), *roles, doing=doing)
    assert agent is not None
    if now is not None and server_now is not None:
        _refuse_a_wrong_clock(now, server_now)
    # The acting agent's name is in hand: a view that names them ("requested by") need not read it.
    session.info.setdefault(_USERNAMES_INFO, {})[agent.id] = agent.username
    return agent


@cache
def _agent_with(clock: bool, ticket: bool, customer: bool) -> Select[Any]:
    """The acting agent's row, with the server's clock, the call's ticket and customer as asked: each
    of the eight statements built once (building one costs more than sending it)."""
    columns: list[Any] = [Agent]
    if clock:
        columns.append(func.clock_timestamp())
    query = select(*columns).where(Agent.id == bindparam("agent_id"))
    if ticket:
        query = query.add_columns(Ticket).outerjoin_from(Agent, Ticket, Ticket.id == bindparam("ticket_id"))
    if customer:
        query = query.add_columns(Customer).outerjoin_from(Agent, Customer, Customer.id == bindparam("customer_id"))
    return query


# The same facts as `active_agent` reads, as one prepared row: a lookup runs on every keystroke.
_AGENT_STATE = select(Agent.disabled, Agent.role).where(Agent.id == bindparam("agent_id"))


def require_fresh_password(agent: ActingAgent, now: datetime, *, doing: str = N_("decide this")) -> None:
    """Refuse with `PasswordNeeded` unless the agent typed their password in the last 5 minutes: the
    person at the console now is the one who logged in, not someone at a console left open."""
    typed = agent.password_typed_at
    if typed is None or now - typed > PASSWORD_FRESH_FOR:
        raise PasswordNeeded(
            _(
                "Type your password again to {doing}: it was last typed more than {value} minutes ago. "
                "Nothing was changed."
            ).format(doing=_(doing), value=int(PASSWORD_FRESH_FOR.total_seconds() // 60))
        )


def require_enabled(session: Session, agent_id: int, *roles: Role, doing: str = N_("do this")) -> None:
    """`active_agent` for reads on a hot path: the same refusals, without loading the agent."""
    row = session.connection().execute(_AGENT_STATE, {"agent_id": agent_id}).first()
    check_agent_state(None if row is None else (row.disabled, row.role), *roles, doing=doing)


# Who may act, as a refusal names them ("Only a supervisor or admin can ...").
WHO_MAY = {
    ("agent",): N_("an agent"),
    ("supervisor",): N_("a supervisor"),
    ("admin",): N_("an admin"),
    ("supervisor", "admin"): N_("a supervisor or admin"),
    ("agent", "supervisor", "admin"): N_("an agent, a supervisor or an admin"),
}


def check_agent_state(state: tuple[bool, Role] | None, *roles: Role, doing: str = N_("do this")) -> None:
    """The rule itself, on (disabled, role) of the acting agent, or None when there is no such agent
    (for a query that reads the agent's row along with its own, see lookup)."""
    if state is None:
        raise Refused(_("This console user cannot {doing}.").format(doing=_(doing)))
    disabled, role = state
    if disabled:
        raise AgentDisabled(
            _(
                "Your console account has been disabled by an admin, so nothing more can be done from it. "
                "The console is locked; ask your supervisor."
            )
        )
    if roles and role not in roles:
        named = tuple(r.value for r in roles)
        who = _(WHO_MAY[named]) if named in WHO_MAY else " / ".join(named)
        raise Refused(_("Only {who} can {doing}.").format(who=who, doing=_(doing)))


def require_true_clock(session: Session, now: datetime) -> None:
    """Refuse when `now` (the console's clock) is more than CLOCK_TOLERANCE off the database server's.

    Code expiry, lockouts, step-up windows and holds are all measured with `now`; a console whose
    clock runs fast could otherwise expire another agent's lockout early. On SQLite the database is a
    file on this machine and its clock is the console's own, so there is nothing to compare.
    """
    if not _clock_is_checked(session):
        return
    server_now = session.scalar(select(func.clock_timestamp()))
    assert server_now is not None
    _refuse_a_wrong_clock(now, server_now)


def _clock_is_checked(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql" and not session.info.get(TRUSTED_CLOCK_INFO)


def _refuse_a_wrong_clock(now: datetime, server_now: datetime) -> None:
    off = now - server_now
    if abs(off) > CLOCK_TOLERANCE:
        direction = _("ahead of") if off > timedelta(0) else _("behind")
        minutes, seconds = divmod(int(abs(off).total_seconds()), 60)
        raise Refused(
            _(
                "This computer's clock is {minutes} min {seconds} s {direction} the database server's, so "
                "time rules (code expiry, lockouts, holds) cannot be checked; nothing was changed. Ask IT "
                "to fix the clock, then try again."
            ).format(minutes=minutes, seconds=seconds, direction=direction)
        )


def usernames(session: Session, *agent_ids: int | None) -> dict[int | None, str]:
    """Usernames by agent id, for the "requested by" and "decided by" of a view (None ids skipped)."""
    known: dict[int | None, str] = session.info.setdefault(_USERNAMES_INFO, {})
    wanted = {agent_id for agent_id in agent_ids if agent_id is not None and agent_id not in known}
    if wanted:  # read once per command: a view names the same few agents again and again
        for agent_id, username in session.execute(select(Agent.id, Agent.username).where(Agent.id.in_(wanted))):
            known[agent_id] = username
    return {agent_id: known[agent_id] for agent_id in agent_ids if agent_id is not None and agent_id in known}


# The key in `Session.info` of the usernames a command has read (usernames never change).
_USERNAMES_INFO = "hotline_usernames"
