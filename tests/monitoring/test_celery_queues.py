"""A county scan never delays a village worker: one household's evaluation after a visit and
the chunks of a scan travel on separate queues, served by separate workers in production
(docker-compose.yml: `worker` takes interactive and celery, `scan-worker` takes scans)."""

import pytest
import yaml

from config.celery import app
from monitoring import scans
from monitoring.models import Alert, ScanRun
from tests import workers
from tests.conftest import committed_db
from tests.monitoring.conftest import TODAY, poor_figures, record
from tests.workers import wait_for

pytestmark = committed_db


@pytest.fixture
def interactive_worker(tmp_path, monkeypatch):
    """A worker of the interactive queue only, as the web-facing worker runs in production, on a
    Redis of its own: the session's worker takes every queue and would run the scan's chunks."""
    redis = workers.RedisServer(tmp_path)
    redis.start()
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    workers.reset_app_connections()
    process = workers.start_worker(
        tmp_path / "worker.log", broker_url=redis.url, queues="interactive,celery"
    )
    yield process
    workers.end_worker(process)
    redis.stop()  # and the scan's chunks, never taken, with it
    monkeypatch.undo()
    workers.reset_app_connections()


def test_a_visit_is_judged_while_a_county_scan_waits_in_its_own_queue(
    interactive_worker, village_worker, household
):
    # A county scan is queued and nobody takes its chunks: in production, a scan-worker busy
    # with them. The visit's evaluation must not wait behind it.
    run = scans.scan_start(trigger="manual", scope="620423", as_of=TODAY)
    assert run.chunks_total >= 1
    record(village_worker, household, **poor_figures(visited_on=TODAY))

    alert = wait_for(lambda: Alert.objects.filter(household=household).first(), message="alert")
    assert "income_below_line" in alert.reason_codes
    wait_for(
        lambda: (
            not type(household)
            .objects.filter(pk=household.pk, evaluation_pending_since__isnull=False)
            .exists()
        ),
        message="the evaluation to finish",
    )
    assert ScanRun.objects.get(pk=run.pk).status == "running"


def test_the_routes_and_the_compose_file_keep_the_queues_apart(settings):
    routes = settings.CELERY_TASK_ROUTES
    assert routes["monitoring.tasks.evaluate_household"]["queue"] == "interactive"
    assert routes["monitoring.tasks.scan_chunk"]["queue"] == "scans"
    assert app.amqp.router.route({}, "monitoring.tasks.scan_chunk")["queue"].name == "scans"

    services = yaml.safe_load(open(workers.BASE_DIR / "docker-compose.yml"))["services"]
    queues = {
        name: service["command"][service["command"].index("-Q") + 1].split(",")
        for name, service in services.items()
        if "worker" in service.get("command", [])
    }
    serving_scans = [name for name, taken in queues.items() if "scans" in taken]
    serving_visits = [name for name, taken in queues.items() if "interactive" in taken]
    assert serving_scans and serving_visits
    assert not set(serving_scans) & set(serving_visits)
