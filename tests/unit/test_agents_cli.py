"""`hotline agent ...` as an admin (and the first admin from the machine), and the login rules they feed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from console import cli
from console.db import open_database
from console.keys import KeyRing
from console.logs import log_file_path
from console.services import admin, agents, audit
from console.services.context import Actor
from console.services.errors import Conflict, InvalidInput
from console.settings import load_settings

ROOT_PASSWORD = "root-password-1"


def _first_admin(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(ROOT_PASSWORD + "\n"))
    assert cli.main(["agent", "add", "root", "--role", "admin", "--password-stdin", "--db", url]) == 0


def _as_root(monkeypatch: pytest.MonkeyPatch, password: str = ROOT_PASSWORD) -> None:
    monkeypatch.setenv("HOTLINE_ADMIN", "root")
    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", password)


def _add(url: str, username: str, role: str, password: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(["agent", "add", username, "--role", role, "--password-stdin", "--db", url])


def _events(url: str) -> list[tuple[str, str]]:
    database = open_database(url, KeyRing.generate())
    with database.sessions() as session:
        rows = session.execute(text("SELECT actor, action FROM audit_events ORDER BY seq")).all()
    database.dispose()
    return [(row.actor, row.action) for row in rows]


def test_the_first_admin_is_added_from_the_machine_once_and_audited_so(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(sqlite_url, monkeypatch)
    assert "the first admin of this database" in capsys.readouterr().out
    assert _events(sqlite_url) == [("cli", "agent.add_first_admin")]
    # Once there is an enabled admin, nobody adds an admin (or anyone) without being one.
    assert _add(sqlite_url, "mallory", "admin", "correct horse", monkeypatch) == cli.EXIT_FAILED
    assert "already has an admin" in capsys.readouterr().err
    assert _add(sqlite_url, "mallory", "agent", "correct horse", monkeypatch) == cli.EXIT_USAGE
    assert "Say which admin is acting: --admin USERNAME" in capsys.readouterr().err
    assert _events(sqlite_url) == [("cli", "agent.add_first_admin")]


def test_add_list_disable_enable_role_as_an_admin(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(sqlite_url, monkeypatch)
    _as_root(monkeypatch)
    assert _add(sqlite_url, "mei", "supervisor", "correct horse", monkeypatch) == 0
    assert "Added supervisor mei" in capsys.readouterr().out
    assert cli.main(["agent", "list", "--db", sqlite_url]) == 0
    listing = capsys.readouterr().out
    assert "mei" in listing and "supervisor" in listing and "active" in listing
    assert "correct horse" not in listing
    assert cli.main(["agent", "disable", "mei", "--db", sqlite_url]) == 0
    assert cli.main(["agent", "list", "--db", sqlite_url]) == 0
    assert "disabled" in capsys.readouterr().out
    assert cli.main(["agent", "enable", "mei", "--db", sqlite_url]) == 0
    assert cli.main(["agent", "role", "mei", "agent", "--db", sqlite_url]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "mei is now an agent."
    actions = [action for actor, action in _events(sqlite_url) if actor == "root" and action.startswith("agent.")]
    assert actions == ["agent.add", "agent.disable", "agent.enable", "agent.role"]


def test_the_acting_admin_is_checked_like_a_login(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(sqlite_url, monkeypatch)
    _as_root(monkeypatch, "not-the-password")
    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == cli.EXIT_FAILED
    assert "Wrong username or password." in capsys.readouterr().err
    _as_root(monkeypatch)
    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == 0
    # An agent named as the admin is refused by the service, as on the desk.
    monkeypatch.setenv("HOTLINE_ADMIN", "mei")
    monkeypatch.setenv("HOTLINE_ADMIN_PASSWORD", "correct horse")
    assert cli.main(["agent", "list", "--db", sqlite_url]) == cli.EXIT_FAILED
    assert "Only an admin can see the agents." in capsys.readouterr().err
    assert cli.main(["agent", "disable", "root", "--admin", "mei", "--db", sqlite_url]) == cli.EXIT_FAILED
    assert "Only an admin can disable agents." in capsys.readouterr().err


def test_reset_password_prints_it_once_and_nowhere_else(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(sqlite_url, monkeypatch)
    _as_root(monkeypatch)
    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == 0
    capsys.readouterr()
    assert cli.main(["agent", "reset-password", "mei", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    password = out.split("New password for mei: ", 1)[1].split()[0]
    assert "must choose a new password at the next login" in out
    database = open_database(sqlite_url, KeyRing.generate())
    with pytest.raises(agents.PasswordChangeRequired):
        agents.authenticate(database.sessions, "mei", password, now=datetime.now(UTC))
    with database.sessions() as session:
        stored = session.scalars(text("SELECT details FROM audit_events")).all()
        hashes = session.scalars(text("SELECT password_hash FROM agents")).all()
    database.dispose()
    assert not any(password in value for value in [*stored, *hashes])
    log = log_file_path(load_settings().data_dir).read_text()
    assert "hotline agent reset password" in log and password not in log
    assert cli.main(["agent", "list", "--db", sqlite_url]) == 0
    assert "(must choose a new password)" in capsys.readouterr().out


def test_password_is_stored_as_argon2_only(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _first_admin(sqlite_url, monkeypatch)
    _as_root(monkeypatch)
    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == 0
    database = open_database(sqlite_url, KeyRing.generate())
    with database.sessions() as session:
        stored = session.scalar(text("SELECT password_hash FROM agents WHERE username = 'mei'"))
        events = session.scalars(text("SELECT details FROM audit_events")).all()
    database.dispose()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert all("correct horse" not in details for details in events)


def test_duplicate_and_bad_input_change_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(sqlite_url, monkeypatch)
    _as_root(monkeypatch)
    assert _add(sqlite_url, "mei", "agent", "correct horse", monkeypatch) == 0
    assert _add(sqlite_url, "mei", "agent", "another pass", monkeypatch) == cli.EXIT_FAILED
    assert "already exists" in capsys.readouterr().err
    assert _add(sqlite_url, "Bad Name", "agent", "correct horse", monkeypatch) == cli.EXIT_FAILED
    assert "username" in capsys.readouterr().err
    assert _add(sqlite_url, "short", "agent", "abc", monkeypatch) == cli.EXIT_FAILED
    assert "at least 8" in capsys.readouterr().err
    assert cli.main(["agent", "list", "--db", sqlite_url]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert names == ["mei", "root"]


def test_disable_unknown_agent(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(sqlite_url, monkeypatch)
    _as_root(monkeypatch)
    assert cli.main(["agent", "disable", "ghost", "--db", sqlite_url]) == cli.EXIT_FAILED
    assert "No agent called 'ghost'" in capsys.readouterr().err


def test_service_rejects_duplicates_and_unknown_roles(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent", now=datetime.now(UTC))
    with pytest.raises(Conflict):
        agents.add_agent(database.sessions, "mei", "correct horse", "agent", now=datetime.now(UTC))
    with pytest.raises(InvalidInput, match="Unknown role"):
        agents.add_agent(database.sessions, "lin", "correct horse", "janitor", now=datetime.now(UTC))


def test_login_succeeds_and_is_audited(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent", now=datetime.now(UTC))
    view = agents.authenticate(database.sessions, "mei", "correct horse", now=datetime.now(UTC))
    assert view.username == "mei" and view.last_login_at is not None
    with database.sessions() as session:
        from sqlalchemy import select

        from models import AuditEvent

        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["agent.add", "login.success"]


def test_wrong_and_unknown_logins_get_the_same_plain_message(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent", now=datetime.now(UTC))
    with pytest.raises(agents.LoginRefused) as wrong:
        agents.authenticate(database.sessions, "mei", "wrong horse", now=datetime.now(UTC))
    with pytest.raises(agents.LoginRefused) as unknown:
        agents.authenticate(database.sessions, "nobody", "wrong horse", now=datetime.now(UTC))
    assert str(wrong.value) == str(unknown.value) == "Wrong username or password."


def test_disabled_agent_cannot_log_in(database) -> None:
    root = agents.add_agent(database.sessions, "root", "correct horse", "admin", now=datetime.now(UTC))
    agents.add_agent(database.sessions, "mei", "correct horse", "agent", now=datetime.now(UTC))
    admin.disable_agent(database.sessions, Actor(root.id, datetime.now(UTC)), "mei")
    with pytest.raises(agents.LoginRefused, match="disabled"):
        agents.authenticate(database.sessions, "mei", "correct horse", now=datetime.now(UTC))


def test_fifth_wrong_password_locks_the_agent_for_15_minutes(database) -> None:
    agents.add_agent(database.sessions, "mei", "correct horse", "agent", now=datetime.now(UTC))
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
