"""Incoming calls, claiming, tickets, drafts and wrap-up, through the services on both engines."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from console.db import Database
from console.services import calls, customers, tickets
from console.services.agents import hash_password
from console.services.context import Actor, OnCall
from console.services.errors import AgentDisabled, Conflict, InvalidInput, Refused
from models import Agent, AuditEvent, Customer, CustomerStatus, Hotline, LockReason, Role, Ticket
from models.base import utcnow

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
_HASH = hash_password("irrelevant-password")


@pytest.fixture
def floor(database: Database) -> dict[str, int]:
    """Two agents, one hotline, two customers (one locked, with 2FA)."""
    with database.sessions.begin() as session:
        ann = Agent(username="ann", display_name="Ann", role=Role.AGENT, password_hash=_HASH)
        bob = Agent(username="bob", display_name="Bob", role=Role.AGENT, password_hash=_HASH)
        session.add_all(
            [
                ann,
                bob,
                Hotline(
                    code="CN",
                    region="Mainland China",
                    number="+864008001234",
                    hours="09:00-21:00 CST",
                    languages="zh-CN,en",
                ),
            ]
        )
        wang = Customer(
            account_number="OK10000001",
            full_name="王伟",
            name_pinyin="wangwei",
            name_initials="ww",
            phone_e164="+8613812345678",
            phone_last4="5678",
            phone_bound=True,
            email="wangwei@example.cn",
            id_last4="002X",
            region="CN",
            status=CustomerStatus.LOCKED,
            lock_reason=LockReason.RISK,
            locked_at=NOW - timedelta(hours=3),
            totp_secret_encrypted="not-read-here",
        )
        tan = Customer(
            account_number="OK10000002",
            full_name="Sarah Tan",
            name_pinyin="sarahtan",
            name_initials="st",
            phone_e164="+6591234567",
            phone_last4="4567",
            phone_bound=True,
            region="SG",
        )
        session.add_all([wang, tan])
        session.flush()
        return {"ann": ann.id, "bob": bob.id, "wang": wang.id, "tan": tan.id}


def test_ring_then_claim_opens_a_ticket_and_finds_the_caller(database: Database, floor: dict[str, int]) -> None:
    waiting = calls.record_incoming_call(database.sessions, "138 1234 5678", "cn", now=NOW)
    assert waiting.caller_masked == "+86 •••••••••78" and waiting.line == "CN"
    assert [c.call_id for c in calls.waiting_calls(database.sessions, floor["ann"])] == [waiting.call_id]
    claimed = calls.claim_call(database.sessions, waiting.call_id, Actor(agent_id=floor["ann"], now=NOW))
    assert claimed.ticket.status == "open"
    assert claimed.lookup.single is not None and claimed.lookup.single.customer_id == floor["wang"]
    assert "13812345678" not in repr(claimed)
    assert calls.waiting_calls(database.sessions, floor["ann"]) == []


def test_claiming_a_taken_call_tells_the_second_agent(database: Database, floor: dict[str, int]) -> None:
    waiting = calls.record_incoming_call(database.sessions, "+6591234567", now=NOW)
    calls.claim_call(database.sessions, waiting.call_id, Actor(agent_id=floor["ann"], now=NOW))
    with pytest.raises(Conflict, match="Another agent has already taken this call"):
        calls.claim_call(database.sessions, waiting.call_id, Actor(agent_id=floor["bob"], now=NOW))


def test_two_agents_claiming_at_the_same_instant_one_wins(database: Database, floor: dict[str, int]) -> None:
    waiting = calls.record_incoming_call(database.sessions, "+6591234567", now=NOW)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(name: str) -> None:
        barrier.wait()
        try:
            calls.claim_call(database.sessions, waiting.call_id, Actor(agent_id=floor[name], now=NOW))
            outcomes[name] = "won"
        except Conflict:
            outcomes[name] = "told"

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["told", "won"]
    with database.sessions() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1


def test_bad_ring_input_changes_nothing(database: Database, floor: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="not a valid phone number"):
        calls.record_incoming_call(database.sessions, "12345", now=NOW)
    with pytest.raises(InvalidInput, match="Known lines: CN"):
        calls.record_incoming_call(database.sessions, "+6591234567", "XX", now=NOW)
    assert calls.waiting_calls(database.sessions, floor["ann"]) == []


def test_withheld_number_is_queued_and_the_agent_is_told_to_ask(database: Database, floor: dict[str, int]) -> None:
    waiting = calls.record_incoming_call(database.sessions, "anonymous", now=NOW)
    assert waiting.caller_masked == "withheld number"
    claimed = calls.claim_call(database.sessions, waiting.call_id, Actor(agent_id=floor["ann"], now=NOW))
    assert claimed.lookup.matches == () and "withheld" in claimed.lookup.problem


def test_ring_audit_event_holds_no_full_number(database: Database, floor: dict[str, int]) -> None:
    calls.record_incoming_call(database.sessions, "+8613812345678", now=NOW)
    with database.sessions() as session:
        details = session.scalars(select(AuditEvent.details)).all()
    assert details and all("13812345678" not in d for d in details)


def test_card_is_masked_and_routes_the_call(database: Database, floor: dict[str, int]) -> None:
    card = customers.customer_card(database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["wang"])
    assert card.phone_masked == "+86 •••••••••78"
    assert card.email_masked == "w•••@example.cn"
    assert card.id_masked == "••••002X"
    assert card.status == "locked" and card.lock_label == "Risk control" and card.two_factor
    assert not hasattr(card, "balance") and "13812345678" not in repr(card)
    assert "wangwei@" not in repr(card)


def test_repeat_caller_after_two_calls_in_seven_days(database: Database, floor: dict[str, int]) -> None:
    for days_ago in (8, 3):
        tickets.open_ticket(
            database.sessions, Actor(agent_id=floor["ann"], now=NOW - timedelta(days=days_ago)), floor["wang"]
        )
    assert not customers.customer_card(
        database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["wang"]
    ).repeat_caller
    current = tickets.open_ticket(
        database.sessions, Actor(agent_id=floor["ann"], now=NOW - timedelta(days=1)), floor["wang"]
    )
    card = customers.customer_card(database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["wang"])
    assert card.repeat_caller and card.calls_last_7_days == 2 and card.open_tickets == 3
    # The call in progress is not part of the caller's history.
    during = customers.customer_card(
        database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["wang"], current.ticket_id
    )
    assert during.calls_last_7_days == 1 and not during.repeat_caller
    assert len(during.recent_tickets) == 2


def test_draft_survives_and_becomes_a_note(database: Database, floor: dict[str, int]) -> None:
    ticket = tickets.open_ticket(database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["tan"])
    tickets.save_draft(
        database.sessions,
        OnCall(agent_id=floor["ann"], now=utcnow(), ticket_id=ticket.ticket_id),
        "caller says the card was",
    )
    tickets.save_draft(
        database.sessions,
        OnCall(agent_id=floor["ann"], now=utcnow(), ticket_id=ticket.ticket_id),
        "caller says the card was stolen",
    )
    assert tickets.load_draft(database.sessions, ticket.ticket_id, floor["ann"]) == "caller says the card was stolen"
    note = tickets.add_note(
        database.sessions,
        OnCall(agent_id=floor["ann"], now=utcnow(), ticket_id=ticket.ticket_id),
        "caller says the card was stolen",
    )
    assert note.body.endswith("stolen")
    assert tickets.load_draft(database.sessions, ticket.ticket_id, floor["ann"]) == ""


def test_another_agent_cannot_write_on_my_ticket(database: Database, floor: dict[str, int]) -> None:
    ticket = tickets.open_ticket(database.sessions, Actor(agent_id=floor["ann"], now=NOW))
    with pytest.raises(Refused):
        tickets.save_draft(
            database.sessions, OnCall(agent_id=floor["bob"], now=utcnow(), ticket_id=ticket.ticket_id), "hi"
        )


def test_wrap_up_needs_a_disposition(database: Database, floor: dict[str, int]) -> None:
    ticket = tickets.open_ticket(database.sessions, Actor(agent_id=floor["ann"], now=NOW))
    with pytest.raises(InvalidInput, match="disposition"):
        tickets.wrap_up(
            database.sessions,
            OnCall(agent_id=floor["ann"], now=NOW, ticket_id=ticket.ticket_id),
            tickets.WrapUp("", 60, 10),
        )
    assert tickets.my_tickets(database.sessions, floor["ann"])[0].status == "open"


def test_wrap_up_records_talk_and_wrap_up_time_apart(database: Database, floor: dict[str, int]) -> None:
    ticket = tickets.open_ticket(database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["tan"])
    closed = tickets.wrap_up(
        database.sessions,
        OnCall(agent_id=floor["ann"], now=NOW, ticket_id=ticket.ticket_id),
        tickets.WrapUp("resolved", 240, 35),
    )
    assert closed.status == "closed" and closed.disposition == "resolved"
    with database.sessions() as session:
        row = session.get(Ticket, ticket.ticket_id)
        assert (row.talk_seconds, row.wrap_up_seconds) == (240, 35)
    assert tickets.my_tickets(database.sessions, floor["ann"]) == []


def test_follow_up_leaves_the_ticket_pending_with_a_date(database: Database, floor: dict[str, int]) -> None:
    ticket = tickets.open_ticket(database.sessions, Actor(agent_id=floor["ann"], now=NOW), floor["tan"])
    with pytest.raises(InvalidInput, match="due date"):
        tickets.wrap_up(
            database.sessions,
            OnCall(agent_id=floor["ann"], now=NOW, ticket_id=ticket.ticket_id),
            tickets.WrapUp("follow_up", 1, 1),
        )
    pending = tickets.wrap_up(
        database.sessions,
        OnCall(agent_id=floor["ann"], now=NOW, ticket_id=ticket.ticket_id),
        tickets.WrapUp("follow_up", 100, 20, follow_up_due=date(2026, 11, 27)),
    )
    assert pending.status == "pending" and pending.follow_up_due == date(2026, 11, 27)
    mine = tickets.my_tickets(database.sessions, floor["ann"])
    assert [t.ticket_id for t in mine] == [ticket.ticket_id]
    reopened = tickets.reopen_ticket(
        database.sessions, OnCall(agent_id=floor["ann"], now=NOW, ticket_id=ticket.ticket_id)
    )
    assert reopened.status == "open" and reopened.follow_up_due is None


def test_stale_ticket_edit_is_refused(database: Database, floor: dict[str, int]) -> None:
    ticket = tickets.open_ticket(database.sessions, Actor(agent_id=floor["ann"], now=NOW))
    tickets.update_ticket(
        database.sessions,
        OnCall(agent_id=floor["ann"], now=utcnow(), ticket_id=ticket.ticket_id, customer_id=floor["tan"]),
        ticket.version,
    )
    with pytest.raises(Conflict, match="changed elsewhere"):
        tickets.update_ticket(
            database.sessions,
            OnCall(agent_id=floor["ann"], now=utcnow(), ticket_id=ticket.ticket_id),
            ticket.version,
            reason="feedback",
        )


def test_hotline_directory(database: Database, floor: dict[str, int]) -> None:
    (line,) = calls.list_hotlines(database.sessions)
    assert line.code == "CN" and line.languages == ("zh-CN", "en")


def test_hotline_ring_command_queues_the_call(
    db_url: str, floor: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    from console import cli
    from console.db import open_database
    from console.keys import KeyRing

    # A shared database needs the floor's keys first (every console signs the audit log with them).
    assert cli.main(["keys", "init"]) == 0
    capsys.readouterr()
    assert cli.main(["ring", "+86 138 1234 5678", "--line", "CN", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "is waiting for an agent" in out and "+86 •••••••••78" in out and "13812345678" not in out
    database = open_database(db_url, KeyRing.generate())
    assert len(calls.waiting_calls(database.sessions, floor["ann"])) == 1
    database.dispose()
    assert cli.main(["ring", "12", "--db", db_url]) == cli.EXIT_FAILED
    assert "not a valid phone number" in capsys.readouterr().err


def test_an_open_call_comes_back_with_its_start_and_the_callers_masked_number(
    database: Database, floor: dict[str, int]
) -> None:
    """A call never lost: quitting the console leaves the ticket open, and the agent gets it back as it
    was, with the time the call was taken (talk time counts from it, not from the console's start)."""
    assert tickets.open_call(database.sessions, floor["ann"]) is None
    calls.record_incoming_call(database.sessions, "+86 138 1234 5678", "CN", now=NOW)
    waiting = calls.waiting_calls(database.sessions, floor["ann"])
    claimed = calls.claim_call(database.sessions, waiting[0].call_id, Actor(floor["ann"], NOW + timedelta(seconds=5)))
    assert claimed.ticket.call_started_at == NOW + timedelta(seconds=5)

    back = tickets.open_call(database.sessions, floor["ann"])
    assert back is not None
    assert back.ticket.ticket_id == claimed.ticket.ticket_id
    assert back.ticket.call_started_at == NOW + timedelta(seconds=5)
    assert back.caller_masked == "+86 •••••••••78"
    # Another agent's open call is not theirs to resume.
    assert tickets.open_call(database.sessions, floor["bob"]) is None


def test_the_newest_open_call_comes_back_and_a_wrapped_up_one_never(database: Database, floor: dict[str, int]) -> None:
    first = tickets.open_ticket(database.sessions, Actor(floor["ann"], NOW), floor["tan"])
    second = tickets.open_ticket(database.sessions, Actor(floor["ann"], NOW + timedelta(minutes=3)))
    back = tickets.open_call(database.sessions, floor["ann"])
    assert back is not None and back.ticket.ticket_id == second.ticket_id and back.caller_masked is None

    tickets.wrap_up(
        database.sessions,
        OnCall(floor["ann"], NOW + timedelta(minutes=4), second.ticket_id),
        tickets.WrapUp("follow_up", 60, 5, follow_up_due=NOW.date() + timedelta(days=1)),
    )
    with database.sessions() as session:
        row = session.get(Ticket, second.ticket_id)
        assert row is not None and row.call_started_at is None  # pending: no call in progress
    back = tickets.open_call(database.sessions, floor["ann"])
    assert back is not None and back.ticket.ticket_id == first.ticket_id

    # Reopening the follow-up is a new call: its talk time starts at the reopening.
    reopened = tickets.reopen_ticket(
        database.sessions, OnCall(floor["ann"], NOW + timedelta(hours=2), second.ticket_id)
    )
    assert reopened.call_started_at == NOW + timedelta(hours=2)
    back = tickets.open_call(database.sessions, floor["ann"])
    assert back is not None and back.ticket.ticket_id == second.ticket_id


def test_a_disabled_agent_gets_no_call_back(database: Database, floor: dict[str, int]) -> None:
    tickets.open_ticket(database.sessions, Actor(floor["ann"], NOW), floor["tan"])
    with database.sessions.begin() as session:
        agent = session.get(Agent, floor["ann"])
        assert agent is not None
        agent.disabled = True
    with pytest.raises(AgentDisabled):
        tickets.open_call(database.sessions, floor["ann"])


def test_getting_the_call_back_does_not_keep_its_verification_alive(database: Database, floor: dict[str, int]) -> None:
    """Resuming reads the ticket: its last activity (which the 15 idle minutes count from) stays as it was."""
    ticket = tickets.open_ticket(database.sessions, Actor(floor["ann"], NOW), floor["tan"])
    with database.sessions() as session:
        before = session.get_one(Ticket, ticket.ticket_id).last_activity_at
    assert tickets.open_call(database.sessions, floor["ann"]) is not None
    with database.sessions() as session:
        row = session.get_one(Ticket, ticket.ticket_id)
        assert (row.last_activity_at, row.version) == (before, ticket.version)
