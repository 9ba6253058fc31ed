"""A full run leaves no code, secret, password or ID number in the database files or the logs, and no full
phone number in the logs or anywhere in the database but where it is needed.

The run goes through the services on a SQLite file with the log file on: an SMS verification, a TOTP
verification, an email code plus ID number, failed logins (a wrong password, and a password typed into
the username box), a reveal, a phone change, a ring and `hotline outbox` through the CLI. Then the raw
bytes of the database, its -wal and -shm, and every log file are searched.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import pytest
from sqlalchemy import String, Text, select

from console import cli
from console.keys import write_keyring
from console.logs import log_file, log_file_path
from console.services import agents, codes, contact_changes, tickets
from console.services import verification as v
from console.services.agents import LoginRefused
from console.services.context import OnCall
from console.services.crypto import decrypt_totp_secret
from console.settings import load_settings
from models import Base, Customer
from tests.support.world import DEMO_ID_NUMBERS, World

WRONG_PASSWORD = "wrong-Horse-7731"
PASSWORD_AS_USERNAME = "Lina-Secret-0428"  # typed into the username box
RIGHT_PASSWORD = "lina-demo"
NEW_PHONE = "+8613912345670"
CALLER = "+8613611112222"  # rings through `hotline ring`; matches no customer
# Where a full phone number is stored by design: the customer's bound phone (an SMS needs it), the
# number of a ringing caller (the console pops the caller by it), and an outbox message's recipient
# (the delivery worker sends to it).
PHONES_BELONG_IN = {("customers", "phone_e164"), ("incoming_calls", "caller_number"), ("outbox_messages", "recipient")}


@pytest.fixture
def sqlalchemy_talking() -> Iterator[None]:
    """SQLAlchemy logging every statement, as a debugging session would leave it: none of it may reach the file."""
    engine_log = logging.getLogger("sqlalchemy.engine")
    before = engine_log.level
    engine_log.setLevel(logging.INFO)
    yield
    engine_log.setLevel(before)


@pytest.fixture
def full_run(world: World, sqlalchemy_talking: None) -> dict[str, set[str]]:
    """Run the calls and return what was typed and used, by kind."""
    w = world
    settings = load_settings()
    write_keyring(settings.keys_file, w.keyring)
    used: dict[str, set[str]] = {"codes": set(), "secrets": set(), "passwords": set(), "id_numbers": set()}
    with log_file(settings.data_dir):
        # An SMS code, then a reveal and a phone change on that verified call.
        case = "locked_password_failures"
        ticket = w.open_ticket(case)
        v.start_verification(
            w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case))
        )
        sent = codes.send_code(
            w.sessions,
            w.keyring,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case)),
            "sms",
            "verify",
        )
        code = w.last_code(case)
        used["codes"].add(code)
        assert codes.check_code(
            w.sessions,
            w.keyring,
            sent.challenge_id,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
            code,
        ).verified
        revealed = v.reveal_field(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.later(seconds=5), ticket_id=ticket, customer_id=w.customer(case)),
            "phone",
        )
        assert revealed.value == w.customer_row(case).phone_e164
        contact_changes.change_contact(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.later(seconds=10), ticket_id=ticket, customer_id=w.customer(case)),
            "phone",
            NEW_PHONE,
        )
        tickets.add_note(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.later(seconds=20), ticket_id=ticket),
            "Caller verified; phone changed.",
        )

        # The caller's authenticator app.
        case = "two_factor_on"
        ticket = w.open_ticket(case)
        v.start_verification(
            w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case))
        )
        totp = w.totp_code(case, w.now)
        used["codes"].add(totp)
        used["secrets"].add(w.totp_secret(case))
        assert codes.check_totp(
            w.sessions,
            w.keyring,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case)),
            totp,
        ).verified

        # No bound phone: an email code and the full ID number.
        case = "email_only"
        ticket = w.open_ticket(case)
        v.start_verification(
            w.sessions, OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case))
        )
        sent = codes.send_code(
            w.sessions,
            w.keyring,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case)),
            "email",
            "verify",
        )
        code = w.last_code(case)
        used["codes"].add(code)
        used["id_numbers"].add(DEMO_ID_NUMBERS[case])
        assert codes.check_code(
            w.sessions,
            w.keyring,
            sent.challenge_id,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket),
            code,
            id_number=DEMO_ID_NUMBERS[case],
        ).verified

        # Logins: a wrong password, a password typed as the username, then the right one.
        for username, password in [("lina", WRONG_PASSWORD), (PASSWORD_AS_USERNAME, "anything-at-all")]:
            with pytest.raises(LoginRefused):
                agents.authenticate(w.sessions, username, password, now=w.now)
        agents.authenticate(w.sessions, "lina", RIGHT_PASSWORD, now=w.now)
        used["passwords"] |= {WRONG_PASSWORD, PASSWORD_AS_USERNAME, RIGHT_PASSWORD}

    # Every TOTP secret the database holds, in its base32 form and as the raw key bytes.
    for customer in _customers(w):
        if customer.totp_secret_encrypted:
            used["secrets"].add(decrypt_totp_secret(w.keyring.fernet(), customer.id, customer.totp_secret_encrypted))
    used["id_numbers"] |= set(DEMO_ID_NUMBERS.values())

    # The CLI logs each command it runs: a ring with the caller's full number, and the outbox.
    url = w.database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["ring", CALLER, "--db", url]) == 0
    assert cli.main(["outbox", "--db", url]) == 0
    return used


def _customers(w: World) -> list[Customer]:
    with w.sessions() as session:
        return list(session.scalars(select(Customer)))


def _database_files(w: World) -> list[Path]:
    path = Path(str(w.database.engine.url.database))
    files = [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]
    return [file for file in files if file.exists()]


def _log_files() -> list[Path]:
    folder = log_file_path(load_settings().data_dir).parent
    return sorted(folder.iterdir())


def _code_in(code: str, data: bytes) -> bool:
    # Six digits standing alone: not inside a longer number, a hex hash, or a time stamp's microseconds.
    return re.search(rb"(?<![0-9A-Fa-f.])" + code.encode() + rb"(?![0-9A-Fa-f])", data) is not None


def _secret_forms(secret: str) -> list[bytes]:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return [secret.encode(), secret.lower().encode(), base64.b32decode(padded)]


def _phone_forms(e164: str) -> list[str]:
    national = str(phonenumbers.parse(e164).national_number)
    return [e164, national]


def test_no_code_secret_password_or_id_number_in_the_database_files_or_the_logs(
    world: World, full_run: dict[str, set[str]]
) -> None:
    files = _database_files(world) + _log_files()
    assert {file.name for file in files} >= {"demo.db", "demo.db-wal", "demo.db-shm", "hotline.log"}
    for file in files:
        data = file.read_bytes()
        for code in full_run["codes"]:
            assert not _code_in(code, data), f"a code used in the run is in {file.name}"
        for secret in full_run["secrets"]:
            assert not any(form in data for form in _secret_forms(secret)), f"a TOTP secret is in {file.name}"
        for password in full_run["passwords"]:
            assert password.encode() not in data, f"a typed password is in {file.name}"
            assert password.lower().encode() not in data, f"a typed password (lower-cased) is in {file.name}"
        for id_number in full_run["id_numbers"]:
            assert id_number.encode() not in data, f"a full ID number is in {file.name}"


def test_no_full_phone_number_in_the_logs(world: World, full_run: dict[str, set[str]]) -> None:
    logs = "".join(file.read_text(encoding="utf-8") for file in _log_files())
    assert "hotline ring" in logs and "hotline outbox" in logs  # the log was on
    phones = {c.phone_e164 for c in _customers(world) if c.phone_e164} | {NEW_PHONE, CALLER}
    digits_only = re.sub(r"\D", "", logs)
    for phone in phones:
        for form in _phone_forms(phone):
            assert form not in logs and form.lstrip("+") not in digits_only, "a full phone number is in the log"


def test_full_phone_numbers_are_stored_only_where_they_are_needed(world: World, full_run: dict[str, set[str]]) -> None:
    """Every text column of every table, except the customer's phone, the ringing number and an SMS's recipient."""
    phones = {c.phone_e164 for c in _customers(world) if c.phone_e164} | {NEW_PHONE, CALLER}
    forms = {form for phone in phones for form in _phone_forms(phone)}
    checked = []
    with world.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text) or (table.name, column.name) in PHONES_BELONG_IN:
                    continue
                checked.append(f"{table.name}.{column.name}")
                for value in session.scalars(select(column).where(column.is_not(None))):
                    digits = re.sub(r"\D", "", value)
                    leaked = [form for form in forms if form in value or form.lstrip("+") in digits]
                    assert not leaked, f"a full phone number is stored in {table.name}.{column.name}"
    assert {"audit_events.details", "ticket_notes.body", "verification_attempts.failure_reason"} <= set(checked)
