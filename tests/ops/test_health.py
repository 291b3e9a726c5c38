"""/healthz and /healthz/live: what the orchestrator sees when things are up, down or late."""

import json
import socket
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client, override_settings
from django.utils import timezone

from config import health
from monitoring.models import ScanRun


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


def _checks(response) -> dict:
    return {name: check["status"] for name, check in json.loads(response.content)["checks"].items()}


@pytest.mark.django_db
def test_everything_up_answers_200_with_each_check_and_nothing_else():
    _finished_scan(hours_ago=2)
    sessions_before = Session.objects.count()

    response = Client().get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert _checks(response) == {
        "web": "ok",
        "database": "ok",
        "broker": "ok",
        "last_scan": "ok",
    }
    # Status and latency only: no versions, host names or error text for an anonymous caller.
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
        response = Client().get("/healthz")

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

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert _checks(response)["database"] == "failed"
    assert _checks(response)["last_scan"] == "degraded"  # not asked of a database that is down
    unreachable.close()


@pytest.mark.django_db
def test_scan_older_than_the_limit_is_degraded_but_not_failing():
    _finished_scan(hours_ago=30)

    response = Client().get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "degraded"
    assert _checks(response)["last_scan"] == "degraded"

    with override_settings(HEALTH_MAX_SCAN_AGE_HOURS=48):
        assert _checks(Client().get("/healthz"))["last_scan"] == "ok"


@pytest.mark.django_db
def test_no_scan_ever_is_degraded():
    response = Client().get("/healthz")

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
