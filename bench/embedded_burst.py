"""The embedded default (`make run`) under a burst of visits: 150 visits recorded one after
another through the visit service, as the API records them, and the time until every one of
their households has been judged by the embedded worker on kombu's filesystem broker.

It runs in a database of its own beside the bench's (bench/run.py, OWN_DATABASE), a county of
the embedded demo's size (3,000 households), built once and kept: the burst commits (a real
worker must see its visits), and the bench's own registry is left as it was. The worker is the
one `make run` starts (ops/embedded_worker.py), on a broker folder of the step's own.

    embedded_burst_seconds          first visit recorded → every household of the burst judged
    embedded_burst_record_seconds   recording the 150 visits (their transactions, queueing)
    embedded_burst_drain_seconds    last visit recorded → every household judged
    embedded_burst_backlog_seconds  150 more visits recorded while the worker is held (SIGSTOP),
                                    then let go: the worker's own pace on a queue 150 deep, which
                                    the first figure hides when recording is the slower part

Recording runs in this process on the same two cores as the worker: on a busy machine it is
most of the first figure, so the machine's load average is kept with the figures.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ops.embedded_worker import worker_command

BURST = 150
COUNTY_HOUSEHOLDS = 3000
BASE_DIR = Path(__file__).resolve().parent.parent


def measure_embedded_burst() -> dict:
    from django.core.management import call_command

    from accounts.models import Role
    from bench.common import COUNTY, user
    from households.models import Household

    call_command("migrate", verbosity=0)
    if not Household.objects.exists():
        from bench.run import step_build

        step_build(COUNTY_HOUSEHOLDS)
    assert settings.CELERY_BROKER_URL.startswith("filesystem"), settings.CELERY_BROKER_URL
    officer = user("bench-burst", Role.COUNTY_OFFICER, COUNTY)
    # Households not waiting for an evaluation already, a different set each run (the visits
    # stay), the warm-up's first.
    ids = list(
        Household.objects.filter(evaluation_pending_since__isnull=True)
        .order_by("last_visit_on", "id")
        .values_list("id", flat=True)[: 2 * BURST + 1]
    )
    warm_up, burst, backlog = ids[0], ids[1 : BURST + 1], ids[BURST + 1 :]
    _empty_broker()
    worker = subprocess.Popen(
        worker_command(sys.executable, name=f"bench-burst-{time.monotonic_ns()}@%h"),
        cwd=BASE_DIR,
        env=dict(os.environ),
        stdout=sys.stderr,  # our stdout carries the step's JSON result
        stderr=sys.stderr,
        start_new_session=True,  # its own process group: held and let go as one
    )
    load_before = os.getloadavg()[0]
    try:
        # The worker is ready once it has judged a first household.
        _record(officer, warm_up)
        _wait_judged([warm_up], timeout=300)
        started = time.monotonic()
        for household_id in burst:
            _record(officer, household_id)
        recorded = time.monotonic()
        _wait_judged(burst, timeout=600)
        done = time.monotonic()
        os.killpg(worker.pid, signal.SIGSTOP)
        try:
            for household_id in backlog:
                _record(officer, household_id)
        finally:
            let_go = time.monotonic()
            os.killpg(worker.pid, signal.SIGCONT)
        _wait_judged(backlog, timeout=600)
        backlog_done = time.monotonic()
    finally:
        worker.terminate()  # the main process, which stops its pool in a warm shutdown
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    return {
        "embedded_burst_seconds": round(done - started, 2),
        "embedded_burst_record_seconds": round(recorded - started, 2),
        "embedded_burst_drain_seconds": round(done - recorded, 2),
        "embedded_burst_backlog_seconds": round(backlog_done - let_go, 2),
        "embedded_burst_load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "embedded_burst_visits": len(burst),
        "embedded_burst_households": Household.objects.count(),
        "embedded_burst_broker": settings.CELERY_BROKER_URL,
        "embedded_burst_polling_interval": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
            "polling_interval", 1.0
        ),
    }


def _empty_broker() -> None:
    """Nothing a previous run left in the step's broker folder."""
    for folder in ("queue", "processed"):
        path = Path(settings.BROKER_DIR) / folder
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)


def _record(officer, household_id: int) -> None:
    from monitoring.services.visits import visit_record

    income = Decimal(3000 + household_id % 40 * 1000)
    visit_record(
        actor=officer,
        household_id=household_id,
        client_uuid=uuid.uuid4(),
        visited_on=timezone.localdate(),
        household_size=4,
        wage_income=income * Decimal("0.6"),
        business_income=income * Decimal("0.3"),
        property_income=Decimal(0),
        transfer_income=income * Decimal("0.1"),
        medical_spending=Decimal(0),
        education_spending=Decimal(0),
        disaster_loss=Decimal(0),
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
    )


def _wait_judged(household_ids: list[int], *, timeout: float) -> None:
    """Until none of the households waits for its evaluation (the engine clears the flag)."""
    from households.models import Household

    deadline = time.monotonic() + timeout
    waiting = Household.objects.filter(pk__in=household_ids, evaluation_pending_since__isnull=False)
    while waiting.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{waiting.count()} households still unjudged after {timeout} s")
        time.sleep(0.05)
