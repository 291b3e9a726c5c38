"""The worker's listing of an area event (services/area_events.py area_event_list) against what
commits while it ranks or writes: a close, a signal joining the event, another listing of the
same event, a visit to a household of the area; and a listing stopped half-way."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models.functions import Now

from core import queueing
from households import services as household_services
from households.models import Household
from monitoring.models import AreaEvent, Notification, ScreeningTask
from monitoring.services import area_events as services
from monitoring.services.signals import SignalItem, signals_receive
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, committed_db
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

    def ranking_then_work(*args):
        ranked = ranked_tasks(*args)
        in_another_session(work)
        return ranked

    monkeypatch.setattr(services, "_ranked_tasks", ranking_then_work)


def closing(cadre, event):
    """The event closed by the township's cadre (a false alarm), when called."""

    def close():
        services.area_event_close(
            actor=cadre, event=event, version=event.version, note="误报，已核实"
        )

    return close


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

    while_ranking(monkeypatch, closing(township_cadre, event))
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
    AreaEvent.objects.update(listing_since=Now())  # another worker's listing

    assert services.area_event_list(event.pk) is None  # the task tries again later
    assert services.area_events_list_pending(older_than=datetime.timedelta(0)) == 0
    assert not ScreeningTask.objects.exists()

    _lease_run_out()  # that worker died
    assert services.area_event_list(event.pk) == 1
    assert AreaEvent.objects.get().listing_since is None  # given back


def _lease_run_out() -> None:
    """In the database's clock, as the lease is taken (the tests' own clock stands still)."""
    AreaEvent.objects.update(
        listing_since=Now() - services.LISTING_LEASE - datetime.timedelta(seconds=1)
    )


@pytest.fixture
def area_of_three(township_cadre, household) -> list[int]:
    """Three households in the event's township, written one batch each."""
    others = [
        household_services.household_create(
            actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        ).pk
        for _ in range(2)
    ]
    return sorted([household.pk, *others])


def after_first_batch(monkeypatch, work) -> None:
    """Run `work` in another session once the listing's first batch has committed."""
    monkeypatch.setattr(services, "TASK_BATCH", 1)
    batch_listed, done = services._batch_listed, []

    def batch_then_work(*args, **kwargs):
        listed = batch_listed(*args, **kwargs)
        if not done:
            done.append(True)
            in_another_session(work)
        return listed

    monkeypatch.setattr(services, "_batch_listed", batch_then_work)


def test_a_household_of_the_area_is_held_for_its_batch_only(
    monkeypatch, api_client_user, area_of_three
):
    """A visit recorded while a county's list is written waits for one batch, not the list."""
    signals_receive(actor=api_client_user, items=[area_signal("H1")])
    event = AreaEvent.objects.get()
    first = []

    def visit_to_a_listed_household():
        (listed,) = ScreeningTask.objects.values_list("household_id", flat=True)
        first.append(listed)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        Household.objects.filter(pk=listed).update(last_visit_on=TODAY)

    after_first_batch(monkeypatch, visit_to_a_listed_household)
    assert services.area_event_list(event.pk) == 3
    assert Household.objects.get(pk=first[0]).last_visit_on == TODAY
    ranks = ScreeningTask.objects.order_by("rank").values_list("rank", flat=True)
    assert list(ranks) == [1, 2, 3]
    assert area_notices() == [3]


def test_a_household_moved_out_of_the_area_while_it_is_ranked_gets_no_task(
    monkeypatch, api_client_user, area_of_three
):
    signals_receive(actor=api_client_user, items=[area_signal("M1")])
    event = AreaEvent.objects.get()
    moved = area_of_three[1]

    while_ranking(
        monkeypatch,
        lambda: Household.objects.filter(pk=moved).update(village_id=OTHER_TOWNSHIP_VILLAGE),
    )
    assert services.area_event_list(event.pk) == 2
    tasks = ScreeningTask.objects.order_by("rank").values_list("household_id", "rank")
    assert sorted(household for household, _ in tasks) == [area_of_three[0], area_of_three[2]]
    assert [rank for _, rank in tasks] == [1, 2]
    assert area_notices() == [2]


