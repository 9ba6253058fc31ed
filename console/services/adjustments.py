"""Adjustments that settle a dispute: propose a compensating ledger entry, edit it while it waits, the
supervisor's two-person approval of large ones, turning one down, and reversing a posted one.

The rules (DESIGN.md "Actions and approvals"): an adjustment is a new ledger entry, never an edit;
one that brings the customer's last 24 hours of adjustments in that asset to the threshold waits for
a supervisor who is not the requester; an approval holds only for the version the approver saw;
every money command carries an idempotency key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import approvals
from console.services.actors import SUPERVISORS, require_enabled, require_fresh_password
from console.services.announce import ItemKind, announce
from console.services.context import Actor, OnCall
from console.services.disputes import (
    STALE_DISPUTE,
    AdjustmentOnDispute,
    AdjustmentView,
    actor_for_dispute,
    add_to_timeline,
    adjustment_view,
    checked_text,
    dispute_by_id,
    dispute_view,
    move_dispute,
    over_the_claim,
)
from console.services.driver import run
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.gate import NOT_THIS_CALL, NotVerified
from console.services.labels import approval_status_label, dispute_status_label
from console.services.money import (
    AssetView,
    asset,
    format_money,
    lock_customer,
    parse_amount,
    post_entry,
)
from console.services.rows import ActingAgent, AdjustmentFacts
from console.services.unit_of_work import UnitOfWork, run_command, unit_of_work
from models import (
    Adjustment,
    ApprovalStatus,
    Dispute,
    DisputeStatus,
    EntryKind,
    PaymentMethod,
    Transaction,
    TransactionKind,
    TransactionStatus,
)

APPROVAL_WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 64
# Adjustments that count towards the 24-hour threshold: everything not turned down or undone.
_COUNTED = (ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.APPLIED)

_DECIDED = {
    ApprovalStatus.APPROVED: N_("approved"),
    ApprovalStatus.APPLIED: N_("already posted"),
    ApprovalStatus.REJECTED: N_("turned down"),
    ApprovalStatus.VOID: N_("void"),
}


def pending_adjustments(sessions: sessionmaker[Session], supervisor_id: int) -> list[AdjustmentView]:
    """Adjustments waiting for a supervisor, oldest first (the escalation queue)."""
    with sessions() as session:
        require_enabled(session, supervisor_id, *SUPERVISORS, doing=N_("see the escalation queue"))
        rows = session.scalars(
            select(Adjustment)
            .where(Adjustment.status == ApprovalStatus.PENDING)
            .order_by(Adjustment.requested_at, Adjustment.id)
        ).all()
        return [adjustment_view(session, row, asset(session, row.asset_code)) for row in rows]


def approval_threshold(thresholds: Mapping[str, str], money: AssetView) -> int:
    """The threshold for one asset in minor units; an asset with none configured always needs approval."""
    configured = thresholds.get(money.code)
    if configured is None:
        return 0
    return parse_amount(configured, money.scale, money.code, allow_zero=True)


def adjusted_in_window(session: Session, customer_id: int, asset_code: str, now: datetime) -> int:
    """What the customer's adjustments in this asset add up to over the last 24 hours (by size)."""
    return int(session.scalar(_IN_WINDOW, _window(customer_id, asset_code, now)) or 0)


def _window(customer_id: int, asset_code: str, now: datetime) -> dict[str, object]:
    return {"customer_id": customer_id, "asset_code": asset_code, "since": now - APPROVAL_WINDOW}


