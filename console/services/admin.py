"""The admin's desk, the agents: list, add, disable, enable, change a role, reset a password; and the
first admin of a new database, added from the machine. Every service here but that one refuses anyone
but an enabled admin; the CLI's `agent` commands call the same ones.

The schema, the audit check and the policies in force are in `admin_system`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import audit
from console.services.actors import require_enabled
from console.services.agents import hash_password, new_agent, role_named, validate_new_agent
from console.services.context import Actor
from console.services.errors import Conflict, NotFound, Refused
from console.services.rows import ActingAgent
from console.services.unit_of_work import UnitOfWork, run_command
from models import Agent, Role

# Unambiguous when read out or typed from a screen: no 0/O, 1/l/I.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_GROUPS, _GROUP_LENGTH = 3, 5
# Any constant: two first-admin commands at once on PostgreSQL take turns on it.
_FIRST_ADMIN_LOCK = 0x484F5441  # "HOTA"


@dataclass(frozen=True)
class AgentLine:
    """One login as the admin's desk lists it."""

    agent_id: int
    username: str
    display_name: str
    role: str
    enabled: bool
    last_login_at: datetime | None
    # Locked out after wrong passwords, until this time (None: not locked now).
    locked_until: datetime | None
    password_change_required: bool

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


@dataclass(frozen=True)
class PasswordReset:
    """A reset login and its new password, to be shown once and then forgotten (it is stored hashed only)."""

    agent: AgentLine
    new_password: str = field(repr=False)


def _line(agent: Agent, now: datetime) -> AgentLine:
    locked = agent.locked_until if agent.locked_until is not None and agent.locked_until > now else None
    return AgentLine(
        agent_id=agent.id,
        username=agent.username,
        display_name=agent.display_name,
        role=agent.role.value,
        enabled=not agent.disabled,
        last_login_at=agent.last_login_at,
        locked_until=locked,
        password_change_required=agent.password_change_required,
    )


def _as_admin(uow: UnitOfWork, doing: str) -> ActingAgent:
    """The acting admin. Every enabled admin's row is locked too, so "the last admin" is counted by one
    command at a time (two admins cannot disable each other at the same moment)."""
    agent = uow.acting(Role.ADMIN, doing=doing)
    # Disabled or demoted by a command that committed while this one waited for the lock.
    if agent.id not in _lock_enabled_admins(uow.session):
        raise Refused(_("Only an enabled admin can {doing}.").format(doing=doing))
    return agent


