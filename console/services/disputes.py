"""Statement disputes: open one about a statement row, investigate, reject, and what a dispute shows
(its timeline and its adjustments). The adjustments that settle a dispute are in `adjustments`.

The rules (DESIGN.md "Actions and approvals"): the claim never exceeds the statement row; an edit of a
dispute makes its editor an editor of its pending adjustment; the customer hears of every status change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from console.i18n import N_, _
from console.services import approvals
from console.services.actors import SUPERVISORS, active_agent, usernames
from console.services.context import Actor, OnCall
from console.services.driver import known, run
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.gate import NotVerified
from console.services.labels import dispute_status_label
from console.services.money import (
    AssetView,
    asset,
    format_amount,
    format_money,
    lock_customer,
    parse_amount,
)
from console.services.outbox import notify_customer
from console.services.rows import ActingAgent, AdjustmentFacts, DisputeFacts, Recipient, StatementRowFacts
from console.services.unit_of_work import UnitOfWork, unit_of_work
from models import (
    Adjustment,
    Agent,
    ApprovalEdit,
    ApprovalStatus,
    Customer,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    Role,
    Transaction,
)

MAX_DESCRIPTION = 2_000

# What an edit of a dispute changed, in the words an adjustment's record of edits uses.
_DISPUTE_FIELDS = {"claimed": N_("the dispute's claim"), "description": N_("the dispute's description")}
SETTLED = (DisputeStatus.ADJUSTED, DisputeStatus.REJECTED)

# What the customer is told at each status change (Chinese first, then English).
# What the customer reads at each step, in their language (outbox.notify_customer translates).
_CUSTOMER_NOTICES = {
    DisputeStatus.OPEN: N_("[OK Wallet] We have opened dispute {number} about {what} and will look into it."),
    DisputeStatus.INVESTIGATING: N_("[OK Wallet] Dispute {number} is under investigation."),
    DisputeStatus.AWAITING_APPROVAL: N_(
        "[OK Wallet] Dispute {number}: an adjustment of {amount} is awaiting approval."
    ),
    DisputeStatus.ADJUSTED: N_("[OK Wallet] Dispute {number}: {amount} has been adjusted to your account."),
    DisputeStatus.REJECTED: N_("[OK Wallet] Dispute {number} is closed without an adjustment: {reason}"),
}


@dataclass(frozen=True)
class DisputeEventView:
    status: str
    status_label: str
    occurred_at: datetime
    agent_username: str | None
    note: str | None


@dataclass(frozen=True)
class AdjustmentView:
    adjustment_id: int
    dispute_id: int
    asset_code: str
    amount: int
    amount_text: str
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    # Everyone who changed it while it waited (none of them may decide it), first change first.
    edited_by: tuple[str, ...]
    # Who approved or turned it down.
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    version: int
    # The ledger journal the adjustment was posted in; None until it is applied.
    journal_id: str | None

    @property
    def awaiting_approval(self) -> bool:
        return self.status == ApprovalStatus.PENDING.value


@dataclass(frozen=True)
class DisputeView:
    dispute_id: int
    customer_id: int
    transaction_id: int
    transaction_at: datetime
    transaction_kind: str
    transaction_text: str  # "8,000.00 CNY"
    reference: str
    asset_code: str
    asset_scale: int
    claimed_amount: int
    claimed_text: str
    description: str
    status: str
    status_label: str
    opened_at: datetime
    opened_by: str
    resolution_reason: str | None
    version: int
    timeline: tuple[DisputeEventView, ...]
    adjustments: tuple[AdjustmentView, ...]

    @property
    def claimed_plain(self) -> str:
        """The claim as an agent would type it: digits and the asset's decimals, no code."""
        return format_amount(self.claimed_amount, self.asset_scale)

    @property
    def settled(self) -> bool:
        return self.status in {status.value for status in SETTLED}


