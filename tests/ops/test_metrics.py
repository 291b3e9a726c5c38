"""/metrics: django-prometheus's figures and Dixian's own, only for an allowed scraper."""

import ipaddress
from datetime import timedelta

import pytest
import redis
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from households.models import Household
from monitoring.models import Alert, EvaluationFailure, ScanRun
from tests import workers

OUTSIDE_ADDRESS = "203.0.113.9"
TOKEN = "scrape-token-for-tests"


def _scraper() -> Client:
    return Client(REMOTE_ADDR=OUTSIDE_ADDRESS, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def _samples(response) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _scan(*, scope: str, households: int, minutes: float, hours_ago: float, status="finished"):
    run = ScanRun.objects.create(
        trigger="manual", scope=scope, as_of=timezone.localdate(), status=status
    )
    finished = timezone.now() - timedelta(hours=hours_ago)
    ScanRun.objects.filter(pk=run.pk).update(
        started_at=finished - timedelta(minutes=minutes),
        finished_at=finished if status == "finished" else None,
        households_judged=households,
    )


@pytest.fixture
def redis_broker(tmp_path):
    server = workers.RedisServer(tmp_path)
    server.start()
    with override_settings(CELERY_BROKER_URL=server.url):
        yield redis.Redis.from_url(server.url)
    server.stop()


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=TOKEN)
def test_allowed_scraper_reads_every_dixian_metric(
    household, other_township_household, redis_broker
):
    _scan(scope="", households=3, minutes=2, hours_ago=5)  # the older county-wide run
    _scan(scope="", households=3, minutes=1.5, hours_ago=1)
    _scan(scope="620423100", households=2, minutes=0.5, hours_ago=3)
    _scan(scope="", households=0, minutes=1, hours_ago=0, status="running")
    Alert.objects.create(
        household=household, source="rules", level="high", opened_at=timezone.now()
    )
    Household.objects.filter(pk=household.pk).update(
        evaluation_pending_since=timezone.now() - timedelta(minutes=10)
    )
    Household.objects.exclude(pk=household.pk).update(evaluation_pending_since=None)
    now = timezone.now()
    EvaluationFailure.objects.create(
        household=household,
        error="ZeroDivisionError",
        first_failed_at=now,
        last_failed_at=now,
        retry_after=now,
    )
    redis_broker.rpush("scans", "one", "two")
    redis_broker.rpush("interactive", "three")
    Client().get("/login/")  # a request for django-prometheus to count

    with CaptureQueriesContext(connection) as queries:
        response = _scraper().get("/metrics")

    assert response.status_code == 200
    # Six small aggregates per scrape whatever the county's size: scans (three), warnings,
    # pending evaluations, failing ones.
    assert len(queries) == 6
    samples = _samples(response)
    assert samples[("django_http_requests_total_by_method_total", (("method", "GET"),))] >= 1
    # The database backend is django-prometheus's: every query is counted.
    db = (("alias", "default"), ("vendor", "postgresql"))
    assert samples[("django_db_execute_total", db)] >= 5
    assert samples[("dixian_scan_last_households_judged", (("scope", ""),))] == 3
    assert samples[("dixian_scan_last_households_judged", (("scope", "620423100"),))] == 2
    assert samples[("dixian_scan_last_duration_seconds", (("scope", ""),))] == pytest.approx(90)
    assert samples[("dixian_scan_duration_seconds_count", ())] == 3
    assert samples[("dixian_scan_duration_seconds_sum", ())] == pytest.approx(120 + 90 + 30)
    assert samples[("dixian_scan_last_finished_age_seconds", ())] == pytest.approx(3600, abs=60)
    assert samples[("dixian_scan_runs", (("status", "finished"),))] == 3
    assert samples[("dixian_scan_runs", (("status", "running"),))] == 1
    assert samples[("dixian_scan_runs", (("status", "failed"),))] == 0
    assert samples[("dixian_warnings_active", (("level", "high"),))] == 1
    assert samples[("dixian_households_evaluation_pending", ())] == 1
    assert samples[
        ("dixian_households_evaluation_pending_oldest_age_seconds", ())
    ] == pytest.approx(600, abs=60)
    assert samples[("dixian_households_evaluation_failing", ())] == 1
    assert samples[("dixian_celery_queue_length", (("queue", "scans"),))] == 2
    assert samples[("dixian_celery_queue_length", (("queue", "interactive"),))] == 1
    assert samples[("dixian_celery_queue_length", (("queue", "celery"),))] == 0


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=TOKEN)
def test_broker_down_leaves_the_other_figures(household):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = _scraper().get("/metrics")

    assert response.status_code == 200
    samples = _samples(response)
    assert ("dixian_households_evaluation_pending", ()) in samples
    assert not any(name == "dixian_celery_queue_length" for name, _ in samples)


@pytest.mark.django_db
def test_outsider_is_refused():
    assert Client().get("/metrics", REMOTE_ADDR=OUTSIDE_ADDRESS).status_code == 404


@pytest.mark.django_db
def test_loopback_is_not_trusted_by_default():
    # A reverse proxy on the same host makes every caller look like 127.0.0.1, and a proxy
    # need not say so with a forwarding header (nginx adds none unless told to).
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 404


@pytest.mark.django_db
def test_a_listed_address_may_scrape_without_the_token(settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]

    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404


@pytest.mark.django_db
def test_request_through_a_proxy_is_not_trusted_by_its_address(settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.1")]
    response = Client().get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE_ADDRESS)

    assert response.status_code == 404


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="scrape-token-for-tests")
def test_bearer_token_lets_a_scraper_in_from_anywhere():
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)

    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-for-tests").status_code
        == 200
    )
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="").status_code == 404


@pytest.mark.django_db
def test_no_token_configured_lets_no_token_in():
    response = Client(REMOTE_ADDR=OUTSIDE_ADDRESS).get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 404
