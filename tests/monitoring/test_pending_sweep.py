"""The sweep of households whose evaluation was asked for and not made: the oldest requests first,
at most its batch, and never a household another transaction holds (a second sweep at once, a
visit being recorded). Through the queue, a sweep that fills its batch queues the next one
(tests/monitoring/test_worker.py)."""

import contextlib
import datetime

import pytest
from django.db import connection
from django.utils import timezone

from core import queueing
from households import services as household_services
from households.models import Household
from monitoring import scans, tasks
from tests import workers
from tests.conftest import committed_db

VILLAGE = "620423100200"


def _waiting(actor, count: int) -> list[int]:
    """`count` households marked as waiting, the first asked for first (a minute apart)."""
    ids = [
        household_services.household_create(
            actor=actor, village_code=VILLAGE, poverty_status="ordinary"
        ).pk
        for _ in range(count)
    ]
    asked = timezone.now() - datetime.timedelta(hours=1)
    for minutes, household_id in enumerate(ids):
        Household.objects.filter(pk=household_id).update(
            evaluation_pending_since=asked + datetime.timedelta(minutes=minutes), recheck_on=None
        )
    return ids


def _judged(ids: list[int]) -> list[int]:
    return sorted(
        Household.objects.filter(
            pk__in=ids, evaluation_pending_since__isnull=True, recheck_on__isnull=False
        ).values_list("pk", flat=True)
    )


@contextlib.contextmanager
def _lock_timeout():
    """A wait for a lock fails the test within seconds instead of hanging it."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def test_a_sweep_judges_its_batch_the_oldest_requests_first(db, township_cadre):
    ids = _waiting(township_cadre, 5)

    assert scans.evaluate_pending(limit=2) == 2
    assert _judged(ids) == ids[:2]

    assert scans.evaluate_pending(limit=10) == 3
    assert _judged(ids) == ids
    assert scans.evaluate_pending(limit=10) == 0


@committed_db
def test_a_sweep_leaves_a_household_another_transaction_holds_and_judges_the_rest(
    township_cadre,
):
    ids = _waiting(township_cadre, 4)
    held = ids[0]  # the oldest request: the first a sweep would take

    with workers.row_locked("households_household", held), _lock_timeout():
        assert scans.evaluate_pending(limit=10) == 3  # without waiting for the holder
    assert _judged(ids) == ids[1:]

    assert scans.evaluate_pending(limit=10) == 1
    assert _judged(ids) == ids


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    sent: list[tuple] = []
    monkeypatch.setattr(queueing, "enqueue", lambda *task: sent.append(task))
    return sent


def test_the_sweep_task_queues_the_next_sweep_after_a_full_batch_only(db, township_cadre, queued):
    _waiting(township_cadre, 5)

    assert tasks.evaluate_pending(2) == 2  # a full batch: more may wait
    assert queued == [(queueing.EVALUATE_PENDING, [2], "celery")]

    assert tasks.evaluate_pending(4) == 3  # the rest: nothing more to queue
    assert tasks.evaluate_pending(4) == 0
    assert tasks.evaluate_pending(0) == 0  # a batch of none is no chain of empty sweeps
    assert queued == [(queueing.EVALUATE_PENDING, [2], "celery")]
