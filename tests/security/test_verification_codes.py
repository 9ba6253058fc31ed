"""SMS and email codes: 6 digits, only an HMAC stored, 10-minute expiry, single use, bound, 3 sends per 15 minutes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console.seed.demo import EMAIL_ONLY_ID_NUMBER, PHONE_NOT_BOUND_ID_NUMBER
from console.services import codes
from console.services.context import OnCall
from console.services.errors import InvalidInput, Refused
from models import OtpChallenge, OutboxMessage, VerificationAttempt
from tests.support.world import World

CASE = "locked_password_failures"


def _send(w: World, ticket: int, case: str = CASE, channel: str = "sms", purpose: str = "verify", **delta: float):
    return codes.send_code(
        w.sessions,
        w.keyring,
        OnCall(agent_id=w.agent("lina"), now=w.later(**delta), ticket_id=ticket, customer_id=w.customer(case)),
        channel,
        purpose,
    )


def _check(
    w: World,
    ticket: int,
    challenge: int,
    entered: str,
    purpose: str = "verify",
    id_number: str | None = None,
    **delta: float,
):
    return codes.check_code(
        w.sessions,
        w.keyring,
        challenge,
        OnCall(agent_id=w.agent("lina"), now=w.later(**delta), ticket_id=ticket),
        entered,
        purpose=purpose,
        id_number=id_number,
    )


def test_sms_code_goes_to_the_bound_phone_through_the_outbox_and_verifies_the_ticket(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    customer = world.customer_row(CASE)
    assert sent.channel == "sms" and sent.sent_to.endswith(customer.phone_e164[-2:])
    assert customer.phone_e164 not in sent.sent_to
    assert sent.expires_at == world.later(minutes=10)
    with world.sessions() as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.customer_id == customer.id)).one()
    assert message.recipient == customer.phone_e164 and message.kind == "otp"
    outcome = _check(world, ticket, sent.challenge_id, world.last_code(CASE), seconds=40)
    assert outcome.verified and outcome.failure_reason is None
    row = world.ticket(ticket)
    assert row.verified_at == world.later(seconds=40) and row.verified_factor == "sms"


def test_only_an_hmac_of_the_code_is_stored(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    code = world.last_code(CASE)
    with world.sessions() as session:
        challenge = session.get(OtpChallenge, sent.challenge_id)
        stored_bodies = list(session.scalars(select(OutboxMessage.body)))
    assert challenge is not None and len(challenge.code_hmac) == 64 and code not in challenge.code_hmac
    assert challenge.code_hmac == codes._code_hmac(world.keyring, sent.challenge_id, "verify", code)
    assert not any(code in body for body in stored_bodies), "the outbox stores code messages encrypted"


def test_code_expires_after_10_minutes(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    outcome = _check(world, ticket, sent.challenge_id, world.last_code(CASE), minutes=10)
    assert not outcome.verified and outcome.failure_reason == "expired"
    assert world.ticket(ticket).verified_at is None


def test_code_just_inside_10_minutes_still_works(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    assert _check(world, ticket, sent.challenge_id, world.last_code(CASE), seconds=599).verified


def test_code_works_only_once(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    code = world.last_code(CASE)
    assert _check(world, ticket, sent.challenge_id, code, seconds=30).verified
    again = _check(world, ticket, sent.challenge_id, code, seconds=31)
    assert not again.verified and again.failure_reason == "already used"


def test_code_is_bound_to_its_purpose(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket, purpose="verify")
    outcome = _check(world, ticket, sent.challenge_id, world.last_code(CASE), purpose="step_up", seconds=20)
    assert not outcome.verified and outcome.failure_reason == "code for another purpose"


def test_code_is_bound_to_its_challenge(world: World) -> None:
    ticket = world.open_ticket(CASE)
    first = _send(world, ticket)
    first_code = world.last_code(CASE)
    second = _send(world, ticket, seconds=30)
    outcome = _check(world, ticket, second.challenge_id, first_code, seconds=40)
    if first_code == world.last_code(CASE):  # one chance in a million
        pytest.skip("both codes happened to be equal")
    assert not outcome.verified and outcome.failure_reason == "wrong code"
    assert first.challenge_id != second.challenge_id


def test_code_sent_on_one_call_does_not_work_on_another(world: World) -> None:
    ticket = world.open_ticket(CASE)
    other = world.open_ticket(CASE)
    sent = _send(world, ticket)
    with pytest.raises(Exception, match="No such code was sent on this call"):
        _check(world, other, sent.challenge_id, world.last_code(CASE))


@pytest.mark.parametrize("typed", ["１２３４５６", "123 456", "12345", "1234567", " 123456", "12345６", ""])
def test_input_that_is_not_exactly_six_ascii_digits_is_refused_in_words_and_is_not_a_guess(
    world: World, typed: str
) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    code = world.last_code(CASE)
    # The service takes exactly 6 ASCII digits: even the right code in full-width digits or with a space
    # is refused (the panel folds those before submitting). It is not a guess, so nothing is counted.
    if typed == "１２３４５６":
        typed = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    elif typed == "123 456":
        typed = f"{code[:3]} {code[3:]}"
    elif typed == " 123456":
        typed = f" {code}"
    elif typed == "12345":
        typed = code[:5]
    with pytest.raises(InvalidInput, match="A code is exactly 6 digits"):
        _check(world, ticket, sent.challenge_id, typed, seconds=20)
    assert world.customer_row(CASE).verify_failures == 0
    with world.sessions() as session:
        tries = select(func.count()).select_from(VerificationAttempt)
        assert session.scalar(tries.where(VerificationAttempt.customer_id == world.customer(CASE))) == 0
    # The code itself is untouched: the caller reads it again and passes.
    assert _check(world, ticket, sent.challenge_id, code, seconds=30).verified


def test_at_most_3_sends_per_15_minutes_per_customer(world: World) -> None:
    ticket = world.open_ticket(CASE)
    assert [_send(world, ticket, minutes=m).sends_left for m in (0, 1, 2)] == [2, 1, 0]
    with pytest.raises(Refused, match=r"At most 3 codes per 15 minutes; try again after \d\d:\d\d UTC"):
        _send(world, ticket, minutes=14)
    # The same customer on another agent's call counts too.
    marcus_ticket = world.open_ticket(CASE, username="marcus")
    marcus = OnCall(world.agent("marcus"), world.later(minutes=14, seconds=59), marcus_ticket, world.customer(CASE))
    with pytest.raises(Refused, match="At most 3 codes"):
        codes.send_code(world.sessions, world.keyring, marcus, "sms", "verify")
    assert _send(world, ticket, minutes=15, seconds=1).sends_left == 0


def test_sms_needs_a_bound_phone(world: World) -> None:
    ticket = world.open_ticket("phone_not_bound")
    with pytest.raises(Refused, match="no bound phone"):
        _send(world, ticket, case="phone_not_bound", channel="sms")


def test_email_code_only_when_no_phone_is_bound(world: World) -> None:
    ticket = world.open_ticket(CASE)
    with pytest.raises(Refused, match="has a bound phone"):
        _send(world, ticket, channel="email")


@pytest.mark.parametrize(
    ("case", "id_number"), [("email_only", EMAIL_ONLY_ID_NUMBER), ("phone_not_bound", PHONE_NOT_BOUND_ID_NUMBER)]
)
def test_email_code_verifies_only_with_a_matching_id_number(world: World, case: str, id_number: str) -> None:
    ticket = world.open_ticket(case)
    sent = _send(world, ticket, case=case, channel="email")
    customer = world.customer_row(case)
    with world.sessions() as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.customer_id == customer.id)).one()
    assert message.recipient == customer.email and message.channel.value == "email"
    code = world.last_code(case)
    alone = _check(world, ticket, sent.challenge_id, code, seconds=20)
    assert not alone.verified and alone.failure_reason == "ID number does not match"
    wrong_id = _check(world, ticket, sent.challenge_id, code, id_number="11010519491231002X", seconds=30)
    assert not wrong_id.verified and wrong_id.failure_reason == "ID number does not match"
    both = _check(world, ticket, sent.challenge_id, code, id_number=id_number.lower(), seconds=40)
    assert both.verified and world.ticket(ticket).verified_factor == "email"


def test_knowledge_answers_alone_never_verify(world: World) -> None:
    # The only ways to verified are check_code and check_totp; an ID number without a code is a failure.
    ticket = world.open_ticket("email_only")
    sent = _send(world, ticket, case="email_only", channel="email")
    code = world.last_code("email_only")
    not_the_code = f"{(int(code) + 1) % 1_000_000:06d}"
    outcome = _check(world, ticket, sent.challenge_id, not_the_code, id_number=EMAIL_ONLY_ID_NUMBER, seconds=10)
    assert not outcome.verified
    assert world.ticket(ticket).verified_at is None


def test_every_attempt_is_stored_with_factor_result_agent_and_time_to_verify(world: World) -> None:
    ticket = world.open_ticket(CASE)
    sent = _send(world, ticket)
    code = world.last_code(CASE)
    _check(world, ticket, sent.challenge_id, world.wrong(code), seconds=30)
    _check(world, ticket, sent.challenge_id, code, seconds=75)
    with world.sessions() as session:
        attempts = session.scalars(
            select(VerificationAttempt).where(VerificationAttempt.ticket_id == ticket).order_by(VerificationAttempt.id)
        ).all()
    assert [(a.factor.value, a.success, a.failure_reason, a.seconds_to_verify) for a in attempts] == [
        ("sms", False, "wrong code", None),
        ("sms", True, None, 75),
    ]
    assert {a.agent_id for a in attempts} == {world.agent("lina")}
    assert all(a.challenge_id == sent.challenge_id for a in attempts)