# Built once, as every statement a proposal sends (building one costs more than sending it).
_IN_WINDOW = select(func.coalesce(func.sum(func.abs(Adjustment.amount)), 0)).where(
    Adjustment.customer_id == bindparam("customer_id"),
    Adjustment.asset_code == bindparam("asset_code"),
    Adjustment.requested_at > bindparam("since"),
    or_(*(Adjustment.status == status for status in _COUNTED)),
)
_BY_KEY = select(Adjustment).where(Adjustment.idempotency_key == bindparam("key"))
# The dispute again once its customer's money lock is held, with its statement row.
_DISPUTE_AND_ROW = (
    select(Dispute, Transaction)
    .join(Transaction, Transaction.id == Dispute.transaction_id)
    .where(Dispute.id == bindparam("dispute_id"))
)
_NEW_STATEMENT_LINE = insert(Transaction)
_NEW_ADJUSTMENT = insert(Adjustment).returning(*Adjustment.__table__.c)
# The key again (the same save may have been posted while this one queued) and the 24-hour total.
_KEY_AND_WINDOW = select(
    select(Adjustment.id).where(Adjustment.idempotency_key == bindparam("key")).scalar_subquery(),
    _IN_WINDOW.scalar_subquery(),
)


def _apply(
    session: Session,
    adjustment: AdjustmentFacts,
    dispute: Dispute,
    agent: ActingAgent,
    now: datetime,
    journal: str,
    *,
    by_way_of: tuple[DisputeStatus, str] | None = None,
) -> None:
    """Post the compensating entry in `journal` (the original row is never touched) and settle the
    dispute (`by_way_of`: see `move_dispute`). The adjustment is already recorded as applied in that
    journal: inserted so below the threshold, changed so by an approval."""
    money = asset(session, adjustment.asset_code)
    # The entry needs nothing the session holds unwritten (the adjustment has its id), so the
    # dispute's changes wait and are written once, with the status it ends in.
    with session.no_autoflush:
        post_entry(
            session,
            customer_id=adjustment.customer_id,
            asset_code=adjustment.asset_code,
            amount=adjustment.amount,
            kind=EntryKind.ADJUSTMENT,
            journal_id=journal,
            now=now,
            description=f"Adjustment for dispute D{dispute.id}: {adjustment.reason}",
            idempotency_key=f"adjustment:{adjustment.id}",
            agent_id=agent.id,
        )
    # Its line on the statement, as the caller sees it in the app; the journal ties it to the entry.
    run(
        session,
        _NEW_STATEMENT_LINE,
        {
            "customer_id": adjustment.customer_id,
            "asset_code": adjustment.asset_code,
            "kind": TransactionKind.ADJUSTMENT,
            "method": PaymentMethod.INTERNAL,
            "status": TransactionStatus.COMPLETED,
            "amount": abs(adjustment.amount),
            "fee": 0,
            "reference": f"ADJ-D{dispute.id}",
            "journal_id": journal,
            "created_at": now,
            "completed_at": now,
        },
    )
    dispute.resolution_reason = adjustment.reason
    move_dispute(
        session,
        dispute,
        DisputeStatus.ADJUSTED,
        agent,
        f"{format_money(adjustment.amount, money)} posted.",
        now,
        amount=format_money(adjustment.amount, money),
        by_way_of=by_way_of,
    )


def on_dispute(session: Session, adjustment: AdjustmentFacts, money: AssetView) -> AdjustmentOnDispute:
    """The adjustment and its dispute as they stand in this transaction (the adjustment's own view is
    the one in its dispute's list, read once)."""
    session.flush()
    dispute = dispute_view(session, dispute_by_id(session, adjustment.dispute_id))
    for view in dispute.adjustments:
        if view.adjustment_id == adjustment.id:
            return AdjustmentOnDispute(view, dispute)
    raise AssertionError("an adjustment belongs to its dispute")


def _same_request(adjustment: Adjustment, dispute_id: int, amount: int) -> bool:
    return adjustment.dispute_id == dispute_id and adjustment.amount == amount


