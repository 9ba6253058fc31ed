"""The admin's desk is in the services: each one, called directly, refuses an agent, a supervisor and a
disabled admin and changes nothing; the guards on the last admin and on yourself; a reset password
shown once that then logs in (and must be replaced), while the old one does not."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, update

from console.services import admin, admin_system, agents, audit
from console.services.agents import LoginRefused, PasswordChangeRequired
from console.services.context import Actor
from console.services.errors import AgentDisabled, Conflict, InvalidInput, Refused
from console.settings import load_settings
from models import Agent, AuditEvent
from tests.support.world import World

DESK: dict[str, Callable[[World, Actor], Any]] = {
    "list agents": lambda w, a: admin.list_agents(w.sessions, a),
    "add an agent": lambda w, a: admin.add_agent(w.sessions, a, "newbie", "a-long-password", "agent"),
    "disable an agent": lambda w, a: admin.disable_agent(w.sessions, a, "marcus"),
    "enable an agent": lambda w, a: admin.enable_agent(w.sessions, a, "marcus"),
    "change a role": lambda w, a: admin.change_role(w.sessions, a, "marcus", "supervisor"),
    "reset a password": lambda w, a: admin.reset_password(w.sessions, a, "marcus"),
    "see the schema revision": lambda w, a: admin_system.schema_status(w.sessions, a),
    "check the audit log": lambda w, a: admin_system.check_audit_chain(w.sessions, a),
    "see the policies": lambda w, a: admin_system.policies(w.sessions, a, load_settings()),
}


def _agents(w: World) -> list[tuple[str, str, bool, str]]:
    with w.sessions() as session:
        rows = session.execute(
            select(Agent.username, Agent.role, Agent.disabled, Agent.password_hash).order_by(Agent.id)
        )
        return [(row.username, row.role.value, row.disabled, row.password_hash) for row in rows]


def _events(w: World) -> int:
    with w.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("service", sorted(DESK))
@pytest.mark.parametrize("who", ["lina", "chenjing"])
def test_every_admin_service_refuses_an_agent_and_a_supervisor_and_changes_nothing(
    world: World, service: str, who: str
) -> None:
    before, events = _agents(world), _events(world)
    with pytest.raises(Refused, match=r"^Only an admin can "):
        DESK[service](world, world.acting(who))
    assert (_agents(world), _events(world)) == (before, events)


@pytest.mark.parametrize("service", sorted(DESK))
def test_every_admin_service_refuses_a_disabled_admin(world: World, service: str) -> None:
    agents.add_agent(world.sessions, "ada", "a-long-password", "admin", now=world.now)
    admin.disable_agent(world.sessions, world.acting("admin"), "ada")
    before, events = _agents(world), _events(world)
    with pytest.raises(AgentDisabled):
        DESK[service](world, world.acting("ada"))
    assert (_agents(world), _events(world)) == (before, events)


def test_the_last_enabled_admin_cannot_be_disabled_or_made_something_else(world: World) -> None:
    with pytest.raises(Refused, match="admin is the only enabled admin; add another admin before you disable"):
        admin.disable_agent(world.sessions, world.acting("admin"), "admin")
    with pytest.raises(Refused, match="only enabled admin; add another admin before you change the role"):
        admin.change_role(world.sessions, world.acting("admin"), "admin", "supervisor")
    assert ("admin", "admin", False) in [row[:3] for row in _agents(world)]


def test_an_admin_cannot_disable_demote_or_reset_themselves(world: World) -> None:
    agents.add_agent(world.sessions, "ada", "a-long-password", "admin", now=world.now)
    me = world.acting("admin")
    with pytest.raises(Refused, match="You cannot disable your own login; ask another admin"):
        admin.disable_agent(world.sessions, me, "admin")
    with pytest.raises(Refused, match="You cannot change the role of your own login"):
        admin.change_role(world.sessions, me, "admin", "agent")
    with pytest.raises(Refused, match="You cannot reset the password of your own login"):
        admin.reset_password(world.sessions, me, "admin")
    # Another admin may: the desk is never left without one.
    assert not admin.disable_agent(world.sessions, world.acting("ada"), "admin").enabled
    with pytest.raises(Refused, match="ada is the only enabled admin"):
        admin.change_role(world.sessions, world.acting("ada"), "ada", "agent")


def test_an_admin_made_a_supervisor_can_no_longer_manage_agents(world: World) -> None:
    agents.add_agent(world.sessions, "ada", "a-long-password", "admin", now=world.now)
    admin.change_role(world.sessions, world.acting("admin"), "ada", "supervisor")
    with pytest.raises(Refused, match="Only an admin can disable agents"):
        admin.disable_agent(world.sessions, world.acting("ada"), "admin")


def test_an_admin_adds_lists_and_changes_logins_each_audited(world: World) -> None:
    me = world.acting("admin")
    added = admin.add_agent(world.sessions, me, "newbie", "a-long-password", "agent", "New Bie")
    assert (added.username, added.role, added.enabled) == ("newbie", "agent", True)
    promoted = admin.change_role(world.sessions, me, "newbie", "supervisor")
    disabled = admin.disable_agent(world.sessions, me, "newbie")
    enabled = admin.enable_agent(world.sessions, me, "newbie")
    assert (promoted.role, disabled.enabled, enabled.enabled) == ("supervisor", False, True)
    listed = {line.username: line for line in admin.list_agents(world.sessions, me)}
    assert set(listed) == {"admin", "chenjing", "lina", "marcus", "newbie"}
    assert listed["newbie"].last_login_at is None and not listed["newbie"].locked
    with world.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == "admin").order_by(AuditEvent.seq)
        ).all()
    assert actions == ["agent.add", "agent.role", "agent.disable", "agent.enable"]
    with pytest.raises(Conflict, match="already exists"):
        admin.add_agent(world.sessions, me, "newbie", "a-long-password", "agent")
    with pytest.raises(InvalidInput, match="at least 8"):
        admin.add_agent(world.sessions, me, "other", "short", "agent")
    with pytest.raises(InvalidInput, match="Unknown role"):
        admin.change_role(world.sessions, me, "newbie", "janitor")


def test_a_reset_password_is_shown_once_logs_in_only_with_a_new_one_and_the_old_one_stops(world: World) -> None:
    reset = admin.reset_password(world.sessions, world.acting("admin"), "marcus")
    password = reset.new_password
    assert len(password) >= 15 and reset.agent.password_change_required
    assert password not in repr(reset)
    with pytest.raises(LoginRefused, match="Wrong username or password"):
        agents.authenticate(world.sessions, "marcus", "marcus-demo", world.now)
    with pytest.raises(PasswordChangeRequired, match="choose a new one"):
        agents.authenticate(world.sessions, "marcus", password, world.now)
    with pytest.raises(PasswordChangeRequired, match="not the one the admin gave you"):
        agents.authenticate(world.sessions, "marcus", password, world.now, new_password=password)
    with pytest.raises(PasswordChangeRequired, match="at least 8"):
        agents.authenticate(world.sessions, "marcus", password, world.now, new_password="short")
    view = agents.authenticate(world.sessions, "marcus", password, world.now, new_password="marcus-own-choice")
    assert view.username == "marcus" and not view.password_change_required
    # From now on the chosen password is the password; the admin's no longer works.
    assert agents.authenticate(world.sessions, "marcus", "marcus-own-choice", world.now).username == "marcus"
    with pytest.raises(LoginRefused, match="Wrong username or password"):
        agents.authenticate(world.sessions, "marcus", password, world.now)
    with world.sessions() as session:
        stored = session.scalar(select(Agent.password_hash).where(Agent.username == "marcus"))
        events = session.execute(select(AuditEvent.action, AuditEvent.details)).all()
    assert stored is not None and stored.startswith("$argon2id$")
    assert all(password not in details and "marcus-own-choice" not in details for _, details in events)
    assert [action for action, _ in events if action.startswith("agent.password")] == [
        "agent.password_reset",
        "agent.password_change",
    ]


def test_a_reset_lifts_a_lockout_after_wrong_passwords(world: World) -> None:
    for _ in range(agents.MAX_FAILED_LOGINS):
        with pytest.raises(LoginRefused):
            agents.authenticate(world.sessions, "lina", "not-her-password", world.now)
    (lina,) = [line for line in admin.list_agents(world.sessions, world.acting("admin")) if line.username == "lina"]
    assert lina.locked
    reset = admin.reset_password(world.sessions, world.acting("admin"), "lina")
    assert not reset.agent.locked
    view = agents.authenticate(world.sessions, "lina", reset.new_password, world.now, new_password="lina-new-one")
    assert view.username == "lina"


def test_the_audit_check_says_its_result_in_words_and_is_recorded(world: World) -> None:
    check = admin_system.check_audit_chain(world.sessions, world.acting("admin"))
    assert check.ok and check.broken_at is None
    assert check.words.startswith(f"The audit log is intact: {check.events_checked:,} events checked.")
    assert check.head is not None and check.head.seq == check.events_checked
    assert audit.verify_chain(world.sessions).ok
    with world.sessions() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert last is not None and (last.action, last.actor) == ("audit.check", "admin")


def test_the_audit_check_names_the_first_broken_event(world: World) -> None:
    from tests.security.test_audit_chain import _tamper

    _tamper(world.database, "UPDATE audit_events SET details = '{\"n\": 99}' WHERE seq = 3")
    check = admin_system.check_audit_chain(world.sessions, world.acting("admin"))
    assert not check.ok and check.broken_at == 3
    assert check.words.startswith("The audit log is broken at event 3: its content does not match its signature")


def test_the_policies_show_the_approval_thresholds_in_force(world: World) -> None:
    from console.settings import with_overrides

    settings = with_overrides(load_settings(), approval_thresholds={"CNY": "2000", "USD": "700"})
    sections = admin_system.policies(world.sessions, world.acting("admin"), settings)
    thresholds = {line.name: line.value for line in sections[0].lines}
    assert sections[0].title == "Adjustment approval thresholds"
    assert sections[0].summary.startswith("A customer's adjustments in one asset over 24 h that reach this much")
    assert (thresholds["CNY"], thresholds["USD"]) == ("2,000.00 CNY", "700.00 USD")
    assert thresholds["BTC"] == "none: every adjustment waits"
    assert [section.title for section in sections] == [
        "Adjustment approval thresholds",
        "Feedback routing",
        "Insider alert",
    ]


def test_the_policies_show_the_feedback_routing_in_force_general_rules_first(world: World) -> None:
    from console.settings import with_overrides

    routing = {**load_settings().feedback_routing, "complaint/fees": "payments", "bug": "engineering"}
    settings = with_overrides(load_settings(), feedback_routing=routing)
    (section,) = [
        s for s in admin_system.policies(world.sessions, world.acting("admin"), settings) if "routing" in s.title
    ]
    lines = [(line.name, line.value) for line in section.lines]
    assert ("Bug", "Engineering") in lines
    assert ("Complaint about fees", "Payments") in lines
    # Every category's own rule comes before the category-and-area rules that beat it.
    assert lines.index(("Bug", "Engineering")) < lines.index(("Complaint about fees", "Payments"))


def test_two_admins_disabling_each_other_at_once_leave_one_enabled(world_each_engine: World) -> None:
    w = world_each_engine
    agents.add_agent(w.sessions, "ada", "a-long-password", "admin", now=w.now)
    outcome: list[BaseException | None] = []

    def ada_disables_admin() -> None:
        try:
            admin.disable_agent(w.sessions, w.acting("ada"), "admin")
            outcome.append(None)
        except (Refused, AgentDisabled) as refusal:
            outcome.append(refusal)

    # admin's command to disable ada, caught between its lock on the enabled admins and its commit...
    with w.sessions.begin() as session:
        session.execute(
            select(Agent.id).where(Agent.role == "admin", Agent.disabled.is_(False)).with_for_update()
        ).all()
        session.execute(update(Agent).where(Agent.username == "ada").values(disabled=True))
        # ...while ada's command to disable admin starts on another console, and waits.
        other_console = threading.Thread(target=ada_disables_admin)
        other_console.start()
        time.sleep(0.3)
    other_console.join()
    (refusal,) = outcome
    assert refusal is not None  # ada was disabled first: her command finds she no longer may
    assert [row[:3] for row in _agents(w) if row[1] == "admin"] == [("admin", "admin", False), ("ada", "admin", True)]
