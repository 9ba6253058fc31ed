"""Statement rows and their ledger entries for hand-made customers; each balance equals its ledger."""

from __future__ import annotations

import random
import string
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from console.seed.catalog import fee_rule
from console.services.money import post_entry
from models import (
    Customer,
    Direction,
    EntryKind,
    PaymentMethod,
    Transaction,
    TransactionKind,
    TransactionStatus,
)

BANKS = {
    "CNY": ("ICBC", "China Construction Bank", "Bank of China", "China Merchants Bank"),
    "USD": ("HSBC Hong Kong", "DBS Bank", "OCBC Bank", "Standard Chartered", "Citibank N.A."),
}
CARDS = ("Visa", "Mastercard", "UnionPay")
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "023456789acdefghjklmnpqrstuvwxyz"


class StatementWriter:
    """Writes deposits, withdrawals, transfers and fees the way the wallet books them.

    Every movement is a ledger entry posted by `money.post_entry`, the one way the wallet moves money,
    which keeps the balance in step. A running tally answers `balance` without a query, for the
    seed's own choices, and refuses to overdraw.
    """

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session = session
        self.rng = rng
        self._balances: dict[tuple[int, str], int] = {}

    def balance(self, customer: Customer, asset: str) -> int:
        return self._balances.get((customer.id, asset), 0)

    def open_holding(self, customer: Customer, asset: str, amount: int) -> None:
        at = customer.created_at + timedelta(hours=1)
        self._entry(customer, asset, amount, EntryKind.OPENING, "Opening balance", at, self._journal())

    def deposit(
        self,
        customer: Customer,
        asset: str,
        method: PaymentMethod,
        amount: int,
        at: datetime,
        status: TransactionStatus = TransactionStatus.COMPLETED,
        counterparty: str | None = None,
    ) -> Transaction:
        rule = fee_rule(method, asset, Direction.DEPOSIT)
        fee = rule.fee_for(amount)
        journal = None
        # A deposit reaches the balance only once it completes.
        if status is TransactionStatus.COMPLETED:
            journal = self._journal()
            description = f"Deposit by {method.value.replace('_', ' ')}"
            self._entry(customer, asset, amount, EntryKind.DEPOSIT, description, at, journal)
            self._entry(customer, asset, -fee, EntryKind.FEE, "Deposit fee", at, journal)
        return self._add(
            customer,
            asset,
            TransactionKind.DEPOSIT,
            method,
            status,
            amount,
            fee,
            self._reference("DP", at),
            at,
            counterparty or self.source(asset, method),
            journal,
            completed_at=_completed_at(status, at, rule.expected_hours),
        )

    def withdraw(
        self,
        customer: Customer,
        asset: str,
        method: PaymentMethod,
        amount: int,
        at: datetime,
        status: TransactionStatus = TransactionStatus.COMPLETED,
        fee: int | None = None,
        expected_by: datetime | None = None,
    ) -> Transaction:
        rule = fee_rule(method, asset, Direction.WITHDRAWAL)
        fee = rule.fee_for(amount) if fee is None else fee
        destination = self.source(asset, method)
        journal = None
        # Funds leave the balance when the withdrawal is accepted, not when the bank pays out;
        # a failed one was refused before anything moved.
        if status is not TransactionStatus.FAILED:
            journal = self._journal()
            description = f"Withdrawal to {destination}"
            self._entry(customer, asset, -amount, EntryKind.WITHDRAWAL, description, at, journal)
            self._entry(customer, asset, -fee, EntryKind.FEE, "Withdrawal fee", at, journal)
        return self._add(
            customer,
            asset,
            TransactionKind.WITHDRAWAL,
            method,
            status,
            amount,
            fee,
            self._reference("WD", at),
            at,
            destination,
            journal,
            completed_at=_completed_at(status, at, rule.expected_hours),
            expected_by=expected_by or at + timedelta(hours=rule.expected_hours),
        )

    def transfer(self, sender: Customer, receiver: Customer, asset: str, amount: int, at: datetime) -> Transaction:
        """Both sides of a wallet-to-wallet transfer: one journal, two statement lines."""
        journal = self._journal()
        to_text = f"Transfer to {receiver.account_number}"
        from_text = f"Transfer from {sender.account_number}"
        self._entry(sender, asset, -amount, EntryKind.TRANSFER, to_text, at, journal)
        self._entry(receiver, asset, amount, EntryKind.TRANSFER, from_text, at, journal)
        reference = self._reference("TF", at)
        completed = TransactionStatus.COMPLETED
        internal = PaymentMethod.INTERNAL
        outgoing = self._add(
            sender,
            asset,
            TransactionKind.TRANSFER_OUT,
            internal,
            completed,
            amount,
            0,
            reference,
            at,
            f"{receiver.full_name} ({receiver.account_number})",
            journal,
            completed_at=at,
        )
        self._add(
            receiver,
            asset,
            TransactionKind.TRANSFER_IN,
            internal,
            completed,
            amount,
            0,
            reference,
            at,
            f"{sender.full_name} ({sender.account_number})",
            journal,
            completed_at=at,
        )
        return outgoing

    def charge(self, customer: Customer, asset: str, amount: int, at: datetime, what: str) -> Transaction:
        journal = self._journal()
        self._entry(customer, asset, -amount, EntryKind.FEE, what, at, journal)
        return self._add(
            customer,
            asset,
            TransactionKind.FEE,
            PaymentMethod.INTERNAL,
            TransactionStatus.COMPLETED,
            amount,
            0,
            self._reference("FE", at),
            at,
            f"OK Wallet: {what}",
            journal,
            completed_at=at,
        )

    def source(self, asset: str, method: PaymentMethod) -> str:
        """Where money came from or went to, as a statement shows it: masked bank, card or address."""
        rng = self.rng
        if method is PaymentMethod.BANK_TRANSFER:
            return f"{rng.choice(BANKS[asset])} ****{rng.randrange(10_000):04d}"
        if method is PaymentMethod.CREDIT_CARD:
            return f"{rng.choice(CARDS)} ****{rng.randrange(10_000):04d}"
        if asset == "BTC":
            return "bc1q" + "".join(rng.choices(BECH32, k=38))
        if asset == "ETH":
            return "0x" + "".join(rng.choices(string.hexdigits[:16], k=40))
        return "T" + "".join(rng.choices(BASE58, k=33))  # USDT on TRON

    def _entry(
        self,
        customer: Customer,
        asset: str,
        amount: int,
        kind: EntryKind,
        description: str,
        at: datetime,
        journal: str,
    ) -> None:
        if amount == 0:
            return
        key = (customer.id, asset)
        balance = self._balances.get(key, 0) + amount
        if balance < 0:
            raise AssertionError(f"the seed would overdraw {customer.account_number} in {asset}")
        self._balances[key] = balance
        post_entry(
            self.session,
            customer_id=customer.id,
            asset_code=asset,
            amount=amount,
            kind=kind,
            description=description,
            journal_id=journal,
            now=at,
        )

    def _add(
        self,
        customer: Customer,
        asset: str,
        kind: TransactionKind,
        method: PaymentMethod,
        status: TransactionStatus,
        amount: int,
        fee: int,
        reference: str,
        at: datetime,
        counterparty: str,
        journal: str | None,
        completed_at: datetime | None = None,
        expected_by: datetime | None = None,
    ) -> Transaction:
        tx = Transaction(
            customer_id=customer.id,
            asset_code=asset,
            kind=kind,
            method=method,
            status=status,
            amount=amount,
            fee=fee,
            reference=reference,
            counterparty=counterparty,
            journal_id=journal,
            created_at=at,
            completed_at=completed_at,
            expected_by=expected_by,
        )
        self.session.add(tx)
        return tx

    def _journal(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _reference(self, prefix: str, at: datetime) -> str:
        return f"{prefix}{at:%y%m%d}{self.rng.getrandbits(24):06X}"


def _completed_at(status: TransactionStatus, at: datetime, expected_hours: int) -> datetime | None:
    # Completed rows arrived in about half the published time (at least a minute).
    if status is not TransactionStatus.COMPLETED:
        return None
    return at + timedelta(minutes=max(1, expected_hours * 30))
