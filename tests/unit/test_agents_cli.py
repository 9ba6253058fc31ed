"""`hotline agent add|list|disable` and the login rules they feed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from console import cli
from console.db import open_database
from console.keys import KeyRing
from console.services import agents, audit
from console.services.errors import Conflict, InvalidInput


def _add(url: str, username: str, role: str, password: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(["agent", "add", username, "--role", role, "--password-stdin", "--db", url])


def test_add_list_disable(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _add(sqlite_url, "mei", "supervisor", "correct horse", monkeypatch) == 0
    assert "Added supervisor mei" in capsys.readouterr().out
    assert cli.main(["agent", "list", "--db", sqlite_url]) == 0
    listing = capsys.readouterr().out
    assert "mei" in listing and "supervisor" in listing and "active" in listing
    assert "correct horse" not in listing
    assert cli.main(["agent", "disable", "mei", "--db", sqlite_url]) == 0
    assert cli.main(["agent", "list", "--db", sqlite_url]) == 0
    assert "disabled" in capsys.readouterr().out


def test_password_is_stored_as_argon2_only(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == 0
    database = open_database(sqlite_url, KeyRing.generate())
    with database.sessions() as session:
        stored = session.scalar(text("SELECT password_hash FROM agents"))
        events = session.scalars(text("SELECT details FROM audit_events")).all()
    database.dispose()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert all("correct horse" not in details for details in events)


def test_duplicate_and_bad_input_change_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == 0
    assert _add(sqlite_url, "mei", "agent", "another pass", monkeypatch) == cli.EXIT_FAILED
    assert "already exists" in capsys.readouterr().err
    assert _add(sqlite_url, "Bad Name", "agent", "correct horse", monkeypatch) == cli.EXIT_FAILED
    assert "username" in capsys.readouterr().err
    assert _add(sqlite_url, "short", "agent", "abc", monkeypatch) == cli.EXIT_FAILED
    assert "at least 8" in capsys.readouterr().err
    database = open_database(sqlite_url, KeyRing.generate())
    assert [a.username for a in agents.list_agents(database.sessions)] == ["mei"]
    database.dispose()


def test_disable_unknown_agent(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["agent", "disable", "ghost", "--db", sqlite_url]) == cli.EXIT_FAILED
    assert "No agent called 'ghost'" in capsys.readouterr().err


def test_service_rejects_duplicates_and_unknown_roles(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent")
    with pytest.raises(Conflict):
        agents.add_agent(database.sessions, "mei", "correct horse", "agent")
    with pytest.raises(InvalidInput, match="Unknown role"):
        agents.add_agent(database.sessions, "lin", "correct horse", "janitor")


def test_login_succeeds_and_is_audited(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent")
    view = agents.authenticate(database.sessions, "mei", "correct horse")
    assert view.username == "mei" and view.last_login_at is not None
    with database.sessions() as session:
        from sqlalchemy import select

        from models import AuditEvent

        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["agent.add", "login.success"]


def test_wrong_and_unknown_logins_get_the_same_plain_message(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent")
    with pytest.raises(agents.LoginRefused) as wrong:
        agents.authenticate(database.sessions, "mei", "wrong horse")
    with pytest.raises(agents.LoginRefused) as unknown:
        agents.authenticate(database.sessions, "nobody", "wrong horse")
    assert str(wrong.value) == str(unknown.value) == "Wrong username or password."


def test_disabled_agent_cannot_log_in(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent")
    agents.disable_agent(database.sessions, "mei")
    with pytest.raises(agents.LoginRefused, match="disabled"):
        agents.authenticate(database.sessions, "mei", "correct horse")


def test_fifth_wrong_password_locks_the_agent_for_15_minutes(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    for _ in range(4):
        with pytest.raises(agents.LoginRefused, match="Wrong username or password"):
            agents.authenticate(database.sessions, "mei", "nope nope", now=now)
    with pytest.raises(agents.LoginRefused, match="locked until 09:15 UTC"):
        agents.authenticate(database.sessions, "mei", "nope nope", now=now)
    # Even the right password is refused while locked...
    with pytest.raises(agents.LoginRefused, match="locked until"):
        agents.authenticate(database.sessions, "mei", "correct horse", now=now + timedelta(minutes=14))
    # ...and accepted once the 15 minutes are over.
    assert (
        agents.authenticate(database.sessions, "mei", "correct horse", now=now + timedelta(minutes=15)).username
        == "mei"
    )
    assert audit.verify_chain(database.sessions).ok
