"""Four eyes on every approval: who may decide an adjustment or an unlock request, and the record of
everyone who changed one while it waited.

DESIGN.md "Four eyes": nobody who proposed or edited an adjustment or unlock request decides it. Both
flows call `record_edit` whenever what is to be decided changes and `require_another_person` before
a decision, so the rule is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from console.i18n import _
from console.services.actors import usernames
from console.services.announce import ItemKind, announce
from console.services.errors import Refused
from console.services.rows import ActingAgent, ApprovalFacts
from models import Adjustment, ApprovalEdit, ApprovalStatus, UnlockRequest

Approval = Adjustment | UnlockRequest


@dataclass(frozen=True)
class ApprovalPeople:
    """Who asked for it, everyone who changed it (first change first, each once) and who decided it."""

    requested_by: str
    edited_by: tuple[str, ...]
    decided_by: str | None


def _kind(approval: Approval) -> ItemKind:
    return ItemKind.ADJUSTMENT if isinstance(approval, Adjustment) else ItemKind.UNLOCK


def _names(approval: Approval) -> tuple[str, str]:
    # The words an agent uses for each: "You filed this unlock request".
    return ("adjustment", "requested") if isinstance(approval, Adjustment) else ("unlock request", "filed")


def _edits_of(approval: Approval) -> Select[int]:
    column = ApprovalEdit.adjustment_id if isinstance(approval, Adjustment) else ApprovalEdit.unlock_request_id
    return select(ApprovalEdit.agent_id).where(column == approval.id).order_by(ApprovalEdit.edited_at, ApprovalEdit.id)


def editor_ids(session: Session, approval: Approval) -> list[int]:
    """Everyone who changed it while it waited, first change first, each once; read once per command
    (the four-eyes check and the view that answers the decision both ask)."""
    known: dict[tuple[str, int], list[int]] = session.info.setdefault(_EDITORS_INFO, {})
    key = (type(approval).__name__, approval.id)
    if key not in known:
        known[key] = list(dict.fromkeys(session.scalars(_edits_of(approval))))
    return known[key]


# The key in `Session.info` of the editors a command has read, by approval.
_EDITORS_INFO = "hotline_editors"


def record_edit(session: Session, approval: Approval, editor: ActingAgent, what: str, now: datetime) -> None:
    """`editor` changed what is to be decided (`what`, in words): the change makes a new version, so an
    approval given for the old one is void, and the editor may no longer decide it."""
    approval.edited_by_agent_id = editor.id
    session.info.get(_EDITORS_INFO, {}).pop((type(approval).__name__, approval.id), None)
    # Written even when the same person edits again, so the version moves on every change.
    flag_modified(approval, "edited_by_agent_id")
    session.flush()
    subject = {"adjustment_id": approval.id} if isinstance(approval, Adjustment) else {"unlock_request_id": approval.id}
    session.add(ApprovalEdit(**subject, agent_id=editor.id, version=approval.version, what=what, edited_at=now))
    announce(session, _kind(approval), approval.id)


def require_another_person(session: Session, approval: Approval, decider: ActingAgent) -> None:
    """Refuse the requester and every editor: a decision needs a second pair of eyes."""
    noun, filed = _names(approval)
    if decider.id == approval.requested_by_agent_id:
        raise Refused(_("You {filed} this {noun}; another supervisor must decide it.").format(filed=filed, noun=noun))
    if decider.id == approval.edited_by_agent_id or decider.id in editor_ids(session, approval):
        raise Refused(_("You edited this {noun}; another supervisor must decide it.").format(noun=noun))


def record_decision(approval: Approval, decider: ActingAgent, reason: str, now: datetime) -> None:
    """Who decided (approved or turned down), when and why; the status is the caller's to set. It leaves
    the supervisors' queue."""
    approval.approved_by_agent_id, approval.decided_at, approval.decision_reason = decider.id, now, reason
    _announce(approval)


def decide(approval: Approval, decider: ActingAgent, status: ApprovalStatus, reason: str, now: datetime) -> None:
    """Approve or turn down: the new status, with who decided, when and why."""
    approval.status = status
    record_decision(approval, decider, reason, now)


def void(approval: Approval, reason: str, now: datetime) -> None:
    """It will not be decided: what it was about went away (no decider: nobody turned it down)."""
    approval.status, approval.decided_at, approval.decision_reason = ApprovalStatus.VOID, now, reason
    _announce(approval)


def _announce(approval: Approval) -> None:
    """Tell the supervisors' consoles, in the transaction that holds the change."""
    session = object_session(approval)
    assert session is not None, "an approval is decided inside its command's transaction"
    announce(session, _kind(approval), approval.id)


def people(session: Session, approval: ApprovalFacts, editors: list[int] | None = None) -> ApprovalPeople:
    """The names for a view: requested by, edited by, decided by (`editors`: its `editor_ids`, when
    the caller has read them already, as it must for a plain row)."""
    if editors is None:
        assert isinstance(approval, Adjustment | UnlockRequest), "a plain row comes with its editors"
        editors = editor_ids(session, approval)
    names = usernames(session, approval.requested_by_agent_id, approval.approved_by_agent_id, *editors)
    return ApprovalPeople(
        requested_by=names[approval.requested_by_agent_id],
        edited_by=tuple(names[agent_id] for agent_id in editors),
        decided_by=names.get(approval.approved_by_agent_id),
    )
