"""Agents: adding, listing and disabling them, and checking a login against the agents table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from console.services import audit
from console.services.actors import active_agent
from console.services.context import Actor
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import one_line
from models import Agent, Role
from models.base import utcnow

MAX_FAILED_LOGINS = 5
LOGIN_LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")

_hasher = PasswordHasher()
# The audit actor of a login with a username that matches no agent (the typed text is not stored).
UNKNOWN_ACTOR = "unknown"
# Verified against when the username does not exist, so a wrong username costs the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class AgentView:
    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def _view(agent: Agent) -> AgentView:
    return AgentView(
        id=agent.id,
        username=agent.username,
        display_name=agent.display_name,
        role=agent.role,
        disabled=agent.disabled,
        locked_until=agent.locked_until,
        last_login_at=agent.last_login_at,
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def validate_new_agent(username: str, password: str, role: str) -> Role:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(
            "A username is 2-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter."
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Unknown role {role!r}; choose one of {choices}.") from None


def add_agent(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    actor: str = "cli",
) -> AgentView:
    role_value = validate_new_agent(username, password, role)
    agent = Agent(
        username=username,
        display_name=one_line(display_name or username).strip() or username,
        role=role_value,
        password_hash=hash_password(password),
    )
    try:
        with sessions.begin() as session:
            session.add(agent)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="agent.add",
                subject_type="agent",
                subject_id=agent.id,
                details={"username": username, "role": role_value.value},
            )
            return _view(agent)
    except IntegrityError:
        raise Conflict(f"An agent called {username!r} already exists.") from None


def list_agents(sessions: sessionmaker[Session]) -> list[AgentView]:
    with sessions() as session:
        agents = session.scalars(select(Agent).order_by(Agent.username))
        return [_view(agent) for agent in agents]


def disable_agent(sessions: sessionmaker[Session], username: str, actor: str = "cli") -> AgentView:
    with sessions.begin() as session:
        agent = session.scalar(select(Agent).where(Agent.username == username))
        if agent is None:
            raise NotFound(f"No agent called {username!r}.")
        if not agent.disabled:
            agent.disabled = True
            audit.record(
                session,
                actor=actor,
                action="agent.disable",
                subject_type="agent",
                subject_id=agent.id,
                details={"username": username},
            )
        return _view(agent)


class LoginRefused(Refused):
    pass


def authenticate(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    now: datetime | None = None,
) -> AgentView:
    """Check a console login. Wrong or unknown credentials get the same message; every try is audited."""
    now = now or utcnow()
    username = username.strip().lower()
    with sessions.begin() as session:
        agent = session.scalar(select(Agent).where(Agent.username == username))
        if agent is None:
            _password_matches(_DUMMY_HASH, password)
            # The typed text may be a password typed into the wrong box: keep only a keyed hash of it,
            # enough to see repeated attempts with the same text, never the text itself.
            typed = audit.keyring_of(session).keyed_tag("login username", username)
            audit.record(
                session,
                actor=UNKNOWN_ACTOR,
                action="login.failure",
                details={"reason": "unknown username", "username_tag": typed},
                now=now,
            )
            error = LoginRefused("Wrong username or password.")
        elif agent.disabled:
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="login.failure",
                details={"reason": "disabled"},
                now=now,
            )
            error = LoginRefused("This agent account is disabled. Ask an admin to enable it.")
        elif agent.locked_until is not None and agent.locked_until > now:
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="login.failure",
                details={"reason": "locked"},
                now=now,
            )
            error = LoginRefused(_locked_message(agent.locked_until))
        elif not _password_matches(agent.password_hash, password):
            error = _wrong_password(session, agent, now, "Wrong username or password.")
        else:
            _password_typed(agent, password, now)
            agent.last_login_at = now
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="login.success",
                details={"role": agent.role.value},
                now=now,
            )
            return _view(agent)
    # Raised after the commit, so the failure count and its audit event are kept.
    raise error


def confirm_password(sessions: sessionmaker[Session], actor: Actor, password: str) -> AgentView:
    """The logged-in agent types their password again (a supervisor before deciding, when it was typed
    over 5 minutes ago). A wrong one counts like a wrong login: five in a row lock the login."""
    with sessions.begin() as session:
        agent = active_agent(session, actor.agent_id, doing="confirm a password", now=actor.now)
        if agent.locked_until is not None and agent.locked_until > actor.now:
            error = LoginRefused(_locked_message(agent.locked_until))
        elif not _password_matches(agent.password_hash, password):
            error = _wrong_password(session, agent, actor.now, "That is not your password.", confirming=True)
        else:
            _password_typed(agent, password, actor.now)
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="password.confirm",
                subject_type="agent",
                subject_id=agent.id,
                now=actor.now,
            )
            return _view(agent)
    # Raised after the commit, so the failure count and its audit event are kept.
    raise error


def _password_typed(agent: Agent, password: str, now: datetime) -> None:
    """The right password: the failure count starts again, and the time is kept for the freshness rule."""
    agent.failed_logins = 0
    agent.locked_until = None
    agent.password_typed_at = now
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)


def _wrong_password(
    session: Session, agent: Agent, now: datetime, message: str, *, confirming: bool = False
) -> LoginRefused:
    """Count a wrong password (the fifth in a row locks the login for 15 minutes), audit it, and say so."""
    agent.failed_logins += 1
    details: dict[str, object] = {"reason": "wrong password", "failed_logins": agent.failed_logins}
    if confirming:
        details["confirming"] = True
    if agent.failed_logins >= MAX_FAILED_LOGINS:
        agent.locked_until = now + LOGIN_LOCKOUT
        agent.failed_logins = 0
        details["locked_until"] = agent.locked_until.isoformat()
        error = LoginRefused(f"Too many wrong passwords. {_locked_message(agent.locked_until)}")
    else:
        error = LoginRefused(message)
    audit.record(
        session,
        actor=agent.username,
        actor_agent_id=agent.id,
        action="login.failure",
        details=details,
        now=now,
    )
    return error


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: datetime) -> str:
    return f"This agent is locked until {until:%H:%M} UTC ({until:%Y-%m-%d})."
