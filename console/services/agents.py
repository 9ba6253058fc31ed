"""Agents: the password rules, adding a login from the machine (the seed, the first admin), and checking a
login against the agents table, with the new password an admin's reset asks for.

An admin manages agents through `console.services.admin`, whose services refuse anyone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import audit
from console.services.actors import active_agent
from console.services.context import Actor
from console.services.errors import Conflict, InvalidInput
from console.services.errors import LoginRefused as LoginRefused  # still importable from here
from console.services.errors import PasswordChangeRequired as PasswordChangeRequired
from console.services.free_text import one_line
from models import Agent, Role

MAX_FAILED_LOGINS = 5
LOGIN_LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")

# Argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1), not
# argon2-cffi's default (RFC 9106 low-memory: 64 MiB, t=3, p=4), which costs a console 64 MiB per check.
# A hash carries its own parameters, so older 64 MiB hashes still verify; a login rehashes them.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# The audit actor of a login with a username that matches no agent (the typed text is not stored).
UNKNOWN_ACTOR = "unknown"
# Verified against when the username does not exist, so a wrong username costs the same time. Written
# out, not computed at import: no hash is paid for until a password is checked. Its parameters are
# `_hasher`'s (tests/security/test_login_audit.py holds them together).
_DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$qZW6eV6bj0cfn3slPGFMLw$bHJ86HAsePmt3JsQ7MS2mOi3lozU8HUCMP7nBFWtR9I"


@dataclass(frozen=True)
class AgentView:
    id: int
    username: str
    display_name: str
    role: Role
    disabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    # An admin reset the password: the next login chooses a new one.
    password_change_required: bool = False


def _view(agent: Agent) -> AgentView:
    return AgentView(
        id=agent.id,
        username=agent.username,
        display_name=agent.display_name,
        role=agent.role,
        disabled=agent.disabled,
        locked_until=agent.locked_until,
        last_login_at=agent.last_login_at,
        password_change_required=agent.password_change_required,
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """The password policy, for a new login, an admin's reset and a password chosen at login."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("The password must be at least {MIN_PASSWORD_LENGTH} characters long.").format(
                MIN_PASSWORD_LENGTH=MIN_PASSWORD_LENGTH
            )
        )


def role_named(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(
            _("Unknown role {role!r}; choose one of {choices}.").format(role=role, choices=choices)
        ) from None


def validate_new_agent(username: str, password: str, role: str) -> Role:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(
            _("A username is 2-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter.")
        )
    check_password(password)
    return role_named(role)


def new_agent(username: str, password: str, role: str, display_name: str | None) -> Agent:
    """A login checked against the rules (username, password policy, role), its password hashed."""
    role_value = validate_new_agent(username, password, role)
    return Agent(
        username=username,
        display_name=one_line(display_name or username).strip() or username,
        role=role_value,
        password_hash=hash_password(password),
    )


def add_agent(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    actor: str = "system",
    *,
    now: datetime,
) -> AgentView:
    """Add a login as the machine itself, with no agent acting: the demo seed and the tests' fixtures.

    The console and the CLI add agents through `admin.add_agent` (an admin acting) or, on a database
    with no enabled admin, `admin.add_first_admin`.
    """
    agent = new_agent(username, password, role, display_name)
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
                details={"username": username, "role": agent.role.value},
                now=now,
            )
            return _view(agent)
    except IntegrityError:
        raise Conflict(_("An agent called {username!r} already exists.").format(username=username)) from None


NEW_PASSWORD_NEEDED = N_("An admin reset your password: choose a new one to log in.")


def authenticate(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    now: datetime,
    *,
    new_password: str | None = None,
) -> AgentView:
    """Check a console login. Wrong or unknown credentials get the same message; every try is audited.

    After an admin's reset the right password alone is refused with `PasswordChangeRequired`: the login
    goes on with `new_password` (the password policy, and not the one the admin gave), which replaces it.
    Otherwise `new_password` is not used.
    """
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
            error = LoginRefused(_("Wrong username or password."))
        elif agent.disabled:
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="login.failure",
                details={"reason": "disabled"},
                now=now,
            )
            error = LoginRefused(_("This agent account is disabled. Ask an admin to enable it."))
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
            error = _wrong_password(session, agent, now, _("Wrong username or password."))
        elif agent.password_change_required and (problem := _new_password_problem(password, new_password)):
            audit.record(
                session,
                actor=agent.username,
                actor_agent_id=agent.id,
                action="login.failure",
                details={"reason": "new password required"},
                now=now,
            )
            error = PasswordChangeRequired(problem)
        else:
            _password_typed(agent, password, now)
            agent.last_login_at = now
            if agent.password_change_required:
                assert new_password is not None  # checked by _new_password_problem
                agent.password_hash = hash_password(new_password)
                agent.password_change_required = False
                audit.record(
                    session, actor=agent.username, actor_agent_id=agent.id, action="agent.password_change", now=now
                )
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
        agent = active_agent(session, actor.agent_id, doing=N_("confirm a password"), now=actor.now)
        if agent.locked_until is not None and agent.locked_until > actor.now:
            error = LoginRefused(_locked_message(agent.locked_until))
        elif not _password_matches(agent.password_hash, password):
            error = _wrong_password(session, agent, actor.now, _("That is not your password."), confirming=True)
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
        error = LoginRefused(" ".join((_("Too many wrong passwords."), _locked_message(agent.locked_until))))
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


def _new_password_problem(current: str, new_password: str | None) -> str | None:
    """Why `new_password` cannot replace a reset password, in words; None when it can."""
    if not new_password:
        return _(NEW_PASSWORD_NEEDED)
    if new_password == current:
        return _("Choose a password of your own, not the one the admin gave you.")
    try:
        check_password(new_password)
    except InvalidInput as problem:
        return str(problem)
    return None


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: datetime) -> str:
    return _("This agent is locked until {until:%H:%M} UTC ({until:%Y-%m-%d}).").format(until=until)
