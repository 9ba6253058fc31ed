"""Feedback through the real console on the demo data: an agent records a caller's complaint from the
ticket and escalates it, the card shows it, a refusal keeps what was typed, and the department's desk
lists it for a supervisor, who moves its status on with a key."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import DataTable, Select, TextArea

from console.app import HotlineApp
from console.services.context import OnCall
from console.services.feedback import record_feedback
from console.settings import DEFAULT_FEEDBACK_ROUTING
from models import Feedback
from screens.feedback import FeedbackDeskScreen, FeedbackDialog
from tests.support.world import World
from tests.ui.console_driver import drive

CASE = "two_factor_off"  # no feedback in the demo
# Looks like markup and carries a control character: it must be stored and shown as typed, minus the control.
WORDS = "[bold]Charged twice[/bold] for one withdrawal\x07"
SHOWN = "[bold]Charged twice[/bold] for one withdrawal"


async def test_feedback_from_the_ticket_is_escalated_and_shows_on_the_card(demo_app: HotlineApp, world: World) -> None:
    ticket = world.open_ticket(CASE, reason="feedback")
    async with drive(demo_app, notifications=True) as console:
        await console.resume("lina", ticket)
        assert "Feedback (" not in console.shown("#card-body")
        dialog = await console.open_feedback()
        await console.give_feedback("complaint", "fees", WORDS, escalate="Caller asks for a supervisor.")
        assert not dialog.is_attached  # saved and closed
        workspace = console.workspace
        await console.wait_until(lambda: workspace.card is not None and workspace.card.feedback_count == 1)
        card = console.shown("#card-body")
        assert "Feedback (1)" in card and "Complaint (fees) → Payments · new · escalated" in card
    with world.sessions() as session:
        stored = session.scalars(select(Feedback).where(Feedback.ticket_id == ticket)).one()
    assert stored.body == SHOWN and stored.escalated_at is not None and stored.department.value == "payments"


async def test_a_complaint_recorded_earlier_on_the_call_is_escalated_from_the_dialog(
    demo_app: HotlineApp, world: World
) -> None:
    ticket = world.open_ticket(CASE, reason="feedback")
    call = OnCall(world.agent("lina"), world.now, ticket, world.customer(CASE))
    made = record_feedback(world.sessions, DEFAULT_FEEDBACK_ROUTING, call, "complaint", "fees", "Too dear.")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        dialog = await console.open_feedback()
        await console.settle()
        assert f"Complaint F{made.feedback_id} from earlier in this call is not escalated" in console.shown(
            "#feedback-message"
        )
        await console.press("f2")
        assert dialog.query_one("#feedback-words", TextArea).text == "Too dear."
        await console.fill("#feedback-reason", "Now asks for a supervisor.")
        await console.press("ctrl+s")
        assert not dialog.is_attached
    with world.sessions() as session:
        stored = session.get(Feedback, made.feedback_id)
        assert stored is not None and stored.escalation_reason == "Now asks for a supervisor."
        assert session.scalars(select(Feedback).where(Feedback.ticket_id == ticket)).all() == [stored]


async def test_feedback_without_a_ticket_says_what_to_do_first(demo_app: HotlineApp) -> None:
    async with drive(demo_app, notifications=True) as console:
        await console.log_in("lina", "lina-demo")
        await console.press("ctrl+f")
        assert not isinstance(demo_app.screen, FeedbackDialog)
        await console.sees("Feedback needs a ticket with its customer")


async def test_a_refusal_keeps_what_was_typed_and_saves_nothing(demo_app: HotlineApp, world: World) -> None:
    ticket = world.open_ticket(CASE, reason="feedback")
    async with drive(demo_app) as console:
        await console.resume("lina", ticket)
        dialog = await console.open_feedback()
        await console.give_feedback("complaint", "fees", "   ")
        assert "Write down the caller's feedback in their words." in console.shown("#feedback-message")
        await console.give_feedback("complaint", "fees", "Too dear.", escalate="")
        assert "Write down why this complaint needs a supervisor." in console.shown("#feedback-message")
        assert console.on(FeedbackDialog) is dialog
        assert dialog.query_one("#feedback-category", Select).value == "complaint"
        assert dialog.query_one("#feedback-words", TextArea).text == "Too dear."
    with world.sessions() as session:
        assert session.scalars(select(Feedback).where(Feedback.ticket_id == ticket)).all() == []


async def test_the_department_desk_lists_it_and_moves_it_on(demo_app: HotlineApp, world: World) -> None:
    ticket = world.open_ticket(CASE, reason="feedback")
    call = OnCall(world.agent("lina"), world.now, ticket, world.customer(CASE))
    made = record_feedback(world.sessions, DEFAULT_FEEDBACK_ROUTING, call, "complaint", "fees", WORDS)
    async with drive(demo_app) as console:
        await console.log_in("chenjing", "chenjing-demo")
        desk = await console.open_feedback_desk("payments")
        assert desk.items[0].feedback_id == made.feedback_id  # newest first
        assert desk.query_one("#desk-table", DataTable).cursor_row == 0
        detail = console.shown("#desk-detail")
        assert SHOWN in detail and f"F{made.feedback_id}" in detail and "New by lina" in detail
        await console.fill("#desk-note", "Sent to the payments team.")
        desk.query_one("#desk-table", DataTable).focus()
        await console.press("f2")
        assert f"F{made.feedback_id} is now forwarded." in console.shown("#desk-message")
        assert "Forwarded by chenjing: Sent to the payments team." in console.shown("#desk-detail")
        await console.press("f4")
        assert made.feedback_id not in [item.feedback_id for item in console.on(FeedbackDeskScreen).items]