def propose_adjustment(
    sessions: sessionmaker[Session],
    approval_thresholds: Mapping[str, str],
    call: OnCall,
    dispute_id: int,
    amount_text: str,
    reason: str,
    idempotency_key: str,
) -> AdjustmentOnDispute:
    """Credit the customer for a dispute: applied at once below the threshold, else left for approval.

    The same idempotency key again returns the first adjustment (one entry however often the agent
    presses save); the same key with a different amount is refused.
    """
    reason = checked_text(reason, _("the reason for the adjustment"), 1_000)
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            _("An adjustment needs an idempotency key of 1 to {MAX_KEY_LENGTH} characters.").format(
                MAX_KEY_LENGTH=MAX_KEY_LENGTH
            )
        )

    def saved_before(session: Session, earlier: Adjustment, caller: int) -> AdjustmentOnDispute:
        money = asset(session, earlier.asset_code)
        if earlier.customer_id != caller or not _same_request(
            earlier, dispute_id, parse_amount(amount_text, money.scale, money.code)
        ):
            raise Conflict(
                _(
                    "This adjustment was already submitted with a different amount or dispute; nothing new was "
                    "posted. Reload the dispute to see it."
                )
            )
        return on_dispute(session, earlier, money)

    def attempt(uow: UnitOfWork) -> AdjustmentOnDispute:
        session, call = uow.session, uow.call
        agent = uow.acting(doing=N_("work on disputes"), gated=True, caller_locked_next=True)
        # The console names the caller; without one, the dispute's customer is the one the gate checks.
        caller = call.customer_id if call.customer_id is not None else dispute_by_id(session, dispute_id).customer_id
        uow.verified_caller(caller, fresh=True)
        # A save sent again (the key is already taken) is answered without queueing for the customer's
        # money lock: it changes nothing.
        earlier = session.scalar(_BY_KEY, {"key": key})
        if earlier is not None:
            return saved_before(session, earlier, caller)
        lock_customer(session, caller)
        # The dispute is read once its customer's money commands queue behind this one, with its
        # statement row (for the claim check) in the same round trip.
        found = session.execute(
            _DISPUTE_AND_ROW, {"dispute_id": dispute_id}, execution_options={"populate_existing": True}
        ).first()
        if found is None:
            raise NotFound(_("No such dispute."))
        dispute = found.Dispute
        if dispute.customer_id != caller:
            raise NotVerified(_(NOT_THIS_CALL))
        money = asset(session, dispute.asset_code)
        amount = parse_amount(amount_text, money.scale, money.code)
        # The key again and the 24-hour total, in one round trip.
        earlier_id, total = run(session, _KEY_AND_WINDOW, {"key": key, **_window(caller, money.code, call.now)}).one()
        if earlier_id is not None:
            earlier = session.get(Adjustment, earlier_id)
            assert earlier is not None
            return saved_before(session, earlier, caller)
        if dispute.status not in (DisputeStatus.OPEN, DisputeStatus.INVESTIGATING):
            raise Refused(
                _("This dispute is {status}; it cannot take a new adjustment.").format(
                    status=dispute_status_label(dispute.status).lower()
                )
            )
        too_much = over_the_claim(session, dispute, amount, money)
        if too_much is not None:
            raise InvalidInput(too_much)
        needs_approval = int(total or 0) + amount >= approval_threshold(approval_thresholds, money)
        # One below the threshold is inserted as applied, with the journal its entry is posted in
        # (`_apply` below), rather than inserted pending and changed at once.
        # Written on the driver and read back whole (RETURNING): the command only reads it from here on.
        adjustment: AdjustmentFacts = run(
            session,
            _NEW_ADJUSTMENT,
            {
                "dispute_id": dispute.id,
                "customer_id": dispute.customer_id,
                "asset_code": money.code,
                "amount": amount,
                "reason": reason,
                "status": ApprovalStatus.PENDING if needs_approval else ApprovalStatus.APPLIED,
                "journal_id": None if needs_approval else str(uuid.uuid4()),
                "requested_by_agent_id": agent.id,
                "requested_at": call.now,
                "idempotency_key": key,
                "version": 1,
            },
        ).one()
        shown = format_money(amount, money)
        proposed = (DisputeStatus.ADJUSTMENT_PROPOSED, f"{shown}: {reason}")
        if needs_approval:
            move_dispute(
                session,
                dispute,
                DisputeStatus.AWAITING_APPROVAL,
                agent,
                "Over the 24-hour threshold: waits for a supervisor.",
                call.now,
                amount=shown,
                by_way_of=proposed,
            )
            announce(session, ItemKind.ADJUSTMENT, adjustment.id)
        else:
            assert adjustment.journal_id is not None
            _apply(session, adjustment, dispute, agent, call.now, adjustment.journal_id, by_way_of=proposed)
        uow.note(
            call.ticket_id,
            f"Proposed an adjustment of {shown} on dispute D{dispute.id}"
            f" ({'awaiting approval' if needs_approval else 'posted'}): {reason}",
        )
        session.flush()
        uow.record(
            "adjustment.propose",
            "adjustment",
            adjustment.id,
            {
                "dispute": dispute.id,
                "amount": amount,
                "asset": money.code,
                "needs_approval": needs_approval,
            },
        )
        return on_dispute(session, adjustment, money)

    try:
        return run_command(sessions, call, attempt, stale=STALE_DISPUTE)
    except IntegrityError:
        # The same key raced in from another console; the first one stands.
        with sessions() as session:
            earlier = session.scalar(select(Adjustment).where(Adjustment.idempotency_key == key))
            if earlier is None:
                raise
            money = asset(session, earlier.asset_code)
            if not _same_request(earlier, dispute_id, parse_amount(amount_text, money.scale, money.code)):
                raise Conflict(_("This adjustment was already submitted with a different amount or dispute.")) from None
            return on_dispute(session, earlier, money)


