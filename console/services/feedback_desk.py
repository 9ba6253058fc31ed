"""The departments' feedback desk, for supervisors and admins: what waits in each department, newest
first, and moving a piece of feedback on to its next status, kept in its history with who and when."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import SUPERVISORS, require_enabled
from console.services.context import Actor
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.feedback import (
    NEXT_STATUSES,
    FeedbackView,
    checked_text,
    feedback_view,
    feedback_views,
    parse_department,
    record_status,
)
from console.services.labels import feedback_status_label
from console.services.unit_of_work import unit_of_work
from models import Department, Feedback, FeedbackStatus

MAX_NOTE = 1_000
# What a department's list shows at most, newest first.
DEPARTMENT_LIST_LIMIT = 200

_STATUS_CHANGED = N_("This feedback changed since you opened it; look at it again.")

# Feedback that still waits (not closed), written as the partial index `ix_feedback_waiting` is: with the
# status as a literal, not a bound parameter, SQLite can prove the index covers the query and reads only
# the waiting rows instead of a department's whole history.
WAITING = Feedback.status != literal_column(f"'{FeedbackStatus.CLOSED.value}'")


def department_feedback(sessions: sessionmaker[Session], actor: Actor, department: str) -> list[FeedbackView]:
    """What waits in one department (everything not closed), newest first, for supervisors and admins."""
    wanted = parse_department(department)
    with sessions() as session:
        require_enabled(session, actor.agent_id, *SUPERVISORS, doing=N_("see feedback by department"))
        rows = session.scalars(
            select(Feedback)
            .where(Feedback.department == wanted, WAITING)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(DEPARTMENT_LIST_LIMIT)
        ).all()
        return feedback_views(session, rows)


def waiting_by_department(sessions: sessionmaker[Session], actor: Actor) -> dict[str, int]:
    """How much feedback waits (is not closed) in each department, every department named."""
    with sessions() as session:
        require_enabled(session, actor.agent_id, *SUPERVISORS, doing=N_("see feedback by department"))
        counts = dict(
            session.execute(
                select(Feedback.department, func.count()).where(WAITING).group_by(Feedback.department)
            ).all()
        )
        return {department.value: counts.get(department, 0) for department in Department}


def _status_words(statuses: Iterable[FeedbackStatus]) -> str:
    labels = [feedback_status_label(status).lower() for status in statuses]
    return " or ".join(labels)


def change_feedback_status(
    sessions: sessionmaker[Session],
    actor: Actor,
    feedback_id: int,
    expected_version: int,
    status: str,
    note: str = "",
) -> FeedbackView:
    """A supervisor or admin moves feedback on (new → forwarded → acknowledged → closed, skipping allowed);
    the change is kept with who made it and when, and a stale version is refused."""
    try:
        target = FeedbackStatus(status)
    except ValueError:
        raise InvalidInput(_("Choose one of the feedback statuses.")) from None
    note = checked_text(note, "the note", MAX_NOTE, required=False)
    with unit_of_work(
        sessions, actor, *SUPERVISORS, doing=N_("change the status of feedback"), stale=_STATUS_CHANGED
    ) as uow:
        feedback = uow.session.get(Feedback, feedback_id)
        if feedback is None:
            raise NotFound(_("No such feedback."))
        if feedback.version != expected_version:
            raise Conflict(_(_STATUS_CHANGED))
        was = feedback.status
        allowed = NEXT_STATUSES[was]
        if target not in allowed:
            now_label = feedback_status_label(was).lower()
            if not allowed:
                raise Refused(
                    _("This feedback is {now_label}; closed feedback does not change.").format(now_label=now_label)
                )
            raise Refused(
                _("This feedback is {now_label}: it can become {status_words}, not {lower}.").format(
                    now_label=now_label,
                    status_words=_status_words(allowed),
                    lower=feedback_status_label(target).lower(),
                )
            )
        record_status(uow, feedback, target, note)
        uow.record(
            "feedback.status",
            "feedback",
            feedback.id,
            {"from": was.value, "to": target.value, "department": feedback.department.value},
        )
        return feedback_view(uow.session, feedback)
