"""A worker killed in the middle of a county scan: its chunk comes back and the alerts end as if
nothing had happened.

The worker is SIGKILLed while it works on a chunk, so it never acknowledges the task; Redis gives
the task back once the visibility timeout has passed (settings, shortened here) and the next
worker finishes the scan. Nothing here guesses a timing: the chunk is held on a household row
the test locks, the kill comes once the worker's backend is seen waiting for that lock, and the
next worker starts once Redis's own clock is past the task's visibility timeout.
"""

from datetime import timedelta

import pytest
import redis as redis_client
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from households import services as household_services
from households.models import Household
from monitoring import scans
from monitoring.models import Alert, AlertEvent, ScanRun
from tests import workers
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, committed_db
from tests.monitoring.conftest import REGISTERED, TODAY, poor_figures, record

VISIBILITY_TIMEOUT = 2  # seconds; the deployment's is 35 minutes (settings)


def _households(cadre, worker, village: str, count: int) -> list[Household]:
    created = []
    for index in range(count):
        household = household_services.household_create(
            actor=cadre, village_code=village, poverty_status="ordinary"
        )
        Household.objects.filter(pk=household.pk).update(created_at=REGISTERED)
        household.refresh_from_db()
        record(worker, household, **(poor_figures() if index % 2 == 0 else {}))
        created.append(household)
    return created


@pytest.fixture
def county(township_cadre, other_township_cadre, village_worker):
    """Two townships, so the scan has two chunks; in the second, a household whose alert the
    scan must resolve (its latest visit is fine again)."""
    other_worker = User.objects.create_user(
        username="other_village_worker",
        password="test-password-123",
        role=Role.VILLAGE_WORKER,
        region_id=OTHER_TOWNSHIP_VILLAGE,
    )
    home = _households(township_cadre, village_worker, HOME_VILLAGE, 5)
    other = _households(other_township_cadre, other_worker, OTHER_TOWNSHIP_VILLAGE, 5)
    recovered = other[0]  # poor at its last visit: judged now, so it has an open alert
    scans.evaluate_one(recovered.pk, as_of=TODAY)
    assert Alert.objects.filter(household=recovered, status="open").exists()
    record(other_worker, recovered, visited_on=TODAY)
    return home, other


def _outcome(run_id: int) -> dict:
    """What a scan leaves behind, without ids and clocks."""
    run = ScanRun.objects.get(pk=run_id)
    return {
        "run": (
            run.status,
            run.chunks_done,
            run.households_judged,
            run.alerts_opened,
            run.alerts_updated,
            run.alerts_resolved,
        ),
        "households": list(
            Household.objects.order_by("pk").values_list(
                "pk", "risk_level", "risk_score", "risk_reasons", "recheck_on"
            )
        ),
        "pending": Household.objects.filter(evaluation_pending_since__isnull=False).count(),
        "alerts": sorted(
            Alert.objects.values_list(
                "household_id", "status", "source", "level", "score", "reason_codes", "reasons"
            )
        ),
        "events": sorted(AlertEvent.objects.values_list("alert__household_id", "action")),
    }


def _reference_scan() -> dict:
    """An undisturbed scan of the same data, in a transaction that is then rolled back."""
    with transaction.atomic():
        run = scans.scan_run_inline(trigger="manual", scope="620423", as_of=TODAY)
        outcome = _outcome(run.pk)
        transaction.set_rollback(True)
    return outcome


def _redelivery_due(redis) -> bool:
    """Redis's clock is past the visibility timeout of every task taken and not acknowledged."""
    client = redis_client.Redis.from_url(redis.url)
    taken = client.zrange("unacked_index", 0, -1, withscores=True)
    seconds, micros = client.time()
    return bool(taken) and all(
        seconds + micros / 1e6 > score + VISIBILITY_TIMEOUT + 0.5 for _, score in taken
    )