def _pending_adjustment(session: Session, adjustment_id: int, expected_version: int) -> Adjustment:
    """The adjustment, still pending at the version the agent saw: read again once the customer's money
    lock is held (`_locked_adjustment`), as someone else may have decided it while this one waited."""
    adjustment = _locked_adjustment(session, adjustment_id)
    if adjustment.status != ApprovalStatus.PENDING:
        raise Refused(
            _("This adjustment is {DECIDED}; it is no longer waiting for a decision.").format(
                DECIDED=_(_DECIDED[adjustment.status])
            )
        )
    if adjustment.version != expected_version:
        money = asset(session, adjustment.asset_code)
        raise Conflict(
            _(
                "This adjustment changed after you opened it (it is now {format_money}): an approval holds "
                "only for what you saw. Review it again."
            ).format(format_money=format_money(adjustment.amount, money))
        )
    return adjustment


def _locked_adjustment(session: Session, adjustment_id: int) -> Adjustment:
    """The adjustment, after taking its customer's money lock (so it is read as it is now)."""
    adjustment = session.get(Adjustment, adjustment_id)
    if adjustment is None:
        raise NotFound(_("No such adjustment."))
    lock_customer(session, adjustment.customer_id)
    session.refresh(adjustment)
    return adjustment


def _decidable(session: Session, supervisor: ActingAgent, adjustment_id: int, expected_version: int) -> Adjustment:
    """A pending adjustment, at the version the supervisor reviewed, that they neither requested nor edited."""
    adjustment = _pending_adjustment(session, adjustment_id, expected_version)
    approvals.require_another_person(session, adjustment, supervisor)
    return adjustment


