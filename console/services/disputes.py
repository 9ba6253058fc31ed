"""Statement disputes and the adjustments that settle them: open, investigate, reject, propose a
compensating ledger entry, and the supervisor's approval of large ones.

The rules (DESIGN.md "Actions and approvals"): an adjustment is a new ledger entry, never an edit;
one that brings the customer's last 24 hours of adjustments in that asset to the threshold waits for
a supervisor who is not the requester; an approval holds only for the version the approver saw;
every money command carries an idempotency key; the customer hears of every status change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from console.services import approvals
from console.services.actors import SUPERVISORS, active_agent, require_enabled, usernames
from console.services.errors import Conflict, InvalidInput, NotFound, Refused
from console.services.free_text import free_text
from console.services.gate import NotVerified
from console.services.labels import DISPUTE_STATUS_LABELS
from console.services.money import (
    AssetView,
    asset,
    format_amount,
    format_money,
    lock_customer,
    parse_amount,
    post_entry,
)
from console.services.outbox import notify_customer
from console.services.unit_of_work import UnitOfWork, run_command, unit_of_work
from models import (
    Adjustment,
    Agent,
    ApprovalStatus,
    Customer,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EntryKind,
    Role,
    TicketNote,
    Transaction,
)

APPROVAL_WINDOW = timedelta(hours=24)
MAX_DESCRIPTION = 2_000
MAX_KEY_LENGTH = 64

# What an edit of a dispute changed, in the words an adjustment's record of edits uses.
_DISPUTE_FIELDS = {"claimed": "the dispute's claim", "description": "the dispute's description"}
_SETTLED = (DisputeStatus.ADJUSTED, DisputeStatus.REJECTED)
# Adjustments that count towards the 24-hour threshold: everything not turned down or undone.
_COUNTED = (ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.APPLIED)

_DECIDED = {
    ApprovalStatus.APPROVED: "approved",
    ApprovalStatus.APPLIED: "already posted",
    ApprovalStatus.REJECTED: "turned down",
    ApprovalStatus.VOID: "void",
}

# What the customer is told at each status change (Chinese first, then English).
_CUSTOMER_NOTICES = {
    DisputeStatus.OPEN: (
        "您对 {what} 的争议已受理（编号 {number}），我们会尽快调查。",
        "We have opened dispute {number} about {what} and will look into it.",
    ),
    DisputeStatus.INVESTIGATING: ("您的争议 {number} 正在调查中。", "Dispute {number} is under investigation."),
    DisputeStatus.AWAITING_APPROVAL: (
        "争议 {number}：拟调整 {amount}，正在等待主管审批。",
        "Dispute {number}: an adjustment of {amount} is awaiting approval.",
    ),
    DisputeStatus.ADJUSTED: (
        "争议 {number}：已向您的账户调整 {amount}。",
        "Dispute {number}: {amount} has been adjusted to your account.",
    ),
    DisputeStatus.REJECTED: (
        "争议 {number} 已结案，未作调整：{reason}",
        "Dispute {number} is closed without an adjustment: {reason}",
    ),
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
        return self.status in {status.value for status in _SETTLED}


# --- reading ---------------------------------------------------------------------------------


def _adjustment_view(session: Session, adjustment: Adjustment, money: AssetView) -> AdjustmentView:
    who = approvals.people(session, adjustment)
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


def _dispute_view(session: Session, dispute: Dispute) -> DisputeView:
    money = asset(session, dispute.asset_code)
    transaction = session.get(Transaction, dispute.transaction_id)
    assert transaction is not None  # a foreign key
    actor = aliased(Agent)
    events = session.execute(
        select(DisputeEvent, actor.username)
        .outerjoin(actor, actor.id == DisputeEvent.agent_id)
        .where(DisputeEvent.dispute_id == dispute.id)
        .order_by(DisputeEvent.occurred_at, DisputeEvent.id)
    ).all()
    adjustments = session.scalars(
        select(Adjustment).where(Adjustment.dispute_id == dispute.id).order_by(Adjustment.requested_at, Adjustment.id)
    ).all()
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
        status_label=DISPUTE_STATUS_LABELS[dispute.status],
        opened_at=dispute.opened_at,
        opened_by=usernames(session, dispute.opened_by_agent_id)[dispute.opened_by_agent_id],
        resolution_reason=dispute.resolution_reason,
        version=dispute.version,
        timeline=tuple(
            DisputeEventView(
                event.status.value, DISPUTE_STATUS_LABELS[event.status], event.occurred_at, username, event.note
            )
            for event, username in events
        ),
        adjustments=tuple(_adjustment_view(session, adjustment, money) for adjustment in adjustments),
    )


def caller_disputes(
    sessions: sessionmaker[Session], ticket_id: int, agent_id: int, customer_id: int, now: datetime
) -> list[DisputeView]:
    """The verified caller's disputes, unsettled first, each with its timeline and adjustments."""
    with unit_of_work(sessions, agent_id, now, doing="see disputes") as uow:
        session = uow.session
        uow.verified_caller(ticket_id, customer_id)
        disputes = session.scalars(
            select(Dispute)
            .where(Dispute.customer_id == customer_id)
            .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
        ).all()
        views = [_dispute_view(session, dispute) for dispute in disputes]
    return sorted(views, key=lambda view: view.settled)


