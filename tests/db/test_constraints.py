"""Rules the schema itself enforces, whatever code writes to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from console.db import Database
from console.services.agents import hash_password
from models import (
    Adjustment,
    Agent,
    Asset,
    Customer,
    CustomerStatus,
    Dispute,
    LedgerEntry,
    Role,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from models.money import EntryKind, PaymentMethod

_HASH = hash_password("irrelevant-password")


def _world(database: Database) -> dict[str, int]:
    with database.sessions.begin() as session:
        session.add(Asset(code="CNY", name="Chinese yuan", scale=2))
        requester = Agent(username="ann", display_name="Ann", role=Role.AGENT, password_hash=_HASH)
        supervisor = Agent(username="sam", display_name="Sam", role=Role.SUPERVISOR, password_hash=_HASH)
        customer = Customer(
            account_number="OK00000001",
            full_name="李娜",
            name_pinyin="lina",
            name_initials="ln",
            region="CN",
            status=CustomerStatus.ACTIVE,
        )
        session.add_all([requester, supervisor, customer])
        session.flush()
        charge = Transaction(
            customer_id=customer.id,
            asset_code="CNY",
            kind=TransactionKind.WITHDRAWAL,
            method=PaymentMethod.BANK_TRANSFER,
            status=TransactionStatus.COMPLETED,
            amount=10_000,
            fee=500,
            reference="W-1",
        )
        session.add(charge)
        session.flush()
        dispute = Dispute(
            customer_id=customer.id,
            transaction_id=charge.id,
            opened_by_agent_id=requester.id,
            asset_code="CNY",
            claimed_amount=300,
            description="fee too high",
        )
        session.add(dispute)
        session.flush()
        return {
            "requester": requester.id,
            "supervisor": supervisor.id,
            "customer": customer.id,
            "dispute": dispute.id,
        }


def _adjustment(ids: dict[str, int], approver: int | None, key: str) -> Adjustment:
    return Adjustment(
        dispute_id=ids["dispute"],
        customer_id=ids["customer"],
        asset_code="CNY",
        amount=300,
        reason="fee charged twice",
        requested_by_agent_id=ids["requester"],
        approved_by_agent_id=approver,
        idempotency_key=key,
    )


def test_adjustment_approver_must_differ_from_requester(database: Database) -> None:
    ids = _world(database)
    with (
        pytest.raises(IntegrityError, match="approver_differs_from_requester"),
        database.sessions.begin() as session,
    ):
        session.add(_adjustment(ids, approver=ids["requester"], key="adj-1"))
    with database.sessions.begin() as session:
        session.add(_adjustment(ids, approver=ids["supervisor"], key="adj-2"))


def test_adjustment_idempotency_key_is_unique(database: Database) -> None:
    ids = _world(database)
    with database.sessions.begin() as session:
        session.add(_adjustment(ids, approver=None, key="same-key"))
    with pytest.raises(IntegrityError), database.sessions.begin() as session:
        session.add(_adjustment(ids, approver=None, key="same-key"))


def test_ledger_idempotency_key_is_unique(database: Database) -> None:
    ids = _world(database)

    def entry() -> LedgerEntry:
        return LedgerEntry(
            journal_id="j",
            customer_id=ids["customer"],
            asset_code="CNY",
            amount=1,
            kind=EntryKind.ADJUSTMENT,
            description="x",
            idempotency_key="k-1",
        )

    with database.sessions.begin() as session:
        session.add(entry())
    with pytest.raises(IntegrityError), database.sessions.begin() as session:
        session.add(entry())


def test_a_locked_customer_needs_a_lock_reason(database: Database) -> None:
    _world(database)
    with pytest.raises(IntegrityError, match="lock_reason_iff_locked"), database.sessions.begin() as session:
        session.add(
            Customer(
                account_number="OK00000002",
                full_name="Ann Lee",
                name_pinyin="annlee",
                name_initials="al",
                region="SG",
                status=CustomerStatus.LOCKED,
                locked_at=datetime.now(UTC),
            )
        )


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError), database.sessions.begin() as session:
        session.add(
            LedgerEntry(
                journal_id="j",
                customer_id=999_999,
                asset_code="XXX",
                amount=1,
                kind=EntryKind.DEPOSIT,
                description="orphan",
            )
        )


def test_enum_columns_refuse_unknown_values(database: Database) -> None:
    from sqlalchemy import text

    _world(database)
    with pytest.raises(IntegrityError), database.sessions.begin() as session:
        session.execute(text("UPDATE customers SET status = 'frozen'"))


def test_timestamps_come_back_in_utc(database: Database) -> None:
    ids = _world(database)
    with database.sessions() as session:
        customer = session.get(Customer, ids["customer"])
        assert customer is not None and customer.created_at.tzinfo is not None
        assert customer.created_at.utcoffset().total_seconds() == 0


def test_naive_datetimes_are_refused(database: Database) -> None:
    _world(database)
    with pytest.raises(Exception, match="naive datetime"), database.sessions.begin() as session:
        session.add(
            Customer(
                account_number="OK00000003",
                full_name="Naive",
                name_pinyin="naive",
                name_initials="n",
                region="SG",
                created_at=datetime(2026, 1, 1),
            )
        )