def edit_adjustment(
    sessions: sessionmaker[Session],
    call: OnCall,
    adjustment_id: int,
    expected_version: int,
    amount_text: str,
    reason: str,
) -> AdjustmentOnDispute:
    """Change an adjustment still waiting for approval; any approval given for the old one is void, and
    whoever changes it may no longer decide it."""
    reason = checked_text(reason, _("the reason for the adjustment"), 1_000)
    with unit_of_work(sessions, call, stale=STALE_DISPUTE) as uow:
        session = uow.session
        adjustment = _pending_adjustment(session, adjustment_id, expected_version)
        dispute = dispute_by_id(session, adjustment.dispute_id)
        agent = actor_for_dispute(uow, dispute, fresh=True)
        money = asset(session, adjustment.asset_code)
        amount = parse_amount(amount_text, money.scale, money.code)
        too_much = over_the_claim(session, dispute, amount, money)
        if too_much is not None:
            raise InvalidInput(too_much)
        before = adjustment.amount
        adjustment.amount, adjustment.reason = amount, reason
        adjustment.approved_by_agent_id = adjustment.approved_version = None
        approvals.record_edit(session, adjustment, agent, "the amount and reason", call.now)
        session.flush()
        changed = f"Adjustment changed from {format_money(before, money)} to {format_money(amount, money)}: {reason}"
        add_to_timeline(session, dispute, agent, call.now, (dispute.status, changed))
        uow.record("adjustment.edit", "adjustment", adjustment.id, {"from": before, "to": amount})
        return on_dispute(session, adjustment, money)


def _deciding(
    uow: UnitOfWork, adjustment_id: int, expected_version: int, doing: str
) -> tuple[Adjustment, Dispute, AssetView]:
    """The adjustment a supervisor decides, its dispute and asset: their password typed lately, still
    pending at the version they saw, and not one they proposed or changed."""
    require_fresh_password(uow.agent, uow.now, doing=doing)
    adjustment = _decidable(uow.session, uow.agent, adjustment_id, expected_version)
    return adjustment, dispute_by_id(uow.session, adjustment.dispute_id), asset(uow.session, adjustment.asset_code)


def _decision_note(uow: UnitOfWork, adjustment: Adjustment, dispute: Dispute, money: AssetView, what: str) -> None:
    """The decision on the call's ticket, where the agent who asked reads it."""
    shown = format_money(adjustment.amount, money)
    uow.note(dispute.ticket_id, f"Adjustment of {shown} on dispute D{dispute.id} {what}")


def approve_adjustment(
    sessions: sessionmaker[Session],
    actor: Actor,
    adjustment_id: int,
    expected_version: int,
    reason: str,
) -> AdjustmentView:
    """A supervisor other than the requester approves the version they reviewed; it is posted at once."""
    reason = checked_text(reason, _("the reason for the approval"), 1_000)

    def attempt(uow: UnitOfWork) -> AdjustmentView:
        session, supervisor = uow.session, uow.agent
        adjustment, dispute, money = _deciding(uow, adjustment_id, expected_version, "approve adjustments")
        # The claim may have been lowered since the adjustment was proposed.
        too_much = over_the_claim(session, dispute, adjustment.amount, money)
        if too_much is not None:
            raise Refused(
                _("{too_much} It cannot be approved as it is: have it edited, or turn it down.").format(
                    too_much=too_much
                )
            )
        # Applied in a new journal, approved at the version the supervisor reviewed: set before the
        # decision is announced, so the adjustment is written once.
        adjustment.approved_version = adjustment.version
        adjustment.status, adjustment.journal_id = ApprovalStatus.APPLIED, str(uuid.uuid4())
        approvals.record_decision(adjustment, supervisor, reason, actor.now)
        _apply(session, adjustment, dispute, supervisor, actor.now, adjustment.journal_id)
        _decision_note(uow, adjustment, dispute, money, f"approved by {supervisor.username} and posted: {reason}")
        session.flush()
        uow.record(
            "adjustment.approve",
            "adjustment",
            adjustment.id,
            {
                "dispute": dispute.id,
                "amount": adjustment.amount,
                "approved_version": adjustment.approved_version,
            },
        )
        return adjustment_view(session, adjustment, money)

    stale = N_("This adjustment changed while you were approving it; review it again.")
    return run_command(sessions, actor, attempt, *SUPERVISORS, doing=N_("approve adjustments"), stale=stale)


