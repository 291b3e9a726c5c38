"""/healthz and /healthz/live: what the orchestrator sees when things are up, down or late."""

import json
import socket
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone

from monitoring.models import ScanRun
from ops import health
from tests.conftest import client_for


def _closed_port() -> int:
    # A port that was free a moment ago: nothing listens on it, so a connection is refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _finished_scan(hours_ago: float) -> ScanRun:
    run = ScanRun.objects.create(trigger="nightly", as_of=timezone.localdate(), status="finished")
    finished = timezone.now() - timedelta(hours=hours_ago)
    ScanRun.objects.filter(pk=run.pk).update(
        started_at=finished - timedelta(minutes=3), finished_at=finished
    )
    return run


TOKEN = "operator-token-for-tests"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def _operator() -> Client:
    """The operator's scraper: the /metrics token reads the checks too."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def _checks(response) -> dict:
    return {name: check["status"] for name, check in json.loads(response.content)["checks"].items()}


@pytest.mark.django_db
def test_everything_up_answers_200_with_each_check_and_nothing_else():
    _finished_scan(hours_ago=2)
    sessions_before = Session.objects.count()

    response = _operator().get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert _checks(response) == {
        "web": "ok",
        "database": "ok",
        "broker": "ok",
        "last_scan": "ok",
    }
    # Status and latency only: no versions, host names or error text, even for the operator.
    assert all(set(check) == {"status", "latency_ms"} for check in body["checks"].values())
    assert "Set-Cookie" not in response.headers
    assert Session.objects.count() == sessions_before
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_probe_by_pod_address_is_answered_though_the_host_is_not_allowed():
    _finished_scan(hours_ago=2)

    response = Client().get("/healthz/", HTTP_HOST="10.42.0.17:8000")

    assert response.status_code == 200


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_probe_over_plain_http_is_not_redirected_to_https():
    # Production redirects to https; the orchestrator probes the container over plain HTTP.
    assert Client().get("/healthz/live").status_code == 200
    assert Client().get("/login/").status_code == 301


@pytest.mark.django_db
def test_broker_that_refuses_connections_fails_the_probe():
    _finished_scan(hours_ago=2)

    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = _operator().get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "failed"
    assert _checks(response)["broker"] == "failed"
    assert _checks(response)["database"] == "ok"
    assert b"Connection" not in response.content  # the error stays in the log


@pytest.mark.django_db
def test_unreachable_database_fails_the_probe(monkeypatch):
    default = connections["default"]
    unreachable = type(default)({**default.settings_dict, "PORT": _closed_port()}, alias="default")
    monkeypatch.setattr(health, "connection", unreachable)

    response = _operator().get("/healthz")

    assert response.status_code == 503
    assert _checks(response)["database"] == "failed"
    assert _checks(response)["last_scan"] == "degraded"  # not asked of a database that is down
    unreachable.close()


@pytest.mark.django_db
def test_scan_older_than_the_limit_is_degraded_but_not_failing():
    _finished_scan(hours_ago=30)

    response = _operator().get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "degraded"
    assert _checks(response)["last_scan"] == "degraded"

    with override_settings(HEALTH_MAX_SCAN_AGE_HOURS=48):
        assert _checks(_operator().get("/healthz"))["last_scan"] == "ok"


@pytest.mark.django_db
def test_no_scan_ever_is_degraded():
    response = _operator().get("/healthz")

    assert response.status_code == 200
    assert _checks(response)["last_scan"] == "degraded"


def test_liveness_needs_nothing_but_the_process():
    response = Client().get("/healthz/live")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_health_endpoints_refuse_writes():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/healthz").status_code == 405
    assert client.delete("/healthz/live").status_code == 405


@pytest.mark.django_db
def test_anonymous_probe_learns_only_up_or_down():
    _finished_scan(hours_ago=30)

    response = Client().get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "degraded"}
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/healthz").json() == {
        "status": "degraded"
    }
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        down = Client().get("/healthz")
    assert down.status_code == 503 and json.loads(down.content) == {"status": "failed"}


@pytest.mark.django_db
def test_signed_in_county_officer_reads_the_checks_without_a_session_write(county_officer):
    _finished_scan(hours_ago=2)
    client = client_for(county_officer)
    sessions = list(Session.objects.values_list("session_key", "expire_date"))

    response = client.get("/healthz")

    assert set(_checks(response)) == {"web", "database", "broker", "last_scan"}
    assert "Set-Cookie" not in response.headers
    assert list(Session.objects.values_list("session_key", "expire_date")) == sessions


@pytest.mark.django_db
def test_other_roles_and_officers_owing_a_code_read_no_checks(
    township_cadre, county_officer, settings
):
    assert "checks" not in client_for(township_cadre).get("/healthz").json()
    settings.TWO_FACTOR_ROLES = ["county_officer"]
    assert "checks" not in client_for(county_officer).get("/healthz").json()