def test_an_event_closed_while_its_list_is_written_gets_no_more_tasks(
    monkeypatch, api_client_user, township_cadre, area_of_three
):
    signals_receive(actor=api_client_user, items=[area_signal("C1")])
    event = AreaEvent.objects.get()

    after_first_batch(monkeypatch, closing(township_cadre, event))
    assert services.area_event_list(event.pk) == 1
    event.refresh_from_db()
    assert event.status == "closed" and event.listing_since is None
    assert ScreeningTask.objects.count() == 1 and area_notices() == []


class WorkerKilled(BaseException):
    """A worker stopped between two batches (killed: its lease is not given back)."""


def test_a_listing_stopped_half_way_is_finished_by_the_next_once_its_lease_runs_out(
    monkeypatch, api_client_user, area_of_three
):
    signals_receive(actor=api_client_user, items=[area_signal("K1")])
    event = AreaEvent.objects.get()
    monkeypatch.setattr(services, "TASK_BATCH", 1)
    batch_listed = services._batch_listed

    def killed_after_one(*args, **kwargs):
        if ScreeningTask.objects.exists():
            raise WorkerKilled
        return batch_listed(*args, **kwargs)

    monkeypatch.setattr(services, "_batch_listed", killed_after_one)
    with pytest.raises(WorkerKilled):
        services.area_event_list(event.pk)
    # An error gives the lease back; a killed process cannot, and leaves it held.
    assert AreaEvent.objects.get().listing_since is None
    AreaEvent.objects.update(listing_since=Now())
    monkeypatch.setattr(services, "_batch_listed", batch_listed)
    assert ScreeningTask.objects.count() == 1
    # Its households' evaluations asked for with their tasks, and not those without one.
    pending = Household.objects.filter(evaluation_pending_since__isnull=False)
    assert set(pending.values_list("pk", flat=True)) >= set(
        ScreeningTask.objects.values_list("household_id", flat=True)
    )

    assert services.area_events_list_pending(older_than=datetime.timedelta(0)) == 0  # leased
    _lease_run_out()
    assert services.area_events_list_pending(older_than=datetime.timedelta(0)) == 1
    tasks = ScreeningTask.objects.order_by("rank")
    assert list(tasks.values_list("rank", flat=True)) == [1, 2, 3]
    assert sorted(tasks.values_list("household_id", flat=True)) == area_of_three
    event.refresh_from_db()
    assert event.listed_at is not None and event.listing_requested_at is None
    assert area_notices() == [3]  # told once, of the whole list


def test_the_sweep_leaves_a_list_just_asked_for_to_its_task(api_client_user, household):
    signals_receive(actor=api_client_user, items=[area_signal("S1")])
    assert services.area_events_list_pending() == 0
    AreaEvent.objects.update(
        listing_requested_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=2)
    )
    assert services.area_events_list_pending() == 1
    assert ScreeningTask.objects.count() == 1


def test_a_listing_whose_lease_another_took_writes_nothing_more(
    monkeypatch, api_client_user, area_of_three
):
    """Its lease ran out (a worker slowed down past ten minutes) and another listing took it:
    the slow one stops at its next batch and leaves the other's lease alone."""
    signals_receive(actor=api_client_user, items=[area_signal("L1")])
    event = AreaEvent.objects.get()
    after_first_batch(monkeypatch, lambda: AreaEvent.objects.update(listing_since=Now()))

    assert services.area_event_list(event.pk) is None
    assert ScreeningTask.objects.count() == 1
    event.refresh_from_db()
    assert event.listing_since is not None  # the other's, not given back by the slow one
    assert event.listed_at is None and event.listing_requested_at is not None
    assert area_notices() == []


def test_the_list_queues_a_sweep_of_its_evaluations_not_a_task_a_household(
    monkeypatch, api_client_user, area_of_three
):
    signals_receive(actor=api_client_user, items=[area_signal("Q1")])
    event = AreaEvent.objects.get()
    sent: list[tuple] = []
    monkeypatch.setattr(queueing, "enqueue", lambda *task: sent.append(task))
    monkeypatch.setattr(services, "TASK_BATCH", 1)
    monkeypatch.setattr(services, "SWEEP_EVERY_BATCHES", 2)

    assert services.area_event_list(event.pk) == 3

    # After the first and the third batch, and once the list is done; and the township told.
    assert [task[0] for task in sent if task[0] != queueing.NOTIFICATION_DELIVER] == [
        queueing.EVALUATE_PENDING
    ] * 3
    marked = Household.objects.filter(pk__in=area_of_three, evaluation_pending_since__isnull=False)
    assert marked.count() == 3
