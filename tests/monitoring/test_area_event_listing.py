"""The worker's listing of an area event (services/area_events.py area_event_list) against what
commits while it ranks: a close, a signal joining the event, another listing of the same event."""

import datetime
import threading

import psycopg
from django.db import connection

from monitoring.models import AreaEvent, Notification, ScreeningTask
from monitoring.services import area_events as services
from monitoring.services.signals import SignalItem, signals_receive
from tests.conftest import HOME_TOWNSHIP, committed_db
from tests.monitoring.conftest import TODAY

pytestmark = committed_db


def area_signal(external_id: str) -> SignalItem:
    return SignalItem(
        source="emergency",
        external_id=external_id,
        kind="disaster_area",
        occurred_on=TODAY - datetime.timedelta(days=1),
        region_code=HOME_TOWNSHIP,
    )


def in_another_session(work) -> None:
    """`work` run and committed by another connection, as another request or worker would."""
    errors = []

    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def while_ranking(monkeypatch, work) -> None:
    """Run `work` in another session after the listing has ranked, before it writes."""
    ranked_tasks = services._ranked_tasks

    def ranking_then_work(event, today):
        ranked = ranked_tasks(event, today)
        in_another_session(work)
        return ranked

    monkeypatch.setattr(services, "_ranked_tasks", ranking_then_work)


def area_notices() -> list[int]:
    return list(
        Notification.objects.filter(message_key="area_event").values_list(
            "arguments__count", flat=True
        )
    )


def test_an_event_closed_while_it_is_ranked_gets_no_list(
    monkeypatch, api_client_user, township_cadre, household
):
    signals_receive(actor=api_client_user, items=[area_signal("X1")])
    event = AreaEvent.objects.get()

    def close():
        services.area_event_close(
            actor=township_cadre, event=event, version=event.version, note="误报，已核实"
        )

    while_ranking(monkeypatch, close)
    assert services.area_event_list(event.pk) == 0
    event.refresh_from_db()
    assert event.status == "closed" and event.listing_requested_at is None
    assert not ScreeningTask.objects.exists() and area_notices() == []


def test_a_signal_joining_while_it_is_ranked_is_listed_again_and_nobody_told_twice(
    monkeypatch, api_client_user, township_cadre, household
):
    signals_receive(actor=api_client_user, items=[area_signal("J1")])
    event = AreaEvent.objects.get()
    while_ranking(
        monkeypatch, lambda: signals_receive(actor=api_client_user, items=[area_signal("J2")])
    )
    assert services.area_event_list(event.pk) == 1
    event.refresh_from_db()
    # Made once, and asked for again by the join, which its own task does.
    assert event.listed_at is not None and event.listing_requested_at is not None
    assert area_notices() == [1]
    monkeypatch.undo()
    assert services.area_event_list(event.pk) == 0
    event.refresh_from_db()
    assert event.listing_requested_at is None and event.signal_count == 2
    assert ScreeningTask.objects.count() == 1 and area_notices() == [1]


def test_a_listing_of_an_event_being_listed_steps_aside(api_client_user, household):
    signals_receive(actor=api_client_user, items=[area_signal("B1")])
    event = AreaEvent.objects.get()
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"],
        password=settings["PASSWORD"],
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [services.LISTING_LOCK, event.pk])
        assert services.area_event_list(event.pk) is None  # the task tries again later
        assert services.area_events_list_pending(older_than=datetime.timedelta(0)) == 0
        assert not ScreeningTask.objects.exists()
    finally:
        # Unlocked before closing: a closed connection's backend lets go of its session locks
        # when it exits, a moment after close() returns, and the listing below could still
        # find the event locked.
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [services.LISTING_LOCK, event.pk])
        other.close()
    assert services.area_event_list(event.pk) == 1


def test_the_sweep_leaves_a_list_just_asked_for_to_its_task(api_client_user, household):
    signals_receive(actor=api_client_user, items=[area_signal("S1")])
    assert services.area_events_list_pending() == 0
    AreaEvent.objects.update(
        listing_requested_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=2)
    )
    assert services.area_events_list_pending() == 1
    assert ScreeningTask.objects.count() == 1
