"""The gate: verified state belongs to the ticket, ends when idle or wrapped up; high-risk actions need a new factor."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import String, inspect, select, text

from console.services import codes, disputes, tickets
from console.services import scripts as scripts_service
from console.services import verification as v
from console.services.context import OnCall
from console.services.errors import NotFound
from console.services.gate import NotVerified, require_verified_caller
from models import AuditEvent, Ticket, TicketReason, Transaction
from tests.support.world import World

CASE = "two_factor_on"
ROOT = Path(__file__).resolve().parents[2]


def _verify(w: World, ticket: int, username: str = "lina", **delta: float) -> None:
    at = w.later(**delta)
    outcome = codes.check_totp(
        w.sessions,
        w.keyring,
        OnCall(agent_id=w.agent(username), now=at, ticket_id=ticket, customer_id=w.customer(CASE)),
        w.totp_code(CASE, at),
    )
    assert outcome.verified, outcome


def _gate(w: World, ticket: int, fresh: bool = False, username: str = "lina", case: str = CASE, **delta: float) -> None:
    with w.sessions.begin() as session:
        require_verified_caller(session, ticket, w.agent(username), w.customer(case), w.later(**delta), fresh=fresh)


def test_gate_refuses_a_caller_not_yet_verified(world: World) -> None:
    ticket = world.open_ticket(CASE)
    with pytest.raises(NotVerified, match=r"^Caller not verified: "):
        _gate(world, ticket)


def test_gate_passes_after_a_factor_on_this_ticket(world: World) -> None:
    ticket = world.open_ticket(CASE)
    _verify(world, ticket)
    _gate(world, ticket, minutes=14)


def test_verified_state_belongs_to_the_ticket_not_the_customer(world: World) -> None:
    verified = world.open_ticket(CASE)
    _verify(world, verified)
    other = world.open_ticket(CASE, username="marcus")
    with pytest.raises(NotVerified):
        _gate(world, other, username="marcus")


def test_verified_state_ends_after_15_idle_minutes(world: World) -> None:
    ticket = world.open_ticket(CASE)
    _verify(world, ticket)
    with pytest.raises(NotVerified, match="idle for over 15 minutes"):
        _gate(world, ticket, minutes=15, seconds=1)


def test_activity_keeps_the_verified_state_alive(world: World) -> None:
    ticket = world.open_ticket(CASE)
    _verify(world, ticket)
    tickets.add_note(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.later(minutes=10), ticket_id=ticket),
        "caller asks about the lock",
    )
    _gate(world, ticket, minutes=24)


def test_verified_state_ends_with_the_wrap_up(world: World) -> None:
    ticket = world.open_ticket(CASE)
    _verify(world, ticket)
    tickets.wrap_up(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.later(minutes=2), ticket_id=ticket),
        tickets.WrapUp("resolved", 60, 10),
    )
    with pytest.raises(NotVerified):
        _gate(world, ticket, minutes=3)


def test_high_risk_actions_need_a_factor_from_the_last_5_minutes(world: World) -> None:
    ticket = world.open_ticket(CASE)
    _verify(world, ticket)
    _gate(world, ticket, fresh=True, minutes=5)
    with pytest.raises(NotVerified, match="last 5 minutes"):
        _gate(world, ticket, fresh=True, minutes=5, seconds=1)
    # Step-up: a fresh factor makes it pass again.
    _verify(world, ticket, minutes=6)
    _gate(world, ticket, fresh=True, minutes=7)


def test_step_up_with_an_sms_code(world: World) -> None:
    case = "locked_password_failures"
    ticket = world.open_ticket(case)
    lina = world.agent("lina")
    sent = codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
        "sms",
        "verify",
    )
    assert codes.check_code(
        world.sessions,
        world.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=world.later(seconds=30), ticket_id=ticket),
        world.last_code(case),
    ).verified
    with pytest.raises(NotVerified):
        _gate(world, ticket, fresh=True, case=case, minutes=6)
    step_up = codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(agent_id=lina, now=world.later(minutes=6), ticket_id=ticket, customer_id=world.customer(case)),
        "sms",
        "step_up",
    )
    outcome = codes.check_code(
        world.sessions,
        world.keyring,
        step_up.challenge_id,
        OnCall(agent_id=lina, now=world.later(minutes=6, seconds=30), ticket_id=ticket),
        world.last_code(case),
        purpose="step_up",
    )
    assert outcome.verified
    _gate(world, ticket, fresh=True, case=case, minutes=7)


def test_reveal_needs_a_fresh_factor_and_is_audited(world: World) -> None:
    ticket = world.open_ticket(CASE)
    lina, customer = world.agent("lina"), world.customer(CASE)
    with pytest.raises(NotVerified):
        v.reveal_field(
            world.sessions, OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=customer), "phone"
        )
    _verify(world, ticket)
    revealed = v.reveal_field(
        world.sessions,
        OnCall(agent_id=lina, now=world.later(minutes=1), ticket_id=ticket, customer_id=customer),
        "phone",
    )
    assert revealed.value == world.customer_row(CASE).phone_e164
    with pytest.raises(NotVerified, match="last 5 minutes"):
        v.reveal_field(
            world.sessions,
            OnCall(agent_id=lina, now=world.later(minutes=6), ticket_id=ticket, customer_id=customer),
            "email",
        )
    with world.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.reveal")).one()
    assert json.loads(event.details) == {"field": "phone", "ticket": ticket}
    assert revealed.value not in event.details


def test_reveal_refuses_another_agents_ticket(world: World) -> None:
    ticket = world.open_ticket(CASE)
    _verify(world, ticket)
    with pytest.raises(NotVerified):
        v.reveal_field(
            world.sessions,
            OnCall(
                agent_id=world.agent("marcus"),
                now=world.later(minutes=1),
                ticket_id=ticket,
                customer_id=world.customer(CASE),
            ),
            "phone",
        )


# --- scripts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [r.value for r in TicketReason])
@pytest.mark.parametrize("language", scripts_service.LANGUAGES)
def test_every_call_reason_has_a_script_in_chinese_and_english(reason: str, language: str) -> None:
    script = scripts_service.load_script(reason, language)
    assert script.script_id == reason and script.version
    keys = [step.key for step in script.steps]
    assert {"greet", "sms", "totp", "email", "verified", "locked_out"} <= set(keys)
    assert all(step.say.strip() for step in script.steps)
    assert set(script.factors) <= {"sms", "totp", "email"}


def test_script_placeholders_are_masked_values_only() -> None:
    for script_id in scripts_service.script_ids():
        for language in scripts_service.LANGUAGES:
            scripts_service.load_script(script_id, language)  # raises ScriptInvalid on an unknown name


def test_start_verification_records_the_script_and_fills_masked_values(world: World) -> None:
    case = "locked_password_failures"
    ticket = world.open_ticket(case)
    start = v.start_verification(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
    )
    phone = world.customer_row(case).phone_e164
    assert start.script.script_id == "locked_account"
    assert f"尾号 {phone[-2:]} 的手机发送了 6 位验证码" in start.script.step("sms").say
    assert phone[-4:] not in start.script.step("sms").say.replace(f"尾号 {phone[-2:]}", "")
    assert start.factors == ("sms",)
    row = world.ticket(ticket)
    assert (row.script_id, row.script_version) == ("locked_account", start.script.version)


def test_email_caller_is_offered_the_email_code_only(world: World) -> None:
    ticket = world.open_ticket("email_only")
    start = v.start_verification(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer("email_only")),
        language="en",
    )
    assert start.factors == ("email",)
    assert "k•••@netvigator.com" in start.script.step("email").say


def test_sending_a_code_records_the_script_when_verification_had_not_started(world: World) -> None:
    case = "locked_password_failures"
    ticket = world.open_ticket(case, reason="deposit_withdrawal")
    codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
        "sms",
        "verify",
    )
    assert world.ticket(ticket).script_id == "deposit_withdrawal"


def test_scripts_ship_in_the_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("hotline-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for script_id in scripts_service.script_ids():
        assert f"console/scripts/{script_id}.toml" in names


# --- nothing secret at rest ------------------------------------------------------------------


def test_a_dump_of_the_database_after_the_flow_holds_no_plaintext_code_or_totp_secret(world_each_engine: World) -> None:
    w = world_each_engine
    case = "locked_password_failures"
    lina = w.agent("lina")
    read_out: list[str] = []
    sms_ticket = w.open_ticket(case)
    sent = codes.send_code(
        w.sessions,
        w.keyring,
        OnCall(agent_id=lina, now=w.now, ticket_id=sms_ticket, customer_id=w.customer(case)),
        "sms",
        "verify",
    )
    read_out.append(w.last_code(case))
    codes.check_code(
        w.sessions,
        w.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=w.later(seconds=10), ticket_id=sms_ticket),
        w.wrong(read_out[-1]),
    )
    codes.check_code(
        w.sessions,
        w.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=w.later(seconds=20), ticket_id=sms_ticket),
        read_out[-1],
    )
    email_ticket = w.open_ticket("email_only")
    sent = codes.send_code(
        w.sessions,
        w.keyring,
        OnCall(agent_id=lina, now=w.now, ticket_id=email_ticket, customer_id=w.customer("email_only")),
        "email",
        "verify",
    )
    read_out.append(w.last_code("email_only"))
    codes.check_code(
        w.sessions,
        w.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=w.later(seconds=20), ticket_id=email_ticket),
        read_out[-1],
        id_number="K4829131",
    )
    totp_ticket = w.open_ticket(CASE)
    read_out.append(w.totp_code(CASE, w.now))
    codes.check_totp(
        w.sessions,
        w.keyring,
        OnCall(agent_id=lina, now=w.now, ticket_id=totp_ticket, customer_id=w.customer(CASE)),
        read_out[-1],
    )
    v.reveal_field(
        w.sessions,
        OnCall(agent_id=lina, now=w.later(seconds=30), ticket_id=totp_ticket, customer_id=w.customer(CASE)),
        "phone",
    )
    secrets = [w.totp_secret(c) for c in ("two_factor_on", "wrong_fee", "international", "same_name_guangzhou")]

    dump: list[str] = []
    with w.database.engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table) if isinstance(c["type"], String)]
            if not columns:
                continue
            listed = ", ".join(f'"{name}"' for name in columns)
            for row in connection.execute(text(f'SELECT {listed} FROM "{table}"')):
                dump.extend(value for value in row if value is not None)
    assert dump, "the dump is empty"
    blob = "\n".join(dump)
    for code in read_out:
        # A code standing alone, not six digits inside a longer number (an account or phone number).
        assert re.search(rf"(?<![0-9]){code}(?![0-9])", blob) is None, "a one-time code is stored in clear"
    for secret in secrets:
        assert secret not in blob, "a TOTP secret is stored in clear"
    assert "K4829131" not in blob, "the ID number typed by the caller is stored in clear"


def test_status_shows_verified_until_the_step_up_window_closes(world: World) -> None:
    ticket = world.open_ticket(CASE)
    before = v.verification_status(
        world.sessions, OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket)
    )
    assert not before.verified and before.failures == 0 and before.locked_until is None
    _verify(world, ticket)
    status = v.verification_status(
        world.sessions, OnCall(agent_id=world.agent("lina"), now=world.later(minutes=2), ticket_id=ticket)
    )
    assert status.verified and status.factor == "totp" and status.fresh_until == world.later(minutes=5)
    later = v.verification_status(
        world.sessions, OnCall(agent_id=world.agent("lina"), now=world.later(minutes=6), ticket_id=ticket)
    )
    assert later.verified and later.fresh_until is None
    assert not v.verification_status(
        world.sessions, OnCall(agent_id=world.agent("lina"), now=world.later(minutes=16), ticket_id=ticket)
    ).verified


def test_a_command_on_the_call_counts_as_activity_and_a_refused_one_does_not(world_each_engine: World) -> None:
    """On PostgreSQL the gate's touch of the ticket goes with the command's first read: it must still be
    undone with a refused command, and still count when the command goes through."""
    w = world_each_engine
    case = "wrong_fee"
    ticket, caller = w.verified_call(case, reason="statement_dispute"), w.customer(case)
    with w.sessions() as session:
        own_row = session.scalar(select(Transaction.id).where(Transaction.customer_id == caller))
        others_row = session.scalar(select(Transaction.id).where(Transaction.customer_id != caller))
    assert own_row is not None and others_row is not None

    def call(minutes: float) -> OnCall:
        return OnCall(agent_id=w.agent("lina"), now=w.later(minutes=minutes), ticket_id=ticket, customer_id=caller)

    disputes.open_dispute(w.sessions, call(10), own_row, "1", "Charged twice.")  # activity at minute 10
    with pytest.raises(NotFound):
        disputes.open_dispute(w.sessions, call(12), others_row, "1", "Not theirs.")  # refused: no activity
    with w.sessions() as session:
        touched = session.get(Ticket, ticket)
        assert touched is not None and touched.last_activity_at is not None
        assert touched.last_activity_at.replace(tzinfo=None) == w.later(minutes=10).replace(tzinfo=None)
    _gate(w, ticket, case=case, minutes=24)  # 14 idle minutes after minute 10
