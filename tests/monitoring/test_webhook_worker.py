"""Through the queue: a real worker delivers a notification to a local receiver that fails
twice, and the third attempt, after growing pauses, gets through."""

import pytest

from monitoring.models import Webhook, WebhookDelivery
from monitoring.services.notifications import notify
from monitoring.services.webhooks import webhook_create
from tests import workers
from tests.conftest import committed_db
from tests.monitoring.webhook_receiver import Receiver
from tests.workers import wait_for

pytestmark = committed_db

# The worker is another process: it reads these from its environment (config/settings.py).
WORKER_ENVIRONMENT = {
    "DIXIAN_WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1",
    "DIXIAN_WEBHOOK_BACKOFF_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
def webhook_worker(django_db_setup, tmp_path_factory):
    with workers.module_worker(tmp_path_factory, environment=WORKER_ENVIRONMENT) as process:
        yield process


def test_the_worker_retries_a_failing_receiver_until_it_is_delivered(
    webhook_worker, settings, county_officer, village_worker, household
):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    with Receiver(statuses=[500, 500]) as receiver:
        webhook_create(actor=county_officer, name="bridge", url=receiver.url)
        notify(
            [village_worker],
            key="alert_assigned",
            arguments={"number": household.number, "head": household.head_name},
            link="/alerts/",
        )
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(status="delivered").first(),
            timeout=60,
            message="the delivery",
        )
    assert delivery.attempts == 3 and delivery.last_status_code == 200
    assert len(receiver.received) == 3
    assert Webhook.objects.get().pk == delivery.webhook_id
