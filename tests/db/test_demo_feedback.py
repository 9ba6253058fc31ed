"""The demo's feedback: a supervisor or admin logging in finds feedback waiting in more than one
department and one escalated complaint in the queue, each on a wrapped-up call with its note."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from console.db import Database
from console.seed.demo import DEMO_ACCOUNTS
from console.services.complaints import escalated_complaints
from console.services.context import Actor
from console.services.feedback_desk import department_feedback, waiting_by_department
from models import Agent, Ticket, TicketNote, TicketStatus


def _agent(database: Database, username: str) -> int:
    with database.sessions() as session:
        agent_id = session.scalar(select(Agent.id).where(Agent.username == username))
    assert agent_id is not None
    return agent_id


def test_feedback_waits_in_more_than_one_department_and_one_complaint_is_escalated(
    demo_database_each_engine: Database, demo_now: datetime
) -> None:
    database = demo_database_each_engine
    chenjing = Actor(_agent(database, "chenjing"), demo_now)
    waiting = waiting_by_department(database.sessions, chenjing)
    assert [department for department, count in waiting.items() if count] == ["product", "engineering", "payments"]
    with database.sessions() as session:
        (complaint,) = escalated_complaints(session, demo_now)
    assert complaint.requested_by == "lina" and complaint.department == "payments"
    assert complaint.account_masked == "OK••••" + DEMO_ACCOUNTS["delayed_withdrawal"].account_number[-4:]
    assert complaint.summary.startswith("Complaint about deposits and withdrawals: My 8,000 yuan withdrawal")
    (bug,) = department_feedback(database.sessions, chenjing, "engineering")
    assert [(change.to_status, change.changed_by) for change in bug.history] == [
        ("new", "lina"),
        ("forwarded", "chenjing"),
    ]
    (payments,) = department_feedback(database.sessions, chenjing, "payments")
    assert payments.feedback_id == complaint.id and payments.ticket_id is not None
    with database.sessions() as session:
        ticket = session.get(Ticket, payments.ticket_id)
        assert ticket is not None and ticket.status == TicketStatus.CLOSED and ticket.disposition is not None
        notes = session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == payments.ticket_id)).all()
    assert any(note.startswith("Complaint F") and "escalated to a supervisor" in note for note in notes)
