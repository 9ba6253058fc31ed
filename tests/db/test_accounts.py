"""Unlocking, the security review, contact changes and the supervisor's lift of a verification lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from console.services import accounts as a
from console.services import verification as v
from console.services.errors import Conflict, InvalidInput, Refused
from console.services.gate import NotVerified
from console.services.outbox import recent_messages
from models import AuditEvent, Ticket, TicketNote
from console.seed.demo import DEMO_ACCOUNTS
from tests.support.world import World, world, world_each_engine  # noqa: F401  (fixtures)

PASSWORDS = "locked_password_failures"
RISK = "locked_risk"
ABNORMAL = "locked_abnormal_login"


def _notes(w: World, ticket: int) -> list[str]:
    with w.sessions() as session:
        return list(session.scalars(select(TicketNote.body).where(TicketNote.ticket_id == ticket)))


def _actions(w: World) -> list[str]:
    with w.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _messages(w: World, case: str) -> list[str]:
    return [m.body for m in recent_messages(w.sessions, w.keyring.fernet(), DEMO_ACCOUNTS[case].account_number)]


# --- unlock ----------------------------------------------------------------------------------


def test_unlock_requires_password_reset_holds_withdrawals_and_notifies(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(PASSWORDS)
    result = a.unlock_account(w.sessions, ticket, w.agent("lina"), w.customer(PASSWORDS), "Caller verified by SMS.", w.now)
    customer = w.customer_row(PASSWORDS)
    assert (customer.status.value, customer.lock_reason, customer.password_reset_required) == ("active", None, True)
    assert customer.withdrawals_held_until == result.withdrawals_held_until == w.now + timedelta(hours=24)
    assert "withdrawals are on hold" in _messages(w, PASSWORDS)[0]
    assert any("Account unlocked" in note and "Caller verified by SMS." in note for note in _notes(w, ticket))
    assert "account.unlock" in _actions(w)


def test_unlock_needs_a_fresh_factor(world: World) -> None:
    ticket = world.verified_call(PASSWORDS)
    with pytest.raises(NotVerified, match="last 5 minutes"):
        a.unlock_account(world.sessions, ticket, world.agent("lina"), world.customer(PASSWORDS), "ok", world.later(minutes=6))
    assert world.customer_row(PASSWORDS).status.value == "locked"


def test_unverified_caller_cannot_be_unlocked(world: World) -> None:
    ticket = world.open_ticket(PASSWORDS)
    with pytest.raises(NotVerified, match="^Caller not verified"):
        a.unlock_account(world.sessions, ticket, world.agent("lina"), world.customer(PASSWORDS), "ok", world.now)


@pytest.mark.parametrize("case", [RISK, ABNORMAL])
def test_risk_lock_cannot_be_unlocked_without_approval(world_each_engine: World, case: str) -> None:
    w = world_each_engine
    ticket = w.verified_call(case)
    with pytest.raises(Refused, match="only a supervisor can approve"):
        a.unlock_account(w.sessions, ticket, w.agent("lina"), w.customer(case), "Caller verified.", w.now)
    assert w.customer_row(case).status.value == "locked"


def test_approved_unlock_request_unlocks_with_the_same_effects(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(RISK)
    request = a.request_unlock(w.sessions, ticket, w.agent("lina"), w.customer(RISK), "Caller explains the trip.", w.now)
    assert [r.request_id for r in a.pending_unlock_requests(w.sessions)] == [request.request_id]
    assert w.customer_row(RISK).status.value == "locked"
    decided = a.approve_unlock(w.sessions, w.agent("chenjing"), request.request_id, request.version, "Trip confirmed.",
                               w.later(minutes=10))  # fmt: skip
    assert (decided.status, decided.decided_by) == ("approved", "chenjing")
    customer = w.customer_row(RISK)
    assert customer.status.value == "active" and customer.password_reset_required
    assert customer.withdrawals_held_until == w.later(minutes=10) + timedelta(hours=24)
    assert "withdrawals are on hold" in _messages(w, RISK)[0]


def test_approver_of_an_unlock_must_differ_from_requester(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(RISK, username="chenjing")
    request = a.request_unlock(w.sessions, ticket, w.agent("chenjing"), w.customer(RISK), "verified", w.now)
    with pytest.raises(Refused, match="another supervisor"):
        a.approve_unlock(w.sessions, w.agent("chenjing"), request.request_id, request.version, "ok", w.now)
    assert w.customer_row(RISK).status.value == "locked"


def test_agent_cannot_approve_an_unlock(world: World) -> None:
    ticket = world.verified_call(RISK)
    request = a.request_unlock(world.sessions, ticket, world.agent("lina"), world.customer(RISK), "verified", world.now)
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        a.approve_unlock(world.sessions, world.agent("marcus"), request.request_id, request.version, "ok", world.now)


def test_stale_unlock_decision_is_refused(world: World) -> None:
    ticket = world.verified_call(RISK)
    request = a.request_unlock(world.sessions, ticket, world.agent("lina"), world.customer(RISK), "verified", world.now)
    a.reject_unlock(world.sessions, world.agent("admin"), request.request_id, request.version, "No ID shown.", world.now)
    with pytest.raises(Refused, match="already rejected"):
        a.approve_unlock(world.sessions, world.agent("chenjing"), request.request_id, request.version, "ok", world.now)
    assert world.customer_row(RISK).status.value == "locked"


def test_second_unlock_request_for_one_customer_is_refused(world: World) -> None:
    ticket = world.verified_call(RISK)
    a.request_unlock(world.sessions, ticket, world.agent("lina"), world.customer(RISK), "verified", world.now)
    with pytest.raises(Conflict, match="lina already filed"):
        a.request_unlock(world.sessions, ticket, world.agent("lina"), world.customer(RISK), "again", world.now)


def test_password_failure_lock_needs_no_request(world: World) -> None:
    ticket = world.verified_call(PASSWORDS)
    with pytest.raises(Refused, match="unlock it directly"):
        a.request_unlock(world.sessions, ticket, world.agent("lina"), world.customer(PASSWORDS), "x", world.now)


# --- the security review and advice ----------------------------------------------------------


def test_unverified_caller_gets_no_security_review(world: World) -> None:
    ticket = world.open_ticket(ABNORMAL, reason="account_security")
    with pytest.raises(NotVerified, match="^Caller not verified"):
        a.security_review(world.sessions, ticket, world.agent("lina"), world.customer(ABNORMAL), world.now)


def test_security_review_shows_the_unusual_login_behind_the_lock(world: World) -> None:
    ticket = world.verified_call(ABNORMAL, reason="account_security")
    review = a.security_review(world.sessions, ticket, world.agent("lina"), world.customer(ABNORMAL), world.now)
    assert review.lock_reason == "abnormal_login" and not review.agent_may_unlock
    assert any(login.unusual and "Lagos" in login.region for login in review.logins)
    assert review.logins == tuple(sorted(review.logins, key=lambda login: login.occurred_at, reverse=True))


def test_advice_ticks_are_saved_on_the_ticket_without_touching_its_version(world: World) -> None:
    ticket = world.verified_call("two_factor_off", reason="account_security")
    version = world.ticket(ticket).version
    given = a.record_advice(world.sessions, ticket, world.agent("lina"), {"never_share_codes", "enable_2fa"}, world.now)
    assert given == ("enable_2fa", "never_share_codes")
    stored = world.ticket(ticket)
    assert (stored.advice_given, stored.version) == ("enable_2fa,never_share_codes", version)
    review = a.security_review(world.sessions, ticket, world.agent("lina"), world.customer("two_factor_off"), world.now)
    assert review.advice_given == given
    with pytest.raises(InvalidInput, match="Unknown advice"):
        a.record_advice(world.sessions, ticket, world.agent("lina"), {"buy_bitcoin"}, world.now)


# --- contact changes -------------------------------------------------------------------------


def test_contact_change_needs_a_fresh_factor_and_tells_the_old_contact(world: World) -> None:
    case = "two_factor_off"
    ticket = world.verified_call(case, reason="other")
    old_phone = world.customer_row(case).phone_e164
    with pytest.raises(NotVerified, match="last 5 minutes"):
        a.change_contact(world.sessions, ticket, world.agent("lina"), world.customer(case), "email", "tan@example.com",
                         world.later(minutes=6))  # fmt: skip
    change = a.change_contact(world.sessions, ticket, world.agent("lina"), world.customer(case), "email",
                              "tan.weiming@example.com", world.later(minutes=1))  # fmt: skip
    assert change.new_masked == "t•••@example.com"
    assert world.customer_row(case).email == "tan.weiming@example.com"
    (notice, *_) = recent_messages(world.sessions, world.keyring.fernet(), DEMO_ACCOUNTS[case].account_number)
    assert notice.recipient == old_phone and "was changed" in notice.body


def test_malformed_phone_is_refused_and_changes_nothing(world: World) -> None:
    case = "two_factor_off"
    ticket = world.verified_call(case, reason="other")
    before = world.customer_row(case).phone_e164
    with pytest.raises(InvalidInput, match="not a phone number"):
        a.change_contact(world.sessions, ticket, world.agent("lina"), world.customer(case), "phone", "12-34", world.now)
    assert world.customer_row(case).phone_e164 == before


# --- the verification lockout ----------------------------------------------------------------


def _lock_out(w: World, case: str, ticket: int) -> None:
    lina, customer = w.agent("lina"), w.customer(case)
    sent = v.send_code(w.sessions, w.keyring, ticket, lina, customer, "sms", "verify", w.now)
    for _ in range(v.MAX_FAILURES):
        v.check_code(w.sessions, w.keyring, sent.challenge_id, ticket, lina, "000000", w.now)
    assert w.customer_row(case).verify_locked_until is not None


def test_only_a_supervisor_can_lift_a_verification_lockout(world: World) -> None:
    case = "two_factor_off"
    ticket = world.open_ticket(case)
    _lock_out(world, case, ticket)
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        a.lift_verification_lockout(world.sessions, world.agent("marcus"), ticket, "caller is upset", world.now)
    a.lift_verification_lockout(world.sessions, world.agent("chenjing"), ticket, "Called back on the bound number.", world.now)
    assert world.customer_row(case).verify_locked_until is None
    assert "verification.lockout_lifted" in _actions(world)
    with pytest.raises(Refused, match="not locked out"):
        a.lift_verification_lockout(world.sessions, world.agent("chenjing"), ticket, "again", world.now)


def test_lifted_lockout_still_needs_a_code(world: World) -> None:
    case = "two_factor_off"
    lina, customer = world.agent("lina"), world.customer(case)
    ticket = world.open_ticket(case)
    _lock_out(world, case, ticket)
    later = world.later(minutes=1)
    with pytest.raises(Refused, match="locked until"):
        v.send_code(world.sessions, world.keyring, ticket, lina, customer, "sms", "verify", later)
    a.lift_verification_lockout(world.sessions, world.agent("chenjing"), ticket, "Called back on the bound number.", later)
    with world.sessions() as session:
        assert session.get(Ticket, ticket).verified_at is None  # lifting is not verifying
    sent = v.send_code(world.sessions, world.keyring, ticket, lina, customer, "sms", "verify", later)
    outcome = v.check_code(world.sessions, world.keyring, sent.challenge_id, ticket, lina, world.last_code(case), later)
    assert outcome.verified