@dataclass(frozen=True)
class AdjustmentOnDispute:
    """An adjustment just proposed or changed, with its dispute as it now stands: what the disputes tab
    shows after the key press, so the agent's screen needs no second read."""

    adjustment: AdjustmentView
    dispute: DisputeView

    @property
    def awaiting_approval(self) -> bool:
        return self.adjustment.awaiting_approval


# --- reading ---------------------------------------------------------------------------------


def adjustment_view(
    session: Session, adjustment: AdjustmentFacts, money: AssetView, editors: list[int] | None = None
) -> AdjustmentView:
    """An adjustment as a dispute and the escalation queue show it (`editors`: see `approvals.people`)."""
    who = approvals.people(session, adjustment, editors)
    return AdjustmentView(
        adjustment_id=adjustment.id,
        dispute_id=adjustment.dispute_id,
        asset_code=adjustment.asset_code,
        amount=adjustment.amount,
        amount_text=format_money(adjustment.amount, money),
        reason=adjustment.reason,
        status=adjustment.status.value,
        requested_by=who.requested_by,
        requested_at=adjustment.requested_at,
        edited_by=who.edited_by,
        decided_by=who.decided_by,
        decided_at=adjustment.decided_at,
        decision_reason=adjustment.decision_reason,
        version=adjustment.version,
        journal_id=adjustment.journal_id,
    )


def dispute_view(session: Session, dispute: Dispute) -> DisputeView:
    """The dispute with its statement row, timeline and adjustments, as the agent and the supervisor see it."""
    money = asset(session, dispute.asset_code)
    transaction = session.get(Transaction, dispute.transaction_id)
    assert transaction is not None  # a foreign key
    # Both read on the driver as plain rows: a view needs no object to track.
    events = run(session, _TIMELINE, {"dispute_id": dispute.id}).rows
    # Its adjustments with everyone who changed each (first change first, each once), in one query.
    adjustments: dict[int, AdjustmentFacts] = {}
    editors: dict[int, list[int]] = {}
    for row in run(session, _ADJUSTMENTS_AND_EDITORS, {"dispute_id": dispute.id}).rows:
        adjustments.setdefault(row.id, row)
        named = editors.setdefault(row.id, [])
        if row.editor is not None and row.editor not in named:
            named.append(row.editor)
    return _dispute_view(
        dispute,
        transaction,
        money,
        opened_by=usernames(session, dispute.opened_by_agent_id)[dispute.opened_by_agent_id],
        timeline=tuple(
            DisputeEventView(status.value, dispute_status_label(status), occurred_at, username, note)
            for status, occurred_at, username, note in events
        ),
        adjustments=tuple(
            adjustment_view(session, adjustment, money, editors[adjustment_id])
            for adjustment_id, adjustment in adjustments.items()
        ),
    )


# Built once: every dispute shown sends both (building a statement costs more than sending it).
_ACTOR = aliased(Agent)
_TIMELINE = (
    select(DisputeEvent.status, DisputeEvent.occurred_at, _ACTOR.username, DisputeEvent.note)
    .outerjoin(_ACTOR, _ACTOR.id == DisputeEvent.agent_id)
    .where(DisputeEvent.dispute_id == bindparam("dispute_id"))
    .order_by(DisputeEvent.occurred_at, DisputeEvent.id)
)
_ADJUSTMENTS_AND_EDITORS = (
    select(Adjustment.__table__, ApprovalEdit.agent_id.label("editor"))
    .outerjoin(ApprovalEdit, ApprovalEdit.adjustment_id == Adjustment.id)
    .where(Adjustment.dispute_id == bindparam("dispute_id"))
    .order_by(Adjustment.requested_at, Adjustment.id, ApprovalEdit.edited_at, ApprovalEdit.id)
)


