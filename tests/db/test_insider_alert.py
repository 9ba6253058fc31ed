"""The insider alert on both engines: an agent who opens more than 30 different customers in an hour raises
one alert, at the 31st and not the 30th, counted in the services however many consoles they use; a
supervisor other than the agent dismisses it."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from console.services import insider, tickets
from console.services.context import Actor, OnCall
from console.services.customers import customer_card
from console.services.errors import Conflict, InvalidInput, Refused
from console.services.insider import INSIDER_LIMIT, customers_opened, dismiss_insider_alert, insider_alerts
from models import AuditEvent, Customer, InsiderAlert
from tests.support.world import World


def _customers(w: World) -> list[int]:
    with w.sessions() as session:
        ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
    assert len(ids) > INSIDER_LIMIT + 5, "the demo has enough customers for these tests"
    return ids


def _open(w: World, agent: int, customer: int, at: datetime) -> None:
    customer_card(w.sessions, Actor(agent_id=agent, now=at), customer)


def _alerts(w: World, at: datetime) -> list[insider.InsiderAlertView]:
    with w.sessions() as session:
        return insider_alerts(session, at)


def _all_alerts(w: World) -> int:
    with w.sessions() as session:
        return len(session.scalars(select(InsiderAlert.id)).all())


def test_the_31st_different_customer_in_an_hour_raises_the_alert_and_the_30th_does_not(
    world_each_engine: World,
) -> None:
    w = world_each_engine
    lina, customers = w.agent("lina"), _customers(w)
    for n, customer in enumerate(customers[:INSIDER_LIMIT]):
        _open(w, lina, customer, w.later(seconds=n * 100))
    at_30th = w.later(seconds=(INSIDER_LIMIT - 1) * 100)
    assert _alerts(w, at_30th) == [] and _all_alerts(w) == 0
    # The same customers again count once each.
    for customer in customers[:5]:
        _open(w, lina, customer, w.later(minutes=50))
    assert _all_alerts(w) == 0
    _open(w, lina, customers[INSIDER_LIMIT], w.later(minutes=55))
    (alert,) = _alerts(w, w.later(minutes=55))
    assert (alert.agent_username, alert.count, alert.raised_at) == ("lina", 31, w.later(minutes=55))
    assert alert.window.total_seconds() == 3600 and alert.window_start == w.later(minutes=-5)
    with w.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "insider.alert")).one()
    assert (event.actor, event.subject_type, event.subject_id) == ("system", "agent", str(lina))


def test_opens_older_than_the_hour_do_not_count(world_each_engine: World) -> None:
    w = world_each_engine
    lina, customers = w.agent("lina"), _customers(w)
    for customer in customers[:20]:
        _open(w, lina, customer, w.now)
    for customer in customers[20:31]:
        _open(w, lina, customer, w.later(minutes=61))
    with w.sessions() as session:
        assert customers_opened(session, lina, w.later(minutes=61)) == 11
    assert _all_alerts(w) == 0


def test_one_alert_per_window_and_a_new_one_only_after_the_window_clears(world_each_engine: World) -> None:
    w = world_each_engine
    lina, customers = w.agent("lina"), _customers(w)
    for customer in customers[:35]:
        _open(w, lina, customer, w.now)
    assert _all_alerts(w) == 1
    # Still over the limit half an hour later: the alert already raised covers it.
    for customer in customers[:35]:
        _open(w, lina, customer, w.later(minutes=30))
    assert _all_alerts(w) == 1
    # An hour after the alert, the hour it counted has passed, and the agent is still over the limit
    # (the 35 opened at half past count): a new alert.
    _open(w, lina, customers[0], w.later(minutes=60))
    assert [a.count for a in _alerts(w, w.later(minutes=60))] == [31, 35]


def test_ticket_customers_count_as_opened_too(world_each_engine: World) -> None:
    w = world_each_engine
    lina, customers = w.agent("lina"), _customers(w)
    for customer in customers[:INSIDER_LIMIT]:
        _open(w, lina, customer, w.now)
    ticket = tickets.open_ticket(w.sessions, Actor(agent_id=lina, now=w.now))
    tickets.update_ticket(
        w.sessions,
        OnCall(agent_id=lina, now=w.now, ticket_id=ticket.ticket_id, customer_id=customers[40]),
        ticket.version,
    )
    assert [a.agent_username for a in _alerts(w, w.now)] == ["lina"]


def test_two_consoles_at_once_count_every_open_and_raise_one_alert(world_each_engine: World) -> None:
    w = world_each_engine
    lina, customers = w.agent("lina"), _customers(w)
    for customer in customers[: INSIDER_LIMIT - 1]:
        _open(w, lina, customer, w.now)
    # The 30th, 31st and 32nd different customers, opened on three consoles at the same moment.
    racing = customers[INSIDER_LIMIT - 1 : INSIDER_LIMIT + 2]
    start = threading.Barrier(len(racing))
    failures: list[BaseException] = []

    def console(customer: int) -> None:
        try:
            start.wait()
            _open(w, lina, customer, w.later(seconds=1))
        except BaseException as error:  # reported below, on the test's thread
            failures.append(error)

    threads = [threading.Thread(target=console, args=(customer,)) for customer in racing]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with w.sessions() as session:
        assert customers_opened(session, lina, w.later(seconds=1)) == INSIDER_LIMIT + 2
    (alert,) = _alerts(w, w.later(seconds=1))
    assert alert.count == INSIDER_LIMIT + 1


def test_another_supervisor_dismisses_the_alert_but_not_the_agent_it_is_about(world_each_engine: World) -> None:
    w = world_each_engine
    chenjing, customers = w.agent("chenjing"), _customers(w)
    for customer in customers[: INSIDER_LIMIT + 1]:
        _open(w, chenjing, customer, w.now)
    (alert,) = _alerts(w, w.now)
    assert alert.agent_username == "chenjing"
    w.typed_password("chenjing")
    w.typed_password("admin")
    with pytest.raises(Refused, match="This alert is about you; another supervisor must look into it"):
        dismiss_insider_alert(w.sessions, w.acting("chenjing"), alert.alert_id, alert.version, "all fine")
    with pytest.raises(Refused, match="Only a supervisor or admin can dismiss insider alerts"):
        dismiss_insider_alert(w.sessions, w.acting("lina"), alert.alert_id, alert.version, "all fine")
    with pytest.raises(InvalidInput, match="enter the reason"):
        dismiss_insider_alert(w.sessions, w.acting("admin"), alert.alert_id, alert.version, "   ")
    with pytest.raises(Conflict, match="changed since you opened it"):
        dismiss_insider_alert(w.sessions, w.acting("admin"), alert.alert_id, alert.version + 1, "ok")
    w.typed_password("admin", w.later(minutes=5))
    dismissed = dismiss_insider_alert(
        w.sessions, w.acting("admin", minutes=5), alert.alert_id, alert.version, "Callback list for a recall."
    )
    assert (dismissed.status, dismissed.dismissed_by) == ("dismissed", "admin")
    assert _alerts(w, w.later(minutes=5)) == []
    with pytest.raises(Refused, match="already dismissed"):
        dismiss_insider_alert(w.sessions, w.acting("admin"), alert.alert_id, dismissed.version, "again")


def test_a_card_is_not_read_where_its_open_cannot_be_noted(world_each_engine: World) -> None:
    w = world_each_engine
    with pytest.raises(RuntimeError, match="pass the write sessions"):
        customer_card(w.database.read_sessions, Actor(agent_id=w.agent("lina"), now=w.now), _customers(w)[0])