def _lock_enabled_admins(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(Agent.id)
            .where(Agent.role == Role.ADMIN, Agent.disabled.is_(False))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _named(session: Session, username: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
    if agent is None:
        raise NotFound(_("No agent called {strip!r}.").format(strip=username.strip()))
    return agent


def _not_yourself(admin: ActingAgent, agent: Agent, what: str) -> None:
    if agent.id == admin.id:
        raise Refused(_("You cannot {what} your own login; ask another admin.").format(what=what))


def _not_the_last_admin(session: Session, agent: Agent, what: str) -> None:
    if agent.role == Role.ADMIN and not agent.disabled and _lock_enabled_admins(session) == {agent.id}:
        raise Refused(
            _("{username} is the only enabled admin; add another admin before you {what} them.").format(
                username=agent.username, what=what
            )
        )


# --- reading ----------------------------------------------------------------------------------


def list_agents(sessions: sessionmaker[Session], actor: Actor) -> list[AgentLine]:
    """Every login, by username: role, enabled, last login, locked out or not."""
    with sessions() as session:
        require_enabled(session, actor.agent_id, Role.ADMIN, doing=N_("see the agents"))
        return [_line(agent, actor.now) for agent in session.scalars(select(Agent).order_by(Agent.username))]


# --- changing ---------------------------------------------------------------------------------


def add_agent(
    sessions: sessionmaker[Session],
    actor: Actor,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
) -> AgentLine:
    """A new login with the password policy of every login; the password is stored hashed only."""
    validate_new_agent(username, password, role)

    def add(uow: UnitOfWork) -> AgentLine:
        _as_admin(uow, "add agents")
        agent = new_agent(username, password, role, display_name)
        if uow.session.scalar(select(Agent.id).where(Agent.username == agent.username)) is not None:
            raise Conflict(_("An agent called {username!r} already exists.").format(username=agent.username))
        uow.session.add(agent)
        uow.session.flush()
        uow.record("agent.add", "agent", agent.id, {"username": agent.username, "role": agent.role.value})
        return _line(agent, uow.now)

    try:
        return run_command(sessions, actor, add)
    except IntegrityError:  # added by someone else between the check and the insert
        raise Conflict(_("An agent called {username!r} already exists.").format(username=username)) from None


def disable_agent(sessions: sessionmaker[Session], actor: Actor, username: str) -> AgentLine:
    """Stop a login: every service refuses it from its next action. Not your own, not the last admin."""

    def disable(uow: UnitOfWork) -> AgentLine:
        admin = _as_admin(uow, "disable agents")
        agent = _named(uow.session, username)
        if agent.disabled:
            return _line(agent, uow.now)
        _not_the_last_admin(uow.session, agent, "disable")
        _not_yourself(admin, agent, "disable")
        agent.disabled = True
        uow.record("agent.disable", "agent", agent.id, {"username": agent.username})
        return _line(agent, uow.now)

    return run_command(sessions, actor, disable)


def enable_agent(sessions: sessionmaker[Session], actor: Actor, username: str) -> AgentLine:
    """Let a disabled login work again."""

    def enable(uow: UnitOfWork) -> AgentLine:
        _as_admin(uow, "enable agents")
        agent = _named(uow.session, username)
        if agent.disabled:
            agent.disabled = False
            uow.record("agent.enable", "agent", agent.id, {"username": agent.username})
        return _line(agent, uow.now)

    return run_command(sessions, actor, enable)


def change_role(sessions: sessionmaker[Session], actor: Actor, username: str, role: str) -> AgentLine:
    """Make a login an agent, a supervisor or an admin. Not your own; never the last enabled admin away."""
    new_role = role_named(role)

    def change(uow: UnitOfWork) -> AgentLine:
        admin = _as_admin(uow, "change roles")
        agent = _named(uow.session, username)
        if agent.role == new_role:
            return _line(agent, uow.now)
        if new_role != Role.ADMIN:
            _not_the_last_admin(uow.session, agent, "change the role of")
        _not_yourself(admin, agent, "change the role of")
        was = agent.role
        agent.role = new_role
        details = {"username": agent.username, "from": was.value, "to": new_role.value}
        uow.record("agent.role", "agent", agent.id, details)
        return _line(agent, uow.now)

    return run_command(sessions, actor, change)


def new_password() -> str:
    """A random password from `secrets`, in groups easy to read out ("k7Hq2-..."): about 86 bits."""
    group = range(_GROUP_LENGTH)
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in group) for _ in range(_PASSWORD_GROUPS))


def reset_password(sessions: sessionmaker[Session], actor: Actor, username: str) -> PasswordReset:
    """Give a login a new random password, returned this once; the agent must choose their own at the next
    login. A login locked out after wrong passwords is unlocked. Not your own (ask another admin)."""
    password = new_password()

    def reset(uow: UnitOfWork) -> PasswordReset:
        admin = _as_admin(uow, "reset passwords")
        agent = _named(uow.session, username)
        _not_yourself(admin, agent, "reset the password of")
        agent.password_hash = hash_password(password)
        agent.password_change_required = True
        agent.failed_logins = 0
        agent.locked_until = None
        # The password itself is never in the event, a log or an error.
        uow.record("agent.password_reset", "agent", agent.id, {"username": agent.username})
        return PasswordReset(_line(agent, uow.now), password)

    return run_command(sessions, actor, reset)


def add_first_admin(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    now: datetime,
    display_name: str | None = None,
) -> AgentLine:
    """The first admin of a database with no enabled admin, added by whoever runs `hotline` on a machine
    that can reach it (the audit event says so); refused once the database has an enabled admin."""
    agent = new_agent(username, password, Role.ADMIN.value, display_name)
    try:
        with sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _FIRST_ADMIN_LOCK})
            if _lock_enabled_admins(session):
                raise Refused(
                    _(
                        "This database already has an admin, so agents are added by one: give --admin USERNAME "
                        "(the admin's password is asked for, or read from HOTLINE_ADMIN_PASSWORD)."
                    )
                )
            if session.scalar(select(Agent.id).where(Agent.username == agent.username)) is not None:
                raise Conflict(_("An agent called {username!r} already exists.").format(username=agent.username))
            session.add(agent)
            session.flush()
            audit.record(
                session,
                actor="cli",
                action="agent.add_first_admin",
                subject_type="agent",
                subject_id=agent.id,
                details={"username": agent.username, "role": Role.ADMIN.value, "no_enabled_admin": True},
                now=now,
            )
            return _line(agent, now)
    except IntegrityError:
        raise Conflict(_("An agent called {username!r} already exists.").format(username=agent.username)) from None
