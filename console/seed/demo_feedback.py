"""The demo's feedback calls: what three callers said, where it went and where it stands, so a supervisor
or admin logging in finds feedback waiting in three departments and one complaint in the queue.

Each call is made through the services (a ticket, the feedback, the escalation, the wrap-up), at a
moment a few hours before the demo's `now`, so the rows are exactly what the console itself writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from console.seed.demo_world import DemoWorld
from console.services import complaints, feedback, feedback_desk, tickets
from console.services.context import Actor, OnCall
from console.settings import DEFAULT_FEEDBACK_ROUTING
from models import Customer, Disposition, TicketReason

_TALK = timedelta(minutes=6)


def _call(world: DemoWorld, who: Customer, agent: str, at: datetime) -> OnCall:
    """A feedback call `agent` took at `at`: its ticket, for `who`."""
    world.session.flush()  # the services read through their own session on the same connection
    agent_id = world.agent_ids[agent]
    ticket = tickets.open_ticket(world.services, Actor(agent_id=agent_id, now=at), who.id, TicketReason.FEEDBACK.value)
    return OnCall(agent_id, at, ticket.ticket_id, who.id)


def _wrap_up(world: DemoWorld, call: OnCall, disposition: Disposition) -> None:
    answer = tickets.WrapUp(disposition.value, int(_TALK.total_seconds()), 45)
    tickets.wrap_up(world.services, call.at(call.now + _TALK), answer)


def complained_about_the_late_withdrawal(world: DemoWorld, who: Customer) -> None:
    """She rang about her late withdrawal again and asked for a supervisor: lina escalated the complaint."""
    call = _call(world, who, "lina", world.ago(hours=2))
    said = feedback.record_feedback(
        world.services,
        DEFAULT_FEEDBACK_ROUTING,
        call.at(call.now + timedelta(minutes=3)),
        "complaint",
        "deposits_withdrawals",
        "My 8,000 yuan withdrawal is two days late and nobody tells me why. I want to talk to a manager.",
    )
    complaints.escalate_complaint(
        world.services,
        call.at(call.now + timedelta(minutes=4)),
        said.feedback_id,
        "Caller asks for a supervisor; the withdrawal is past its ETA and she has no answer.",
    )
    _wrap_up(world, call, Disposition.ESCALATED)


def found_the_fee_hard_to_find(world: DemoWorld, who: Customer) -> None:
    """He could not find the withdrawal fee before confirming: usability feedback for product."""
    call = _call(world, who, "marcus", world.ago(hours=5))
    feedback.record_feedback(
        world.services,
        DEFAULT_FEEDBACK_ROUTING,
        call.at(call.now + timedelta(minutes=2)),
        "usability",
        "app",
        "The app only shows the withdrawal fee on the last screen. Show it before I type the amount.",
    )
    _wrap_up(world, call, Disposition.RESOLVED)


def reported_an_app_crash(world: DemoWorld, who: Customer) -> None:
    """The app closes when he scans a QR code: a bug for engineering, which chenjing forwarded."""
    call = _call(world, who, "lina", world.ago(days=1, hours=3))
    said = feedback.record_feedback(
        world.services,
        DEFAULT_FEEDBACK_ROUTING,
        call.at(call.now + timedelta(minutes=2)),
        "bug",
        "app",
        "The app closes as soon as I scan a QR code to pay. Android 14, app updated yesterday.",
    )
    _wrap_up(world, call, Disposition.RESOLVED)
    chenjing = Actor(world.agent_ids["chenjing"], world.ago(hours=20))
    feedback_desk.change_feedback_status(
        world.services, chenjing, said.feedback_id, said.version, "forwarded", "Sent to the app team's crash queue."
    )
