"""Faults of the broker: a visit saved while Redis is down is kept and judged once it is back."""

import pytest

from households.models import Household
from monitoring.models import Alert, Visit
from monitoring.tasks import evaluate_pending
from tests import workers
from tests.conftest import client_for, committed_db
from tests.monitoring.conftest import TODAY, poor_figures

pytestmark = committed_db


@pytest.fixture
def own_broker(tmp_path, monkeypatch):
    redis = workers.RedisServer(tmp_path)
    redis.start()
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    workers.reset_app_connections()
    worker = workers.start_worker(tmp_path / "worker.log", broker_url=redis.url, concurrency=1)
    yield redis
    workers.stop_worker(worker)
    if redis.process.poll() is None:
        redis.stop()
    monkeypatch.undo()
    workers.reset_app_connections()


def test_a_visit_saved_while_redis_is_down_is_kept_and_judged_after_it_returns(
    own_broker, village_worker, household
):
    own_broker.stop()
    client = client_for(village_worker)
    page = client.get(f"/visits/new/?household={household.pk}")
    form = {
        "household": household.pk,
        "client_uuid": page.context["form"].initial["client_uuid"],
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **{k: str(v) for k, v in poor_figures(visited_on=TODAY).items()},
    }
    response = client.post("/visits/new/", form)
    assert response.status_code == 302
    assert Visit.objects.filter(household=household).count() == 1
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is not None
    assert not Alert.objects.exists()

    own_broker.start()
    evaluate_pending.apply_async()  # what beat sends every five minutes
    alert = workers.wait_for(
        lambda: Alert.objects.filter(household=household).first(), message="the sweep"
    )
    assert "income_below_line" in alert.reason_codes
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is None
