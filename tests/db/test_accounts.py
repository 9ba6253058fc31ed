"""Unlocking, the security review, contact changes and the supervisor's lift of a verification lockout."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.seed.demo import DEMO_ACCOUNTS
from console.services import codes, contact_changes, security_review, unlocks
from console.services.context import Actor, OnCall
from console.services.errors import Conflict, InvalidInput, Refused
from console.services.gate import NotVerified
from console.services.outbox import recent_messages
from models import AuditEvent, Ticket, TicketNote, UnlockRequest
from tests.support.world import World

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
    result = unlocks.unlock_account(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(PASSWORDS)),
        "Caller verified by SMS.",
    )
    customer = w.customer_row(PASSWORDS)
    assert (customer.status.value, customer.lock_reason, customer.password_reset_required) == ("active", None, True)
    assert customer.withdrawals_held_until == result.withdrawals_held_until == w.now + timedelta(hours=24)
    assert "提现将暂停至" in _messages(w, PASSWORDS)[0]  # a mainland customer: Simplified Chinese
    assert any("Account unlocked" in note and "Caller verified by SMS." in note for note in _notes(w, ticket))
    assert "account.unlock" in _actions(w)


def test_unlock_needs_a_fresh_factor(world: World) -> None:
    ticket = world.verified_call(PASSWORDS)
    with pytest.raises(NotVerified, match="last 5 minutes"):
        unlocks.unlock_account(
            world.sessions,
            OnCall(
                agent_id=world.agent("lina"),
                now=world.later(minutes=6),
                ticket_id=ticket,
                customer_id=world.customer(PASSWORDS),
            ),
            "ok",
        )
    assert world.customer_row(PASSWORDS).status.value == "locked"


def test_unverified_caller_cannot_be_unlocked(world: World) -> None:
    ticket = world.open_ticket(PASSWORDS)
    with pytest.raises(NotVerified, match=r"^Caller not verified"):
        unlocks.unlock_account(
            world.sessions,
            OnCall(
                agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(PASSWORDS)
            ),
            "ok",
        )


@pytest.mark.parametrize("case", [RISK, ABNORMAL])
def test_risk_lock_cannot_be_unlocked_without_approval(world_each_engine: World, case: str) -> None:
    w = world_each_engine
    ticket = w.verified_call(case)
    with pytest.raises(Refused, match="only a supervisor can approve"):
        unlocks.unlock_account(
            w.sessions,
            OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(case)),
            "Caller verified.",
        )
    assert w.customer_row(case).status.value == "locked"


def test_approved_unlock_request_unlocks_with_the_same_effects(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(RISK)
    request = unlocks.request_unlock(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(RISK)),
        "Caller explains the trip.",
    )
    assert [r.request_id for r in w.pending_unlock_requests(RISK)] == [request.request_id]
    assert w.customer_row(RISK).status.value == "locked"
    w.typed_password("chenjing", w.later(minutes=9))
    decided = unlocks.approve_unlock(
        w.sessions,
        Actor(agent_id=w.agent("chenjing"), now=w.later(minutes=10)),
        request.request_id,
        request.version,
        "Trip confirmed.",
    )
    assert (decided.status, decided.decided_by) == ("approved", "chenjing")
    customer = w.customer_row(RISK)
    assert customer.status.value == "active" and customer.password_reset_required
    assert customer.withdrawals_held_until == w.later(minutes=10) + timedelta(hours=24)
    assert "提款將暫停至" in _messages(w, RISK)[0]  # a Hong Kong customer: Traditional Chinese
    assert {"unlock.request", "unlock.approve", "account.unlock"} <= set(_actions(w))


def test_approver_of_an_unlock_must_differ_from_requester(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(RISK, username="chenjing")
    request = unlocks.request_unlock(
        w.sessions,
        OnCall(agent_id=w.agent("chenjing"), now=w.now, ticket_id=ticket, customer_id=w.customer(RISK)),
        "verified",
    )
    w.typed_password("chenjing")
    with pytest.raises(Refused, match="another supervisor"):
        unlocks.approve_unlock(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), request.request_id, request.version, "ok"
        )
    assert w.customer_row(RISK).status.value == "locked"


def test_agent_cannot_approve_an_unlock(world: World) -> None:
    ticket = world.verified_call(RISK)
    request = unlocks.request_unlock(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(RISK)),
        "verified",
    )
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        unlocks.approve_unlock(
            world.sessions,
            Actor(agent_id=world.agent("marcus"), now=world.now),
            request.request_id,
            request.version,
            "ok",
        )


def test_stale_unlock_decision_is_refused(world: World) -> None:
    ticket = world.verified_call(RISK)
    request = unlocks.request_unlock(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(RISK)),
        "verified",
    )
    world.typed_password("admin")
    unlocks.reject_unlock(
        world.sessions,
        Actor(agent_id=world.agent("admin"), now=world.now),
        request.request_id,
        request.version,
        "No ID shown.",
    )
    world.typed_password("chenjing")
    with pytest.raises(Refused, match="already rejected"):
        unlocks.approve_unlock(
            world.sessions,
            Actor(agent_id=world.agent("chenjing"), now=world.now),
            request.request_id,
            request.version,
            "ok",
        )
    assert world.customer_row(RISK).status.value == "locked"


def test_second_unlock_request_for_one_customer_is_refused(world: World) -> None:
    ticket = world.verified_call(RISK)
    unlocks.request_unlock(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(RISK)),
        "verified",
    )
    with pytest.raises(Conflict, match="lina already filed"):
        unlocks.request_unlock(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(RISK)),
            "again",
        )


def test_password_failure_lock_needs_no_request(world: World) -> None:
    ticket = world.verified_call(PASSWORDS)
    with pytest.raises(Refused, match="unlock it directly"):
        unlocks.request_unlock(
            world.sessions,
            OnCall(
                agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(PASSWORDS)
            ),
            "x",
        )


# --- the security review and advice ----------------------------------------------------------


def test_unverified_caller_gets_no_security_review(world: World) -> None:
    ticket = world.open_ticket(ABNORMAL, reason="account_security")
    with pytest.raises(NotVerified, match=r"^Caller not verified"):
        security_review.security_review(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(ABNORMAL)),
        )


def test_security_review_shows_the_unusual_login_behind_the_lock(world: World) -> None:
    ticket = world.verified_call(ABNORMAL, reason="account_security")
    review = security_review.security_review(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(ABNORMAL)),
    )
    assert review.lock_reason == "abnormal_login" and not review.agent_may_unlock
    assert any(login.unusual and "Lagos" in login.region for login in review.logins)
    assert review.logins == tuple(sorted(review.logins, key=lambda login: login.occurred_at, reverse=True))


def test_the_review_says_until_when_the_caller_s_code_counts_for_an_unlock_as_the_service_judges_it(
    world: World,
) -> None:
    ticket = world.verified_call(PASSWORDS)
    call = OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(PASSWORDS))
    review = security_review.security_review(world.sessions, call)
    verified_at = world.ticket(ticket).verified_at
    assert verified_at is not None and review.code_fresh_until == verified_at + timedelta(minutes=5)
    # One second past it, the unlock itself is refused: the screen's early word and the rule agree.
    late = dataclasses.replace(call, now=review.code_fresh_until + timedelta(seconds=1))
    with pytest.raises(NotVerified, match="in the last 5 minutes"):
        unlocks.unlock_account(world.sessions, late, "caller confirmed the attempts")


def test_advice_ticks_are_saved_on_the_ticket_without_touching_its_version(world: World) -> None:
    ticket = world.verified_call("two_factor_off", reason="account_security")
    version = world.ticket(ticket).version
    given = security_review.record_advice(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket),
        {"never_share_codes", "enable_2fa"},
    )
    assert given == ("enable_2fa", "never_share_codes")
    stored = world.ticket(ticket)
    assert (stored.advice_given, stored.version) == ("enable_2fa,never_share_codes", version)
    review = security_review.security_review(
        world.sessions,
        OnCall(
            agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer("two_factor_off")
        ),
    )
    assert review.advice_given == given
    with pytest.raises(InvalidInput, match="Unknown advice"):
        security_review.record_advice(
            world.sessions, OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket), {"buy_bitcoin"}
        )


# --- contact changes -------------------------------------------------------------------------


def test_contact_change_needs_a_fresh_factor_and_tells_the_old_contact(world: World) -> None:
    case = "two_factor_off"
    ticket = world.verified_call(case, reason="other")
    old_phone = world.customer_row(case).phone_e164
    with pytest.raises(NotVerified, match="last 5 minutes"):
        contact_changes.change_contact(
            world.sessions,
            OnCall(
                agent_id=world.agent("lina"),
                now=world.later(minutes=6),
                ticket_id=ticket,
                customer_id=world.customer(case),
            ),
            "email",
            "tan@example.com",
        )
    change = contact_changes.change_contact(
        world.sessions,
        OnCall(
            agent_id=world.agent("lina"), now=world.later(minutes=1), ticket_id=ticket, customer_id=world.customer(case)
        ),
        "email",
        "tan.weiming@example.com",
    )
    assert change.new_masked == "t•••@example.com"
    assert world.customer_row(case).email == "tan.weiming@example.com"
    (notice, *_) = recent_messages(world.sessions, world.keyring.fernet(), DEMO_ACCOUNTS[case].account_number)
    assert notice.recipient == old_phone and "was changed" in notice.body


def test_malformed_phone_is_refused_and_changes_nothing(world: World) -> None:
    case = "two_factor_off"
    ticket = world.verified_call(case, reason="other")
    before = world.customer_row(case).phone_e164
    with pytest.raises(InvalidInput, match="not a phone number"):
        contact_changes.change_contact(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
            "phone",
            "12-34",
        )
    assert world.customer_row(case).phone_e164 == before


# --- the verification lockout ----------------------------------------------------------------


def _lock_out(w: World, case: str, ticket: int) -> None:
    lina, customer = w.agent("lina"), w.customer(case)
    sent = codes.send_code(
        w.sessions, w.keyring, OnCall(agent_id=lina, now=w.now, ticket_id=ticket, customer_id=customer), "sms", "verify"
    )
    for _ in range(codes.MAX_FAILURES):
        codes.check_code(
            w.sessions, w.keyring, sent.challenge_id, OnCall(agent_id=lina, now=w.now, ticket_id=ticket), "000000"
        )
    assert w.customer_row(case).verify_locked_until is not None


def test_only_a_supervisor_can_lift_a_verification_lockout(world: World) -> None:
    case = "two_factor_off"
    ticket = world.open_ticket(case)
    _lock_out(world, case, ticket)
    with pytest.raises(Refused, match="Only a supervisor or admin"):
        unlocks.lift_verification_lockout(
            world.sessions, Actor(agent_id=world.agent("marcus"), now=world.now), ticket, "caller is upset"
        )
    world.typed_password("chenjing")
    unlocks.lift_verification_lockout(
        world.sessions,
        Actor(agent_id=world.agent("chenjing"), now=world.now),
        ticket,
        "Called back on the bound number.",
    )
    assert world.customer_row(case).verify_locked_until is None
    assert "verification.lockout_lifted" in _actions(world)
    with pytest.raises(Refused, match="not locked out"):
        unlocks.lift_verification_lockout(
            world.sessions, Actor(agent_id=world.agent("chenjing"), now=world.now), ticket, "again"
        )


def test_lifted_lockout_still_needs_a_code(world: World) -> None:
    case = "two_factor_off"
    lina, customer = world.agent("lina"), world.customer(case)
    ticket = world.open_ticket(case)
    _lock_out(world, case, ticket)
    later = world.later(minutes=1)
    with pytest.raises(Refused, match="locked until"):
        codes.send_code(
            world.sessions,
            world.keyring,
            OnCall(agent_id=lina, now=later, ticket_id=ticket, customer_id=customer),
            "sms",
            "verify",
        )
    world.typed_password("chenjing", later)
    unlocks.lift_verification_lockout(
        world.sessions, Actor(agent_id=world.agent("chenjing"), now=later), ticket, "Called back on the bound number."
    )
    with world.sessions() as session:
        assert session.get(Ticket, ticket).verified_at is None  # lifting is not verifying
    sent = codes.send_code(
        world.sessions,
        world.keyring,
        OnCall(agent_id=lina, now=later, ticket_id=ticket, customer_id=customer),
        "sms",
        "verify",
    )
    outcome = codes.check_code(
        world.sessions,
        world.keyring,
        sent.challenge_id,
        OnCall(agent_id=lina, now=later, ticket_id=ticket),
        world.last_code(case),
    )
    assert outcome.verified


# --- more rules --------------------------------------------------------------------------------


def test_unlock_decision_on_a_request_that_changed_since_it_was_opened_is_a_conflict(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(RISK)
    request = unlocks.request_unlock(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(RISK)),
        "verified",
    )
    with w.sessions.begin() as session:  # someone edits the request after the supervisor opened it
        session.get(UnlockRequest, request.request_id).reason = "verified; caller sent a photo of the ID"
    w.typed_password("chenjing")
    with pytest.raises(Conflict, match="changed since you opened it"):
        unlocks.approve_unlock(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), request.request_id, request.version, "ok"
        )
    assert w.customer_row(RISK).status.value == "locked"
    assert [r.status for r in w.pending_unlock_requests(RISK)] == ["pending"]


def test_rejected_unlock_keeps_the_account_locked_and_tells_the_customer(world_each_engine: World) -> None:
    w = world_each_engine
    ticket = w.verified_call(ABNORMAL)
    request = unlocks.request_unlock(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(ABNORMAL)),
        "verified",
    )
    w.typed_password("chenjing")
    with pytest.raises(InvalidInput, match="Enter the reason"):
        unlocks.reject_unlock(
            w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), request.request_id, request.version, "  "
        )
    decided = unlocks.reject_unlock(
        w.sessions, Actor(agent_id=w.agent("chenjing"), now=w.now), request.request_id, request.version, "No ID."
    )
    assert (decided.status, decided.decided_by, decided.decision_reason) == ("rejected", "chenjing", "No ID.")
    customer = w.customer_row(ABNORMAL)
    assert (customer.status.value, customer.lock_reason.value) == ("locked", "abnormal_login")
    assert customer.withdrawals_held_until is None
    assert "您的账户暂时无法解锁" in _messages(w, ABNORMAL)[0]
    assert "unlock.reject" in _actions(w) and "account.unlock" not in _actions(w)
    assert w.pending_unlock_requests(ABNORMAL) == []


def test_unlock_needs_a_reason_and_a_locked_account(world: World) -> None:
    ticket = world.verified_call(PASSWORDS)
    lina, customer = world.agent("lina"), world.customer(PASSWORDS)
    with pytest.raises(InvalidInput, match="Enter the reason"):
        unlocks.unlock_account(
            world.sessions, OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=customer), " \n"
        )
    assert world.customer_row(PASSWORDS).status.value == "locked"
    unlocks.unlock_account(
        world.sessions, OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=customer), "verified"
    )
    with pytest.raises(Refused, match="not locked"):
        unlocks.unlock_account(
            world.sessions, OnCall(agent_id=lina, now=world.now, ticket_id=ticket, customer_id=customer), "verified"
        )
    assert _actions(world).count("account.unlock") == 1


def test_security_review_lists_recent_transactions_with_their_asset_scale(world: World) -> None:
    case = "delayed_withdrawal"
    ticket = world.verified_call(case, reason="account_security")
    review = security_review.security_review(
        world.sessions,
        OnCall(
            agent_id=world.agent("lina"), now=world.later(minutes=6), ticket_id=ticket, customer_id=world.customer(case)
        ),
    )
    assert "8,000.00 CNY" in [t.amount_text for t in review.transactions]
    assert 0 < len(review.transactions) <= 10
    assert review.transactions == tuple(sorted(review.transactions, key=lambda t: t.created_at, reverse=True))


def test_advice_is_only_recorded_on_the_agents_own_open_ticket(world: World) -> None:
    ticket = world.verified_call("two_factor_off", reason="account_security")
    with pytest.raises(Refused, match="another agent"):
        security_review.record_advice(
            world.sessions, OnCall(agent_id=world.agent("marcus"), now=world.now, ticket_id=ticket), {"enable_2fa"}
        )
    assert world.ticket(ticket).advice_given is None


def test_phone_change_bumps_the_version_and_audits_masked_values_only(world: World) -> None:
    case = "locked_password_failures"
    ticket = world.verified_call(case, reason="other")
    before = world.customer_row(case)
    with pytest.raises(InvalidInput, match="already the phone"):
        contact_changes.change_contact(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
            "phone",
            before.phone_e164,
        )
    with pytest.raises(InvalidInput, match="Only the phone number or the email"):
        contact_changes.change_contact(
            world.sessions,
            OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
            "name",
            "x",
        )
    change = contact_changes.change_contact(
        world.sessions,
        OnCall(agent_id=world.agent("lina"), now=world.now, ticket_id=ticket, customer_id=world.customer(case)),
        "phone",
        "139 1234 5678",
    )
    after = world.customer_row(case)
    assert (after.phone_e164, after.phone_last4) == ("+8613912345678", "5678")
    assert after.version == before.version + 1
    with world.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.contact_change")).one()
    details = str(event.details)  # stored as JSON text
    assert change.new_masked in details and "13912345678" not in details
    assert before.phone_e164[-8:] not in details


def test_withdrawal_after_an_unlock_is_refused_for_24_hours_then_allowed(world_each_engine: World) -> None:
    from console.services.money import balance_of
    from console.services.wallet import place_withdrawal

    w = world_each_engine
    ticket = w.verified_call(PASSWORDS)
    unlocks.unlock_account(
        w.sessions,
        OnCall(agent_id=w.agent("lina"), now=w.now, ticket_id=ticket, customer_id=w.customer(PASSWORDS)),
        "Caller verified by SMS.",
    )
    with w.sessions() as session:
        holding = next(code for code in ("CNY", "USD", "USDT") if balance_of(session, w.customer(PASSWORDS), code) > 0)
    amount = {"CNY": 100_00, "USD": 50_00, "USDT": 10_000_000}[holding]
    method = "on_chain" if holding == "USDT" else "bank_transfer"
    with pytest.raises(Refused, match="on hold until"):
        place_withdrawal(w.sessions, w.customer(PASSWORDS), holding, method, amount, "after-unlock", w.later(hours=23))
    placed = place_withdrawal(
        w.sessions, w.customer(PASSWORDS), holding, method, amount, "after-unlock", w.later(hours=24, seconds=1)
    )
    assert placed.status == "pending"