def _dispute_view(
    dispute: DisputeFacts,
    transaction: StatementRowFacts,
    money: AssetView,
    *,
    opened_by: str,
    timeline: tuple[DisputeEventView, ...],
    adjustments: tuple[AdjustmentView, ...],
) -> DisputeView:
    return DisputeView(
        dispute_id=dispute.id,
        customer_id=dispute.customer_id,
        transaction_id=transaction.id,
        transaction_at=transaction.created_at,
        transaction_kind=transaction.kind.value,
        transaction_text=format_money(transaction.amount, money),
        reference=transaction.reference,
        asset_code=dispute.asset_code,
        asset_scale=money.scale,
        claimed_amount=dispute.claimed_amount,
        claimed_text=format_money(dispute.claimed_amount, money),
        description=dispute.description,
        status=dispute.status.value,
        status_label=dispute_status_label(dispute.status),
        opened_at=dispute.opened_at,
        opened_by=opened_by,
        resolution_reason=dispute.resolution_reason,
        version=dispute.version,
        timeline=timeline,
        adjustments=adjustments,
    )


def caller_disputes(
    sessions: sessionmaker[Session],
    call: OnCall,
) -> list[DisputeView]:
    """The verified caller's disputes, unsettled first, each with its timeline and adjustments."""
    with unit_of_work(sessions, call, doing=N_("see disputes")) as uow:
        session = uow.session
        uow.verified_caller()
        disputes = session.scalars(
            select(Dispute)
            .where(Dispute.customer_id == call.caller_id)
            .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
        ).all()
        views = [dispute_view(session, dispute) for dispute in disputes]
    return sorted(views, key=lambda view: view.settled)


def dispute_for_supervisor(sessions: sessionmaker[Session], supervisor_id: int, dispute_id: int) -> DisputeView:
    """One dispute as the supervisor reviewing it sees it (no call needed: they are not on one)."""
    with sessions() as session:
        active_agent(session, supervisor_id, *SUPERVISORS, doing=N_("review disputes away from a call"))
        return dispute_view(session, dispute_by_id(session, dispute_id))


# --- changing a dispute ----------------------------------------------------------------------


def dispute_by_id(session: Session, dispute_id: int) -> Dispute:
    """The dispute, or NotFound."""
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound(_("No such dispute."))
    return dispute


def _customer(session: Session, customer_id: int) -> Recipient:
    """The customer to tell: as the command read them with its agent (see actors.agent_on_call), or loaded."""
    customer: Recipient | None = known(session, Customer.__tablename__, customer_id) or session.get(
        Customer, customer_id
    )
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def actor_for_dispute(uow: UnitOfWork, dispute: Dispute, *, fresh: bool = False) -> ActingAgent:
    """An agent acts on a dispute on a call with its verified customer; a supervisor may also act
    away from a call (reviewing the case), except where the rule needs a fresh factor."""
    on_call = isinstance(uow.actor, OnCall)
    agent = uow.acting(doing=N_("work on disputes"), gated=on_call)
    if on_call or fresh or agent.role == Role.AGENT:
        if not on_call:
            raise NotVerified(_("Caller not verified: work on a dispute from the call with its customer."))
        uow.verified_caller(dispute.customer_id, fresh=fresh)
    return agent


def _check_version(dispute: Dispute, expected_version: int) -> None:
    if dispute.version != expected_version:
        raise Conflict(_(STALE_DISPUTE))


def checked_text(value: str, what: str, limit: int = MAX_DESCRIPTION) -> str:
    """Free text cleaned and required, at most `limit` characters (`what` names it in the refusal)."""
    value = free_text(value).strip()
    if not value:
        raise InvalidInput(_("Enter {what}.").format(what=what))
    if len(value) > limit:
        raise InvalidInput(
            _("{upper}{what} can be at most {limit:,} characters.").format(
                upper=what[0].upper(), what=what[1:], limit=limit
            )
        )
    return value


def move_dispute(
    session: Session,
    dispute: Dispute,
    status: DisputeStatus,
    agent: ActingAgent | None,
    note: str | None,
    now: datetime,
    *,
    amount: str = "",
    by_way_of: tuple[DisputeStatus, str] | None = None,
) -> None:
    """Set the status, add it to the timeline, and tell the customer. `by_way_of`: a step the dispute
    passed through on the way (its status and note), on the timeline just before, in the same write;
    the customer hears of the status it ends in."""
    _write_status(session, dispute, status, now)
    _record_step(session, dispute, status, agent, note, now, amount=amount, by_way_of=by_way_of)