@committed_db
def test_a_worker_killed_in_the_middle_of_a_scan_leaves_the_alerts_of_an_undisturbed_scan(
    tmp_path, monkeypatch, county
):
    home, other = county
    expected = _reference_scan()
    assert expected["run"][0] == "finished" and expected["run"][1] == 2
    assert expected["run"][3] >= 2 and expected["run"][5] == 1  # opened and resolved
    monkeypatch.setenv("DIXIAN_BROKER_VISIBILITY_TIMEOUT", str(VISIBILITY_TIMEOUT))

    with workers.broker_of_our_own(tmp_path, monkeypatch) as redis:
        first = workers.start_worker(
            tmp_path / "first.log", broker_url=redis.url, concurrency=1, queues="scans"
        )
        try:
            with workers.row_locked("households_household", other[-1].pk):
                run = scans.scan_start(trigger="manual", scope="620423", as_of=TODAY)
                workers.wait_for(
                    lambda: (
                        ScanRun.objects.get(pk=run.pk).chunks_done == 1
                        and workers.worker_backends_waiting_on_a_lock()
                    ),
                    message="the first chunk done and the second waiting",
                )
                workers.stop_worker(first, kill=True)
            # The killed worker's backend rolls back once it finds its client gone.
        finally:
            workers.stop_worker(first, kill=True)
        assert ScanRun.objects.get(pk=run.pk).status == "running"
        workers.wait_for(
            lambda: _redelivery_due(redis), message="the visibility timeout", timeout=30
        )

        second = workers.start_worker(
            tmp_path / "second.log", broker_url=redis.url, concurrency=1, queues="scans"
        )
        try:
            workers.wait_for(
                lambda: ScanRun.objects.get(pk=run.pk).status == "finished",
                message="the scan finished by the next worker",
                timeout=90,
            )
        finally:
            workers.stop_worker(second)
        log = (tmp_path / "second.log").read_text(errors="replace")

    assert _outcome(run.pk) == expected, log[-3000:]
    # One evaluation of each household: nothing counted twice for the chunk that ran twice.
    assert ScanRun.objects.get(pk=run.pk).households_judged == len(home) + len(other)


def test_the_broker_visibility_timeout_outlasts_the_longest_task(settings):
    """A chunk still running must never be handed to a second worker."""
    assert settings.BROKER_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT


@committed_db
def test_a_scan_whose_chunk_never_comes_back_is_started_again_and_ends_as_undisturbed(
    tmp_path, monkeypatch, settings, county
):
    """A chunk that gave up its retries (the database down longer than they last) is gone for
    good: the sweep marks its run failed after SCAN_STALLED_AFTER_MINUTES and scans again."""
    expected = _reference_scan()
    stalled = ScanRun.objects.create(
        scope="620423", trigger="manual", as_of=TODAY, chunks_total=2, chunks_done=1
    )
    recent = ScanRun.objects.create(scope="620423", trigger="manual", as_of=TODAY)
    too_long = timezone.now() - timedelta(minutes=settings.SCAN_STALLED_AFTER_MINUTES + 1)
    ScanRun.objects.filter(pk=stalled.pk).update(started_at=too_long)

    with workers.broker_of_our_own(tmp_path, monkeypatch) as redis:
        worker = workers.start_worker(
            tmp_path / "worker.log", broker_url=redis.url, concurrency=1, queues="scans"
        )
        try:
            (again,) = scans.scan_resume_stalled()
            assert scans.scan_resume_stalled() == []  # restarted once
            workers.wait_for(
                lambda: ScanRun.objects.get(pk=again.pk).status == "finished",
                message="the scan started again",
                timeout=90,
            )
        finally:
            workers.stop_worker(worker)

    assert ScanRun.objects.get(pk=stalled.pk).status == "failed"
    assert ScanRun.objects.get(pk=recent.pk).status == "running"  # still has its chance
    assert _outcome(again.pk) == expected


@pytest.mark.django_db
def test_a_chunk_of_a_run_this_database_does_not_know_judges_nobody(county):
    """A task an earlier database's run left in the broker (a restore, a rebuilt bench) is
    dropped: had it judged its households, their warnings would be counted by no run, and the
    run that follows would find them open and count none (docs/benchmarks.md, 53,433)."""
    home, _ = county
    unknown = (ScanRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    before = Alert.objects.count()

    outcome = scans.scan_chunk(
        unknown, scope=HOME_VILLAGE[:9], id_from=home[0].pk, id_to=home[-1].pk, as_of=TODAY
    )

    assert (outcome.judged, outcome.opened) == (0, 0)
    assert Alert.objects.count() == before
    assert not ScanRun.objects.filter(pk=unknown).exists()
