"""The embedded default (`make run`) under a burst of visits: a real worker on kombu's filesystem
broker, as `make run` starts it (ops/embedded_worker.py), judges every household of the burst,
each once, soon after the last visit is recorded (issue 21: 150 visits took 72 s, the broker's
one-second poll holding the worker to about two evaluations a second)."""

import os
import signal
import time

import pytest

from config.celery import app
from households import services
from households.models import Household
from monitoring.models import Alert, AlertStatus
from ops.embedded_worker import CONCURRENCY, QUEUES
from tests import workers
from tests.conftest import HOME_VILLAGE, committed_db
from tests.idgen import make_id_number
from tests.monitoring.conftest import REGISTERED, poor_figures, record
from tests.workers import wait_for

pytestmark = committed_db

BURST = 40
# Before the fix a queue of 40 took about 20 s (two a second); now about one batch.
DRAIN_SECONDS = 10


@pytest.fixture
def filesystem_worker(tmp_path, monkeypatch):
    """The embedded worker on a broker folder of its own, and this process publishing there,
    whatever broker the suite runs on (CI's Redis)."""
    folder = tmp_path / "broker"
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True)
    settings_options = app.conf.broker_transport_options
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    app.conf.broker_transport_options = options
    workers.reset_app_connections()
    process = workers.start_worker(
        tmp_path / "worker.log",
        broker_url="filesystem://",
        concurrency=CONCURRENCY,
        queues=QUEUES,
        environment={"DIXIAN_BROKER_DIR": str(folder)},
    )
    try:
        yield process
    finally:
        workers.end_worker(process)
        monkeypatch.undo()
        app.conf.broker_transport_options = settings_options
        workers.reset_app_connections()


def _households(cadre, count: int) -> list[Household]:
    created = [
        services.household_create(
            actor=cadre,
            village_code=HOME_VILLAGE,
            poverty_status="lifted_out",
            poverty_exit_year=2019,
        )
        for _ in range(count)
    ]
    for number, household in enumerate(created, start=1):
        services.member_create(
            actor=cadre,
            household_id=household.pk,
            name="张建国",
            id_number=make_id_number("620423", "19680315", number),
            relation="head",
            labour="ordinary",
            education="junior",
        )
    Household.objects.filter(pk__in=[h.pk for h in created]).update(created_at=REGISTERED)
    return created


def _unjudged(households: list[Household]) -> int:
    return Household.objects.filter(
        pk__in=[h.pk for h in households], evaluation_pending_since__isnull=False
    ).count()


def _queued(tmp_path) -> int:
    return sum(1 for _ in (tmp_path / "broker" / "queue").iterdir())


def test_a_burst_of_visits_is_judged_soon_each_household_once(
    filesystem_worker, township_cadre, tmp_path
):
    warm_up, *burst = _households(township_cadre, BURST + 1)
    # The worker is up once it has judged a first visit.
    record(township_cadre, warm_up, **poor_figures())
    wait_for(lambda: not _unjudged([warm_up]), timeout=120, message="the worker to start")
    # And done with everything queued before the burst (the evaluations the new members asked
    # for): held in the middle of one, it would keep its households locked, and recording a
    # visit to one of them would wait for a worker that is stopped until the visits are in.
    wait_for(lambda: not _unjudged(burst), timeout=120, message="the new members' evaluations")
    wait_for(lambda: not _queued(tmp_path), timeout=120, message="the queue to empty")
    workers.wait_until_worker_idle()

    # The worker held while the burst is recorded, so that the time is the worker's own, however
    # slowly this machine records visits: 40 of them queued at once.
    os.killpg(filesystem_worker.pid, signal.SIGSTOP)
    try:
        for household in burst:
            record(township_cadre, household, **poor_figures())
    finally:
        os.killpg(filesystem_worker.pid, signal.SIGCONT)
    let_go = time.monotonic()
    wait_for(lambda: not _unjudged(burst), timeout=120, message="the burst to be judged")
    drained = time.monotonic() - let_go

    # Each household judged once, as a single evaluation would: one open warning each.
    warnings = Alert.objects.filter(household__in=burst)
    assert warnings.count() == BURST
    assert set(warnings.values_list("status", flat=True)) == {AlertStatus.OPEN}
    assert all(
        "income_below_line" in codes for codes in warnings.values_list("reason_codes", flat=True)
    )
    assert drained < DRAIN_SECONDS, f"40 queued evaluations took {drained:.1f} s"