def _write_status(session: Session, dispute: Dispute, status: DisputeStatus, now: datetime) -> None:
    """The dispute's new status (with the resolution reason it holds) written at once on the driver, as
    the ORM would write it, version checked and moved on; the object then holds what was written, so
    nothing of it waits for the flush. Someone else's save since it was read is a stale edit."""
    seen = dispute.version
    values = {
        "dispute_id": dispute.id,
        "seen": seen,
        "to_status": status,
        "at": now,
        "because": dispute.resolution_reason,
    }
    if run(session, _MOVE_DISPUTE, values).rowcount != 1:
        raise StaleDataError(f"dispute {dispute.id} is no longer at version {seen}")
    written = {"status": status, "updated_at": now, "resolution_reason": dispute.resolution_reason, "version": seen + 1}
    for name, value in written.items():
        set_committed_value(dispute, name, value)


_MOVE_DISPUTE = (
    update(Dispute)
    .where(Dispute.id == bindparam("dispute_id"), Dispute.version == bindparam("seen"))
    .values(
        status=bindparam("to_status"),
        updated_at=bindparam("at"),
        resolution_reason=bindparam("because"),
        version=Dispute.version + 1,
    )
)


def _record_step(
    session: Session,
    dispute: DisputeFacts,
    status: DisputeStatus,
    agent: ActingAgent | None,
    note: str | None,
    now: datetime,
    *,
    amount: str = "",
    by_way_of: tuple[DisputeStatus, str] | None = None,
    row: StatementRowFacts | None = None,
) -> None:
    """The step on the dispute's timeline, and what the customer is told of it (`row`: its statement
    row, when the command holds it as a plain row)."""
    steps = [*([by_way_of] if by_way_of else []), (status, note)]
    add_to_timeline(session, dispute, agent, now, *steps)
    notice = _CUSTOMER_NOTICES.get(status)
    if notice is not None:
        transaction = row or session.get(Transaction, dispute.transaction_id)
        assert transaction is not None
        words = {
            "number": f"D{dispute.id}",
            "what": f"{transaction.reference}",
            "amount": amount,
            "reason": dispute.resolution_reason or "",
        }
        notify_customer(
            session,
            _customer(session, dispute.customer_id),
            kind="dispute",
            body=notice,
            values=words,
            now=now,
            subject=N_("OK Wallet dispute update"),
            ticket_id=dispute.ticket_id,
        )


def add_to_timeline(
    session: Session,
    dispute: DisputeFacts,
    agent: ActingAgent | None,
    now: datetime,
    *steps: tuple[DisputeStatus, str | None],
) -> None:
    """Events on the dispute's timeline (status and note each), in order, written now in one statement
    (the dispute is in the database: nothing the session holds unwritten is needed, and nothing reads an
    event back as an object)."""
    agent_id = agent.id if agent else None
    rows = [
        {"dispute_id": dispute.id, "status": status, "agent_id": agent_id, "note": note, "occurred_at": now}
        for status, note in steps
    ]
    run(session, _NEW_EVENT, rows)


_NEW_EVENT = insert(DisputeEvent)


def _claim_on_row(session: Session, transaction: StatementRowFacts, claimed_amount_text: str) -> int:
    """The claim typed for a statement row, in minor units. The one place that holds the rule that a
    claim never exceeds its row with its fee: opening a dispute and editing its claim both come here."""
    money = asset(session, transaction.asset_code)
    claimed = parse_amount(claimed_amount_text, money.scale, money.code)
    row = transaction.amount + transaction.fee
    if claimed > row:
        raise InvalidInput(
            _("The claim ({format_money}) is more than the statement row ({format_money2} with its fee).").format(
                format_money=format_money(claimed, money), format_money2=format_money(row, money)
            )
        )
    return claimed