def reject_adjustment(
    sessions: sessionmaker[Session],
    actor: Actor,
    adjustment_id: int,
    expected_version: int,
    reason: str,
) -> AdjustmentView:
    """A supervisor turns an adjustment down; the dispute goes back to investigating."""
    reason = checked_text(reason, _("the reason for turning it down"), 1_000)
    stale = N_("This adjustment changed while you were deciding it; review it again.")
    with unit_of_work(sessions, actor, *SUPERVISORS, doing=N_("reject adjustments"), stale=stale) as uow:
        session, supervisor = uow.session, uow.agent
        adjustment, dispute, money = _deciding(uow, adjustment_id, expected_version, "turn adjustments down")
        approvals.decide(adjustment, supervisor, ApprovalStatus.REJECTED, reason, actor.now)
        # The customer hears that the dispute is still being investigated.
        move_dispute(
            session, dispute, DisputeStatus.INVESTIGATING, supervisor, f"Adjustment turned down: {reason}", actor.now
        )
        _decision_note(uow, adjustment, dispute, money, f"turned down by {supervisor.username}: {reason}")
        session.flush()
        uow.record("adjustment.reject", "adjustment", adjustment.id, {"dispute": dispute.id})
        return adjustment_view(session, adjustment, money)


def reverse_adjustment(
    sessions: sessionmaker[Session],
    actor: Actor,
    adjustment_id: int,
    reason: str,
) -> AdjustmentView:
    """Undo a posted adjustment with an opposite entry (once); the dispute goes back to investigating."""
    reason = checked_text(reason, _("the reason for the reversal"), 1_000)

    def attempt(uow: UnitOfWork) -> AdjustmentView:
        session, supervisor = uow.session, uow.agent
        # Taking money back out is a supervisor's decision like approving it: their password, lately.
        require_fresh_password(supervisor, uow.now, doing=N_("reverse an adjustment"))
        adjustment = _locked_adjustment(session, adjustment_id)
        if adjustment.status != ApprovalStatus.APPLIED:
            raise Refused(
                _("Only a posted adjustment can be reversed; this one is {value}.").format(
                    value=approval_status_label(adjustment.status).lower()
                )
            )
        dispute = dispute_by_id(session, adjustment.dispute_id)
        money = asset(session, adjustment.asset_code)
        post_entry(
            session,
            customer_id=adjustment.customer_id,
            asset_code=adjustment.asset_code,
            amount=-adjustment.amount,
            kind=EntryKind.REVERSAL,
            journal_id=str(uuid.uuid4()),
            now=actor.now,
            description=f"Reversal of adjustment {adjustment.id} (dispute D{dispute.id}): {reason}",
            idempotency_key=f"reversal:{adjustment.id}",
            agent_id=supervisor.id,
        )
        # Its statement line now says reversed, as a reversed payment does (the ledger keeps both entries).
        session.execute(
            update(Transaction)
            .where(Transaction.journal_id == adjustment.journal_id, Transaction.kind == TransactionKind.ADJUSTMENT)
            .values(status=TransactionStatus.REVERSED)
            .execution_options(synchronize_session=False)
        )
        adjustment.status = ApprovalStatus.VOID
        dispute.resolution_reason = None
        move_dispute(
            session,
            dispute,
            DisputeStatus.INVESTIGATING,
            supervisor,
            f"Adjustment of {format_money(adjustment.amount, money)} reversed: {reason}",
            actor.now,
        )
        session.flush()
        uow.record(
            "adjustment.reverse", "adjustment", adjustment.id, {"dispute": dispute.id, "amount": -adjustment.amount}
        )
        return adjustment_view(session, adjustment, money)

    return run_command(sessions, actor, attempt, *SUPERVISORS, doing=N_("reverse adjustments"))
