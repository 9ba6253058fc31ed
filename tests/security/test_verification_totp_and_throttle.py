"""Authenticator codes (current and previous step, once each, atomically) and the 5-failure lockout."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.services import codes
from console.services.context import OnCall
from console.services.errors import Refused
from models import Customer, VerificationAttempt
from tests.support.world import World

TOTP_CASE = "two_factor_on"
SMS_CASE = "locked_password_failures"


def _totp(w: World, ticket: int, entered: str, username: str = "lina", case: str = TOTP_CASE, **delta: float):
    return codes.check_totp(
        w.sessions,
        w.keyring,
        OnCall(agent_id=w.agent(username), now=w.later(**delta), ticket_id=ticket, customer_id=w.customer(case)),
        entered,
    )


def _send(w: World, ticket: int, case: str = SMS_CASE, username: str = "lina", **delta: float):
    return codes.send_code(
        w.sessions,
        w.keyring,
        OnCall(agent_id=w.agent(username), now=w.later(**delta), ticket_id=ticket, customer_id=w.customer(case)),
        "sms",
        "verify",
    )


def _check(w: World, ticket: int, challenge: int, entered: str, username: str = "lina", **delta: float):
    return codes.check_code(
        w.sessions,
        w.keyring,
        challenge,
        OnCall(agent_id=w.agent(username), now=w.later(**delta), ticket_id=ticket),
        entered,
    )


# --- TOTP ------------------------------------------------------------------------------------


def test_totp_from_the_current_step_verifies(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    outcome = _totp(world, ticket, world.totp_code(TOTP_CASE, world.now))
    assert outcome.verified and world.ticket(ticket).verified_factor == "totp"


def test_totp_from_the_previous_step_verifies(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    assert _totp(world, ticket, world.totp_code(TOTP_CASE, world.now, steps_back=1)).verified


def test_totp_two_steps_old_is_refused(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    outcome = _totp(world, ticket, world.totp_code(TOTP_CASE, world.now, steps_back=2))
    assert not outcome.verified and outcome.failure_reason == "wrong code"


def test_totp_from_a_future_step_is_refused(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    outcome = _totp(world, ticket, world.totp_code(TOTP_CASE, world.later(seconds=30)))
    assert not outcome.verified and outcome.failure_reason == "wrong code"


def test_each_totp_step_is_accepted_at_most_once_per_customer(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    code = world.totp_code(TOTP_CASE, world.now)
    assert _totp(world, ticket, code).verified
    replay = _totp(world, ticket, code, seconds=5)
    assert not replay.verified and replay.failure_reason == "already used"
    # On another agent's call too, and an older step is refused once a newer one was used.
    other = world.open_ticket(TOTP_CASE, username="marcus")
    assert _totp(world, other, code, username="marcus", seconds=6).failure_reason == "already used"
    older = world.totp_code(TOTP_CASE, world.later(seconds=30), steps_back=2)
    assert _totp(world, other, older, username="marcus", seconds=30).failure_reason == "wrong code"
    assert _totp(
        world, other, world.totp_code(TOTP_CASE, world.later(seconds=30)), username="marcus", seconds=30
    ).verified


def test_totp_needs_an_authenticator_on_file(world: World) -> None:
    ticket = world.open_ticket("two_factor_off")
    with pytest.raises(Refused, match="no authenticator"):
        _totp(world, ticket, "123456", case="two_factor_off")


def test_two_agents_submitting_the_same_totp_at_the_same_instant_verify_exactly_once(world_each_engine: World) -> None:
    w = world_each_engine
    tickets = {"lina": w.open_ticket(TOTP_CASE, "lina"), "marcus": w.open_ticket(TOTP_CASE, "marcus")}
    code = w.totp_code(TOTP_CASE, w.now)
    barrier = threading.Barrier(2)
    outcomes: dict[str, codes.VerificationOutcome] = {}
    errors: list[BaseException] = []

    def submit(username: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[username] = _totp(w, tickets[username], code, username=username)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(name,)) for name in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    results = sorted((o.verified, o.failure_reason) for o in outcomes.values())
    assert results == [(False, "already used"), (True, None)]
    verified = [name for name, o in outcomes.items() if o.verified]
    assert [w.ticket(t).verified_at is not None for t in tickets.values()].count(True) == 1
    assert w.ticket(tickets[verified[0]]).verified_factor == "totp"


# --- the throttle ----------------------------------------------------------------------------


def _fail_times(w: World, ticket: int, times: int, start_seconds: int = 0) -> list[codes.VerificationOutcome]:
    return [
        _totp(
            w,
            ticket,
            "000000" if w.totp_code(TOTP_CASE, w.later(seconds=start_seconds + n)) != "000000" else "999999",
            seconds=start_seconds + n,
        )
        for n in range(times)
    ]


def test_five_consecutive_failures_lock_verification_for_15_minutes(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    outcomes = _fail_times(world, ticket, 5)
    assert [o.failures for o in outcomes] == [1, 2, 3, 4, 5]
    assert [o.locked_until for o in outcomes[:4]] == [None] * 4
    assert outcomes[4].locked_until == world.later(seconds=4) + timedelta(minutes=15)
    assert "locked until" in outcomes[4].message
    customer = world.customer_row(TOTP_CASE)
    assert customer.verify_failures == 5 and customer.verify_locked_until == outcomes[4].locked_until


def test_sixth_attempt_within_15_minutes_is_refused_even_when_correct(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    _fail_times(world, ticket, 5)
    at = world.later(minutes=14, seconds=50)
    sixth = codes.check_totp(
        world.sessions,
        world.keyring,
        OnCall(agent_id=world.agent("lina"), now=at, ticket_id=ticket, customer_id=world.customer(TOTP_CASE)),
        world.totp_code(TOTP_CASE, at),
    )
    assert not sixth.verified and sixth.failure_reason == "locked out"
    assert world.ticket(ticket).verified_at is None


def test_lockout_ends_after_15_minutes_and_the_count_starts_again(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    _fail_times(world, ticket, 5)
    at = world.later(minutes=15, seconds=5)
    outcome = codes.check_totp(
        world.sessions,
        world.keyring,
        OnCall(agent_id=world.agent("lina"), now=at, ticket_id=ticket, customer_id=world.customer(TOTP_CASE)),
        world.totp_code(TOTP_CASE, at),
    )
    assert outcome.verified and outcome.failures == 0


def test_failures_count_across_methods_and_agents(world: World) -> None:
    case = "wrong_fee"  # 2FA on and a bound phone
    lina = world.open_ticket(case, "lina")
    marcus = world.open_ticket(case, "marcus")
    sent = _send(world, lina, case=case)
    wrong = world.wrong(world.last_code(case))
    for n in range(2):
        assert not _check(world, lina, sent.challenge_id, wrong, seconds=n).verified
    for n in range(2):
        wrong_totp = world.wrong(world.totp_code(case, world.later(seconds=10 + n)))
        assert not _totp(world, marcus, wrong_totp, username="marcus", case=case, seconds=10 + n).verified
    fifth = _check(world, lina, sent.challenge_id, wrong, seconds=20)
    assert fifth.failures == 5 and fifth.locked_until is not None


def test_sending_a_new_code_does_not_reset_the_failure_count(world: World) -> None:
    ticket = world.open_ticket(SMS_CASE)
    first = _send(world, ticket)
    for n in range(3):
        _check(world, ticket, first.challenge_id, world.wrong(world.last_code(SMS_CASE)), seconds=n)
    second = _send(world, ticket, seconds=30)
    assert world.customer_row(SMS_CASE).verify_failures == 3
    outcome = _check(world, ticket, second.challenge_id, world.wrong(world.last_code(SMS_CASE)), seconds=40)
    assert outcome.failures == 4


def test_a_success_resets_the_failure_count(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    _fail_times(world, ticket, 4)
    assert world.customer_row(TOTP_CASE).verify_failures == 4
    assert _totp(world, ticket, world.totp_code(TOTP_CASE, world.later(seconds=5)), seconds=5).verified
    assert world.customer_row(TOTP_CASE).verify_failures == 0


def test_sending_a_code_is_refused_while_verification_is_locked_out(world: World) -> None:
    case = "wrong_fee"
    ticket = world.open_ticket(case)
    for n in range(5):
        _totp(world, ticket, world.wrong(world.totp_code(case, world.later(seconds=n))), case=case, seconds=n)
    with pytest.raises(Refused, match=r"locked until \d\d:\d\d UTC.*supervisor"):
        _send(world, ticket, case=case, minutes=1)


def test_locked_out_attempts_are_stored_but_do_not_extend_the_lockout(world: World) -> None:
    ticket = world.open_ticket(TOTP_CASE)
    fifth = _fail_times(world, ticket, 5)[-1]
    _totp(world, ticket, "000001", minutes=10)
    assert world.customer_row(TOTP_CASE).verify_locked_until == fifth.locked_until
    with world.sessions() as session:
        reasons = session.scalars(
            select(VerificationAttempt.failure_reason)
            .where(VerificationAttempt.customer_id == world.customer(TOTP_CASE))
            .order_by(VerificationAttempt.id)
        ).all()
    assert reasons[-1] == "locked out"


def test_the_throttle_does_not_change_the_customer_version(world: World) -> None:
    # Agents' open forms on the customer keep working: the throttle is not an edit.
    before = world.customer_row(TOTP_CASE).version
    _fail_times(world, world.open_ticket(TOTP_CASE), 2)
    with world.sessions() as session:
        assert session.scalar(select(Customer.version).where(Customer.id == world.customer(TOTP_CASE))) == before


def test_failures_from_many_agents_at_once_are_all_counted_and_lock_at_five(world_each_engine: World) -> None:
    w = world_each_engine
    names = ["lina", "marcus"] * 4
    tickets = [w.open_ticket(TOTP_CASE, name) for name in names]
    wrong = "000000" if w.totp_code(TOTP_CASE, w.now) != "000000" else "999999"
    barrier = threading.Barrier(len(names))
    outcomes: list[codes.VerificationOutcome] = []
    errors: list[BaseException] = []

    def submit(name: str, ticket: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(_totp(w, ticket, wrong, username=name))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(names, tickets, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    reasons = sorted(o.failure_reason or "" for o in outcomes)
    assert reasons == ["locked out"] * 3 + ["wrong code"] * 5
    customer = w.customer_row(TOTP_CASE)
    assert customer.verify_failures == 5 and customer.verify_locked_until is not None