def over_the_claim(session: Session, dispute: Dispute, amount: int, money: AssetView) -> str | None:
    """Why an adjustment of `amount` may not be posted on this dispute as it is now, or None when it may:
    never more than the caller claims, nor than the statement row (a claim saved before claims were
    capped at the row may be larger)."""
    transaction = session.get(Transaction, dispute.transaction_id)
    assert transaction is not None  # a foreign key
    shown, row = format_money(amount, money), transaction.amount + transaction.fee
    if amount > dispute.claimed_amount:
        return f"{shown} is more than the caller claimed ({format_money(dispute.claimed_amount, money)})."
    if amount > row:
        return f"{shown} is more than the statement row ({format_money(row, money)} with its fee)."
    return None


# The statement row, and the dispute about it that is not settled yet (if any), in one round trip.
_ROW_AND_UNSETTLED = select(
    Transaction.__table__,
    select(Dispute.id)
    .where(
        Dispute.transaction_id == bindparam("transaction_id"),
        *(Dispute.status != settled for settled in SETTLED),
    )
    .limit(1)
    .scalar_subquery()
    .label("unsettled"),
).where(Transaction.id == bindparam("transaction_id"))
_NEW_DISPUTE = insert(Dispute).returning(*Dispute.__table__.c)

STALE_DISPUTE = N_(
    "Someone else saved this dispute first; what you typed is kept. Review their change, then save again."
)


def open_dispute(
    sessions: sessionmaker[Session],
    call: OnCall,
    transaction_id: int,
    claimed_amount_text: str,
    description: str,
) -> DisputeView:
    """Open a dispute about one statement row, for the verified caller, with what they claim and why."""
    description = checked_text(description, _("what the caller says is wrong"))
    with unit_of_work(sessions, call, doing=N_("open disputes"), stale=STALE_DISPUTE, gated=True) as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller()
        # Read and written on the driver as plain rows: the command holds no object to track.
        found = run(session, _ROW_AND_UNSETTLED, {"transaction_id": transaction_id}).first()
        if found is None or found.customer_id != call.caller_id:
            raise NotFound(_("That statement row is not this caller's."))
        transaction: StatementRowFacts = found
        money = asset(session, transaction.asset_code)
        claimed = _claim_on_row(session, transaction, claimed_amount_text)
        unsettled = found.unsettled
        if unsettled is not None:
            raise Conflict(
                _("Dispute D{unsettled} about this statement row is still open; add to that one.").format(
                    unsettled=unsettled
                )
            )
        values = {
            "customer_id": call.caller_id,
            "transaction_id": transaction_id,
            "ticket_id": call.ticket_id,
            "opened_by_agent_id": agent.id,
            "asset_code": money.code,
            "claimed_amount": claimed,
            "description": description,
            "status": DisputeStatus.OPEN,
            "resolution_reason": None,
            "opened_at": call.now,
            "updated_at": call.now,
            "version": 1,
        }
        dispute: DisputeFacts = run(session, _NEW_DISPUTE, values).one()
        opened = "Opened on the call."
        _record_step(session, dispute, DisputeStatus.OPEN, agent, opened, call.now, row=transaction)  # inserted open
        uow.note(
            call.ticket_id,
            f"Opened dispute D{dispute.id} about {transaction.reference}:"
            f" claims {format_money(claimed, money)}. {description}",
        )
        uow.record(
            "dispute.open",
            "dispute",
            dispute.id,
            {"ticket": call.ticket_id, "transaction": transaction_id, "claimed": claimed},
        )
        session.flush()
        # A dispute just opened: its timeline is the one event above and it has no adjustments, so
        # it is shown from what is in hand rather than read back.
        status = DisputeStatus.OPEN
        event = DisputeEventView(status.value, dispute_status_label(status), call.now, agent.username, opened)
        return _dispute_view(dispute, transaction, money, opened_by=agent.username, timeline=(event,), adjustments=())