def dispute_for_supervisor(sessions: sessionmaker[Session], supervisor_id: int, dispute_id: int) -> DisputeView:
    """One dispute as the supervisor reviewing it sees it (no call needed: they are not on one)."""
    with sessions() as session:
        active_agent(session, supervisor_id, *SUPERVISORS, doing="review disputes away from a call")
        return _dispute_view(session, _dispute(session, dispute_id))


def pending_adjustments(sessions: sessionmaker[Session], supervisor_id: int) -> list[AdjustmentView]:
    """Adjustments waiting for a supervisor, oldest first (the escalation queue)."""
    with sessions() as session:
        require_enabled(session, supervisor_id, *SUPERVISORS, doing="see the escalation queue")
        rows = session.scalars(
            select(Adjustment)
            .where(Adjustment.status == ApprovalStatus.PENDING)
            .order_by(Adjustment.requested_at, Adjustment.id)
        ).all()
        return [_adjustment_view(session, row, asset(session, row.asset_code)) for row in rows]


# --- changing a dispute ----------------------------------------------------------------------


def _dispute(session: Session, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("No such dispute.")
    return dispute


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def _actor_for_dispute(uow: UnitOfWork, dispute: Dispute, ticket_id: int | None, *, fresh: bool = False) -> Agent:
    """An agent acts on a dispute on a call with its verified customer; a supervisor may also act
    away from a call (reviewing the case), except where the rule needs a fresh factor."""
    agent = uow.acting(doing="work on disputes")
    if ticket_id is not None or fresh or agent.role == Role.AGENT:
        if ticket_id is None:
            raise NotVerified("Caller not verified: work on a dispute from the call with its customer.")
        uow.verified_caller(ticket_id, dispute.customer_id, fresh=fresh)
    return agent


def _check_version(dispute: Dispute, expected_version: int) -> None:
    if dispute.version != expected_version:
        raise Conflict(_STALE)


def _text(value: str, what: str, limit: int = MAX_DESCRIPTION) -> str:
    value = free_text(value).strip()
    if not value:
        raise InvalidInput(f"Enter {what}.")
    if len(value) > limit:
        raise InvalidInput(f"{what[0].upper()}{what[1:]} can be at most {limit:,} characters.")
    return value


def _move(
    session: Session,
    dispute: Dispute,
    status: DisputeStatus,
    agent: Agent | None,
    note: str | None,
    now: datetime,
    *,
    amount: str = "",
    notify: bool = True,
) -> None:
    """Set the status, add it to the timeline, and tell the customer."""
    dispute.status = status
    dispute.updated_at = now
    session.add(
        DisputeEvent(
            dispute_id=dispute.id, status=status, agent_id=agent.id if agent else None, note=note, occurred_at=now
        )
    )
    notice = _CUSTOMER_NOTICES.get(status)
    if notify and notice is not None:
        transaction = session.get(Transaction, dispute.transaction_id)
        assert transaction is not None
        words = {
            "number": f"D{dispute.id}",
            "what": f"{transaction.reference}",
            "amount": amount,
            "reason": dispute.resolution_reason or "",
        }
        body = " ".join(part.format(**words) for part in notice)
        notify_customer(
            session,
            _customer(session, dispute.customer_id),
            kind="dispute",
            body=f"【OK钱包】{body}",
            now=now,
            subject="OK Wallet dispute update",
        )


def _claim_on_row(session: Session, transaction: Transaction, claimed_amount_text: str) -> int:
    """The claim typed for a statement row, in minor units. The one place that holds the rule that a
    claim never exceeds its row with its fee: opening a dispute and editing its claim both come here."""
    money = asset(session, transaction.asset_code)
    claimed = parse_amount(claimed_amount_text, money.scale, money.code)
    row = transaction.amount + transaction.fee
    if claimed > row:
        raise InvalidInput(
            f"The claim ({format_money(claimed, money)}) is more than the statement row"
            f" ({format_money(row, money)} with its fee)."
        )
    return claimed


def _over_the_claim(session: Session, dispute: Dispute, amount: int, money: AssetView) -> str | None:
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


_STALE = "Someone else saved this dispute first; what you typed is kept. Review their change, then save again."


def open_dispute(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    customer_id: int,
    transaction_id: int,
    claimed_amount_text: str,
    description: str,
    now: datetime,
) -> DisputeView:
    """Open a dispute about one statement row, for the verified caller, with what they claim and why."""
    description = _text(description, "what the caller says is wrong")
    with unit_of_work(sessions, agent_id, now, doing="open disputes", stale=_STALE) as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller(ticket_id, customer_id)
        transaction = session.get(Transaction, transaction_id)
        if transaction is None or transaction.customer_id != customer_id:
            raise NotFound("That statement row is not this caller's.")
        money = asset(session, transaction.asset_code)
        claimed = _claim_on_row(session, transaction, claimed_amount_text)
        unsettled = session.scalar(
            select(Dispute.id).where(Dispute.transaction_id == transaction_id, Dispute.status.not_in(_SETTLED))
        )
        if unsettled is not None:
            raise Conflict(f"Dispute D{unsettled} about this statement row is still open; add to that one.")
        dispute = Dispute(
            customer_id=customer_id,
            transaction_id=transaction_id,
            ticket_id=ticket_id,
            opened_by_agent_id=agent.id,
            asset_code=money.code,
            claimed_amount=claimed,
            description=description,
            status=DisputeStatus.OPEN,
            opened_at=now,
            updated_at=now,
        )
        session.add(dispute)
        session.flush()
        _move(session, dispute, DisputeStatus.OPEN, agent, "Opened on the call.", now)
        session.add(
            TicketNote(
                ticket_id=ticket_id,
                agent_id=agent.id,
                created_at=now,
                body=f"Opened dispute D{dispute.id} about {transaction.reference}:"
                f" claims {format_money(claimed, money)}. {description}",
            )
        )
        uow.record(
            "dispute.open",
            "dispute",
            dispute.id,
            {"ticket": ticket_id, "transaction": transaction_id, "claimed": claimed},
        )
        session.flush()
        return _dispute_view(session, dispute)


def update_dispute(
    sessions: sessionmaker[Session],
    agent_id: int,
    dispute_id: int,
    expected_version: int,
    now: datetime,
    *,
    ticket_id: int | None = None,
    claimed_amount_text: str | None = None,
    description: str | None = None,
) -> DisputeView:
    """Correct the claim or the description. Refused if someone saved the dispute since it was loaded.

    A pending adjustment is decided on what the dispute says, so whoever changes it here becomes an
    editor of that adjustment: they may not decide it, and an approval of the earlier version is void.
    """
    with unit_of_work(sessions, agent_id, now, stale=_STALE) as uow:
        session = uow.session
        dispute = _dispute(session, dispute_id)
        agent = _actor_for_dispute(uow, dispute, ticket_id)
        # Queue behind a decision on this customer's money, then look at the dispute as it is now.
        lock_customer(session, dispute.customer_id)
        session.refresh(dispute)
        _check_version(dispute, expected_version)
        if dispute.status in _SETTLED:
            raise Refused("This dispute is settled; open a new one if the caller still disagrees.")
        changes: dict[str, object] = {}
        if claimed_amount_text is not None:
            transaction = session.get(Transaction, dispute.transaction_id)
            assert transaction is not None  # a foreign key
            claimed = _claim_on_row(session, transaction, claimed_amount_text)
            if claimed != dispute.claimed_amount:
                dispute.claimed_amount, changes["claimed"] = claimed, claimed
        if description is not None:
            text = _text(description, "what the caller says is wrong")
            if text != dispute.description:
                dispute.description, changes["description"] = text, True
        if changes:
            dispute.updated_at = now
            session.flush()
            what = " and ".join(words for key, words in _DISPUTE_FIELDS.items() if key in changes)
            for pending in session.scalars(
                select(Adjustment).where(
                    Adjustment.dispute_id == dispute.id, Adjustment.status == ApprovalStatus.PENDING
                )
            ):
                approvals.record_edit(session, pending, agent, what, now)
            uow.record("dispute.update", "dispute", dispute.id, changes)
        return _dispute_view(session, dispute)


def start_investigation(
    sessions: sessionmaker[Session],
    agent_id: int,
    dispute_id: int,
    expected_version: int,
    note: str,
    now: datetime,
    *,
    ticket_id: int | None = None,
) -> DisputeView:
    """Open -> investigating, with what is being checked."""
    note = _text(note, "what is being checked")
    with unit_of_work(sessions, agent_id, now, stale=_STALE) as uow:
        session = uow.session
        dispute = _dispute(session, dispute_id)
        agent = _actor_for_dispute(uow, dispute, ticket_id)
        _check_version(dispute, expected_version)
        if dispute.status != DisputeStatus.OPEN:
            raise Refused(f"This dispute is {DISPUTE_STATUS_LABELS[dispute.status].lower()}, not open.")
        _move(session, dispute, DisputeStatus.INVESTIGATING, agent, note, now)
        session.flush()
        uow.record("dispute.investigate", "dispute", dispute.id)
        return _dispute_view(session, dispute)


def reject_dispute(
    sessions: sessionmaker[Session],
    agent_id: int,
    dispute_id: int,
    expected_version: int,
    reason: str,
    now: datetime,
    *,
    ticket_id: int | None = None,
) -> DisputeView:
    """Close the dispute without moving money, saying why; a pending adjustment is turned down with it."""
    reason = _text(reason, "why the dispute is rejected", 1_000)
    with unit_of_work(sessions, agent_id, now, stale=_STALE) as uow:
        session = uow.session
        dispute = _dispute(session, dispute_id)
        agent = _actor_for_dispute(uow, dispute, ticket_id)
        _check_version(dispute, expected_version)
        if dispute.status in _SETTLED:
            raise Refused("This dispute is already settled.")
        for pending in session.scalars(
            select(Adjustment).where(Adjustment.dispute_id == dispute.id, Adjustment.status == ApprovalStatus.PENDING)
        ):
            pending.status, pending.decided_at, pending.decision_reason = (
                ApprovalStatus.VOID,
                now,
                "Dispute rejected.",
            )
        dispute.resolution_reason = reason
        _move(session, dispute, DisputeStatus.REJECTED, agent, reason, now)
        session.flush()
        uow.record("dispute.reject", "dispute", dispute.id)
        return _dispute_view(session, dispute)


# --- adjustments -----------------------------------------------------------------------------


def approval_threshold(thresholds: Mapping[str, str], money: AssetView) -> int:
    """The threshold for one asset in minor units; an asset with none configured always needs approval."""
    configured = thresholds.get(money.code)
    if configured is None:
        return 0
    return parse_amount(configured, money.scale, money.code, allow_zero=True)


def adjusted_in_window(session: Session, customer_id: int, asset_code: str, now: datetime) -> int:
    """What the customer's adjustments in this asset add up to over the last 24 hours (by size)."""
    total = session.scalar(
        select(func.coalesce(func.sum(func.abs(Adjustment.amount)), 0)).where(
            Adjustment.customer_id == customer_id,
            Adjustment.asset_code == asset_code,
            Adjustment.requested_at > now - APPROVAL_WINDOW,
            Adjustment.status.in_(_COUNTED),
        )
    )
    return int(total or 0)


def _apply(session: Session, adjustment: Adjustment, dispute: Dispute, agent: Agent, now: datetime) -> None:
    """Post the compensating entry (the original row is never touched) and settle the dispute."""
    money = asset(session, adjustment.asset_code)
    journal = str(uuid.uuid4())
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
    adjustment.status = ApprovalStatus.APPLIED
    adjustment.journal_id = journal
    dispute.resolution_reason = adjustment.reason
    _move(
        session,
        dispute,
        DisputeStatus.ADJUSTED,
        agent,
        f"{format_money(adjustment.amount, money)} posted.",
        now,
        amount=format_money(adjustment.amount, money),
    )


def _same_request(adjustment: Adjustment, dispute_id: int, amount: int) -> bool:
    return adjustment.dispute_id == dispute_id and adjustment.amount == amount


def propose_adjustment(
    sessions: sessionmaker[Session],
    approval_thresholds: Mapping[str, str],
    ticket_id: int,
    agent_id: int,
    dispute_id: int,
    amount_text: str,
    reason: str,
    idempotency_key: str,
    now: datetime,
) -> AdjustmentView:
    """Credit the customer for a dispute: applied at once below the threshold, else left for approval.

    The same idempotency key again returns the first adjustment (one entry however often the agent
    presses save); the same key with a different amount is refused.
    """
    reason = _text(reason, "the reason for the adjustment", 1_000)
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"An adjustment needs an idempotency key of 1 to {MAX_KEY_LENGTH} characters.")

    def attempt(uow: UnitOfWork) -> AdjustmentView:
        session = uow.session
        dispute = _dispute(session, dispute_id)
        agent = _actor_for_dispute(uow, dispute, ticket_id, fresh=True)
        money = asset(session, dispute.asset_code)
        amount = parse_amount(amount_text, money.scale, money.code)
        lock_customer(session, dispute.customer_id)
        session.refresh(dispute)  # as it is now that this customer's money commands queue behind us
        earlier = session.scalar(select(Adjustment).where(Adjustment.idempotency_key == key))
        if earlier is not None:
            if not _same_request(earlier, dispute.id, amount):
                raise Conflict(
                    "This adjustment was already submitted with a different amount or dispute;"
                    " nothing new was posted. Reload the dispute to see it."
                )
            return _adjustment_view(session, earlier, money)
        if dispute.status not in (DisputeStatus.OPEN, DisputeStatus.INVESTIGATING):
            raise Refused(
                f"This dispute is {DISPUTE_STATUS_LABELS[dispute.status].lower()}; it cannot take a new adjustment."
            )
        too_much = _over_the_claim(session, dispute, amount, money)
        if too_much is not None:
            raise InvalidInput(too_much)
        needs_approval = adjusted_in_window(session, dispute.customer_id, money.code, now) + amount >= (
            approval_threshold(approval_thresholds, money)
        )
        adjustment = Adjustment(
            dispute_id=dispute.id,
            customer_id=dispute.customer_id,
            asset_code=money.code,
            amount=amount,
            reason=reason,
            status=ApprovalStatus.PENDING,
            requested_by_agent_id=agent.id,
            requested_at=now,
            idempotency_key=key,
        )
        session.add(adjustment)
        session.flush()
        shown = format_money(amount, money)
        _move(session, dispute, DisputeStatus.ADJUSTMENT_PROPOSED, agent, f"{shown}: {reason}", now, notify=False)
        if needs_approval:
            _move(
                session,
                dispute,
                DisputeStatus.AWAITING_APPROVAL,
                agent,
                "Over the 24-hour threshold: waits for a supervisor.",
                now,
                amount=shown,
            )
        else:
            _apply(session, adjustment, dispute, agent, now)
        session.add(
            TicketNote(
                ticket_id=ticket_id,
                agent_id=agent.id,
                created_at=now,
                body=f"Proposed an adjustment of {shown} on dispute D{dispute.id}"
                f" ({'awaiting approval' if needs_approval else 'posted'}): {reason}",
            )
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
        return _adjustment_view(session, adjustment, money)

    try:
        return run_command(sessions, agent_id, now, attempt, stale=_STALE)
    except IntegrityError:
        # The same key raced in from another console; the first one stands.
        with sessions() as session:
            earlier = session.scalar(select(Adjustment).where(Adjustment.idempotency_key == key))
            if earlier is None:
                raise
            money = asset(session, earlier.asset_code)
            if not _same_request(earlier, dispute_id, parse_amount(amount_text, money.scale, money.code)):
                raise Conflict("This adjustment was already submitted with a different amount or dispute.") from None
            return _adjustment_view(session, earlier, money)


def _pending_adjustment(session: Session, adjustment_id: int, expected_version: int) -> Adjustment:
    # Re-read: the caller may have waited on the customer's lock while someone else decided it.
    adjustment = session.get(Adjustment, adjustment_id, populate_existing=True)
    if adjustment is None:
        raise NotFound("No such adjustment.")
    if adjustment.status != ApprovalStatus.PENDING:
        raise Refused(f"This adjustment is {_DECIDED[adjustment.status]}; it is no longer waiting for a decision.")
    if adjustment.version != expected_version:
        money = asset(session, adjustment.asset_code)
        raise Conflict(
            f"This adjustment changed after you opened it (it is now {format_money(adjustment.amount, money)}):"
            " an approval holds only for what you saw. Review it again."
        )
    return adjustment


def _locked_adjustment(session: Session, adjustment_id: int) -> Adjustment:
    """The adjustment, after taking its customer's money lock (so it is read as it is now)."""
    adjustment = session.get(Adjustment, adjustment_id)
    if adjustment is None:
        raise NotFound("No such adjustment.")
    lock_customer(session, adjustment.customer_id)
    session.refresh(adjustment)
    return adjustment


def _decidable(session: Session, supervisor: Agent, adjustment_id: int, expected_version: int) -> Adjustment:
    """A pending adjustment, at the version the supervisor reviewed, that they neither requested nor edited."""
    _locked_adjustment(session, adjustment_id)
    adjustment = _pending_adjustment(session, adjustment_id, expected_version)
    approvals.require_another_person(session, adjustment, supervisor)
    return adjustment


def edit_adjustment(
    sessions: sessionmaker[Session],
    ticket_id: int,
    agent_id: int,
    adjustment_id: int,
    expected_version: int,
    amount_text: str,
    reason: str,
    now: datetime,
) -> AdjustmentView:
    """Change an adjustment still waiting for approval; any approval given for the old one is void, and
    whoever changes it may no longer decide it."""
    reason = _text(reason, "the reason for the adjustment", 1_000)
    with unit_of_work(sessions, agent_id, now, stale=_STALE) as uow:
        session = uow.session
        _locked_adjustment(session, adjustment_id)
        adjustment = _pending_adjustment(session, adjustment_id, expected_version)
        dispute = _dispute(session, adjustment.dispute_id)
        agent = _actor_for_dispute(uow, dispute, ticket_id, fresh=True)
        money = asset(session, adjustment.asset_code)
        amount = parse_amount(amount_text, money.scale, money.code)
        too_much = _over_the_claim(session, dispute, amount, money)
        if too_much is not None:
            raise InvalidInput(too_much)
        before = adjustment.amount
        adjustment.amount, adjustment.reason = amount, reason
        adjustment.approved_by_agent_id = adjustment.approved_version = None
        approvals.record_edit(session, adjustment, agent, "the amount and reason", now)
        session.flush()
        session.add(
            DisputeEvent(
                dispute_id=dispute.id,
                status=dispute.status,
                agent_id=agent.id,
                occurred_at=now,
                note=f"Adjustment changed from {format_money(before, money)} to"
                f" {format_money(amount, money)}: {reason}",
            )
        )
        uow.record("adjustment.edit", "adjustment", adjustment.id, {"from": before, "to": amount})
        return _adjustment_view(session, adjustment, money)


def approve_adjustment(
    sessions: sessionmaker[Session],
    supervisor_id: int,
    adjustment_id: int,
    expected_version: int,
    reason: str,
    now: datetime,
) -> AdjustmentView:
    """A supervisor other than the requester approves the version they reviewed; it is posted at once."""
    reason = _text(reason, "the reason for the approval", 1_000)

    def attempt(uow: UnitOfWork) -> AdjustmentView:
        session, supervisor = uow.session, uow.agent
        adjustment = _decidable(session, supervisor, adjustment_id, expected_version)
        dispute = _dispute(session, adjustment.dispute_id)
        money = asset(session, adjustment.asset_code)
        # The claim may have been lowered since the adjustment was proposed.
        too_much = _over_the_claim(session, dispute, adjustment.amount, money)
        if too_much is not None:
            raise Refused(f"{too_much} It cannot be approved as it is: have it edited, or turn it down.")
        approvals.record_decision(adjustment, supervisor, reason, now)
        adjustment.approved_version = adjustment.version
        _apply(session, adjustment, dispute, supervisor, now)
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
        return _adjustment_view(session, adjustment, asset(session, adjustment.asset_code))

    stale = "This adjustment changed while you were approving it; review it again."
    return run_command(sessions, supervisor_id, now, attempt, *SUPERVISORS, doing="approve adjustments", stale=stale)


def reject_adjustment(
    sessions: sessionmaker[Session],
    supervisor_id: int,
    adjustment_id: int,
    expected_version: int,
    reason: str,
    now: datetime,
) -> AdjustmentView:
    """A supervisor turns an adjustment down; the dispute goes back to investigating."""
    reason = _text(reason, "the reason for turning it down", 1_000)
    stale = "This adjustment changed while you were deciding it; review it again."
    with unit_of_work(sessions, supervisor_id, now, *SUPERVISORS, doing="reject adjustments", stale=stale) as uow:
        session, supervisor = uow.session, uow.agent
        adjustment = _decidable(session, supervisor, adjustment_id, expected_version)
        dispute = _dispute(session, adjustment.dispute_id)
        adjustment.status = ApprovalStatus.REJECTED
        approvals.record_decision(adjustment, supervisor, reason, now)
        _move(session, dispute, DisputeStatus.INVESTIGATING, supervisor, f"Adjustment turned down: {reason}", now)
        session.flush()
        uow.record("adjustment.reject", "adjustment", adjustment.id, {"dispute": dispute.id})
        return _adjustment_view(session, adjustment, asset(session, adjustment.asset_code))


def reverse_adjustment(
    sessions: sessionmaker[Session], supervisor_id: int, adjustment_id: int, reason: str, now: datetime
) -> AdjustmentView:
    """Undo a posted adjustment with an opposite entry (once); the dispute goes back to investigating."""
    reason = _text(reason, "the reason for the reversal", 1_000)

    def attempt(uow: UnitOfWork) -> AdjustmentView:
        session, supervisor = uow.session, uow.agent
        adjustment = _locked_adjustment(session, adjustment_id)
        if adjustment.status != ApprovalStatus.APPLIED:
            raise Refused(f"Only a posted adjustment can be reversed; this one is {adjustment.status.value}.")
        dispute = _dispute(session, adjustment.dispute_id)
        money = asset(session, adjustment.asset_code)
        post_entry(
            session,
            customer_id=adjustment.customer_id,
            asset_code=adjustment.asset_code,
            amount=-adjustment.amount,
            kind=EntryKind.REVERSAL,
            journal_id=str(uuid.uuid4()),
            now=now,
            description=f"Reversal of adjustment {adjustment.id} (dispute D{dispute.id}): {reason}",
            idempotency_key=f"reversal:{adjustment.id}",
            agent_id=supervisor.id,
        )
        adjustment.status = ApprovalStatus.VOID
        dispute.resolution_reason = None
        _move(
            session,
            dispute,
            DisputeStatus.INVESTIGATING,
            supervisor,
            f"Adjustment of {format_money(adjustment.amount, money)} reversed: {reason}",
            now,
        )
        session.flush()
        uow.record(
            "adjustment.reverse", "adjustment", adjustment.id, {"dispute": dispute.id, "amount": -adjustment.amount}
        )
        return _adjustment_view(session, adjustment, money)

    return run_command(sessions, supervisor_id, now, attempt, *SUPERVISORS, doing="reverse adjustments")