def update_dispute(
    sessions: sessionmaker[Session],
    actor: Actor,
    dispute_id: int,
    expected_version: int,
    *,
    claimed_amount_text: str | None = None,
    description: str | None = None,
) -> DisputeView:
    """Correct the claim or the description. Refused if someone saved the dispute since it was loaded.

    A pending adjustment is decided on what the dispute says, so whoever changes it here becomes an
    editor of that adjustment: they may not decide it, and an approval of the earlier version is void.
    """
    with unit_of_work(sessions, actor, stale=STALE_DISPUTE) as uow:
        session = uow.session
        dispute = dispute_by_id(session, dispute_id)
        agent = actor_for_dispute(uow, dispute)
        # Queue behind a decision on this customer's money, then look at the dispute as it is now.
        lock_customer(session, dispute.customer_id)
        session.refresh(dispute)
        _check_version(dispute, expected_version)
        if dispute.status in SETTLED:
            raise Refused(_("This dispute is settled; open a new one if the caller still disagrees."))
        changes: dict[str, object] = {}
        if claimed_amount_text is not None:
            transaction = session.get(Transaction, dispute.transaction_id)
            assert transaction is not None  # a foreign key
            claimed = _claim_on_row(session, transaction, claimed_amount_text)
            if claimed != dispute.claimed_amount:
                dispute.claimed_amount, changes["claimed"] = claimed, claimed
        if description is not None:
            text = checked_text(description, _("what the caller says is wrong"))
            if text != dispute.description:
                dispute.description, changes["description"] = text, True
        if changes:
            dispute.updated_at = actor.now
            session.flush()
            what = " and ".join(words for key, words in _DISPUTE_FIELDS.items() if key in changes)
            for pending in session.scalars(
                select(Adjustment).where(
                    Adjustment.dispute_id == dispute.id, Adjustment.status == ApprovalStatus.PENDING
                )
            ):
                approvals.record_edit(session, pending, agent, what, actor.now)
            uow.record("dispute.update", "dispute", dispute.id, changes)
        return dispute_view(session, dispute)


def start_investigation(
    sessions: sessionmaker[Session],
    actor: Actor,
    dispute_id: int,
    expected_version: int,
    note: str,
) -> DisputeView:
    """Open -> investigating, with what is being checked."""
    note = checked_text(note, _("what is being checked"))
    with unit_of_work(sessions, actor, stale=STALE_DISPUTE) as uow:
        session = uow.session
        dispute = dispute_by_id(session, dispute_id)
        agent = actor_for_dispute(uow, dispute)
        _check_version(dispute, expected_version)
        if dispute.status != DisputeStatus.OPEN:
            raise Refused(
                _("This dispute is {lower}, not open.").format(lower=dispute_status_label(dispute.status).lower())
            )
        move_dispute(session, dispute, DisputeStatus.INVESTIGATING, agent, note, actor.now)
        session.flush()
        uow.record("dispute.investigate", "dispute", dispute.id)
        return dispute_view(session, dispute)


def reject_dispute(
    sessions: sessionmaker[Session],
    actor: Actor,
    dispute_id: int,
    expected_version: int,
    reason: str,
) -> DisputeView:
    """Close the dispute without moving money, saying why; a pending adjustment is turned down with it."""
    reason = checked_text(reason, _("why the dispute is rejected"), 1_000)
    with unit_of_work(sessions, actor, stale=STALE_DISPUTE) as uow:
        session = uow.session
        dispute = dispute_by_id(session, dispute_id)
        agent = actor_for_dispute(uow, dispute)
        _check_version(dispute, expected_version)
        if dispute.status in SETTLED:
            raise Refused(_("This dispute is already settled."))
        for pending in session.scalars(
            select(Adjustment).where(Adjustment.dispute_id == dispute.id, Adjustment.status == ApprovalStatus.PENDING)
        ):
            approvals.void(pending, "Dispute rejected.", actor.now)
        dispute.resolution_reason = reason
        move_dispute(session, dispute, DisputeStatus.REJECTED, agent, reason, actor.now)
        session.flush()
        uow.record("dispute.reject", "dispute", dispute.id)
        return dispute_view(session, dispute)
