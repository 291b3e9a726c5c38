"""Sessions end after 30 minutes without a request (MLPS 2.0 session timeout), not 30 minutes
after login: requests move the end forward (core.idle_session: a write at most once a minute, so
the end can come up to a minute sooner, never later). The server's clock decides, so a stolen or
forgotten cookie is worth nothing once the session is idle, whatever the browser keeps."""

import datetime
import os
import subprocess
import sys
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core.idle_session import REFRESH_SECONDS
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 6, 30, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def test_the_default_idle_limit_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "core.idle_session.IdleSessionMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # the middleware moves the end instead


def test_a_session_idle_for_31_minutes_is_sent_to_the_login_page(clock, township_cadre):
    client = client_for(township_cadre)
    assert client.get("/households/").status_code == 200
    clock.shift(_minutes(31))
    response = client.get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/households/")


def test_the_api_refuses_a_session_idle_for_31_minutes(clock, township_cadre):
    client = client_for(township_cadre)
    assert client.get("/api/v1/households/").status_code == 200
    clock.shift(_minutes(31))
    assert client.get("/api/v1/households/").status_code == 401


def test_a_session_used_every_20_minutes_stays_open_for_an_hour_and_more(clock, township_cadre):
    client = client_for(township_cadre)
    for _ in range(4):  # at 0, 20, 40 and 60 minutes: 80 minutes in all, never 30 idle
        assert client.get("/households/").status_code == 200
        assert client.get("/api/v1/households/").status_code == 200
        clock.shift(_minutes(20))
    assert client.get("/households/").status_code == 200


def test_a_session_used_every_50_seconds_stays_open_for_45_minutes(clock, township_cadre):
    client = client_for(township_cadre)
    for _ in range(54):  # 45 minutes of requests, each sooner than the last write's minute
        assert client.get("/households/").status_code == 200
        clock.shift(datetime.timedelta(seconds=50))
    assert client.get("/households/").status_code == 200


def test_the_session_is_written_at_most_once_a_minute(clock, township_cadre):
    client = client_for(township_cadre)
    writes = []
    for seconds in (0, 10, 20, 30, 40, 50, REFRESH_SECONDS, REFRESH_SECONDS + 10):
        clock.move_to(START + datetime.timedelta(seconds=seconds))
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/households/")
        assert response.status_code == 200
        written = any('UPDATE "django_session"' in query["sql"] for query in queries)
        writes.append(written)
        # The cookie is sent again with each write, its age renewed with the row's end.
        assert (settings.SESSION_COOKIE_NAME in response.cookies) is written
    # The login stamped the session (core.idle_session.stamp_at_login): a minute on, a write.
    assert writes == [False, False, False, False, False, False, True, False]


@override_settings(SESSION_COOKIE_AGE=60)
def test_a_one_minute_limit_is_moved_every_six_seconds(clock, township_cadre):
    client = client_for(township_cadre)
    for _ in range(30):  # three minutes of a request every 10 seconds
        assert client.get("/households/").status_code == 200
        clock.shift(datetime.timedelta(seconds=10))
    clock.shift(datetime.timedelta(seconds=61))
    assert client.get("/households/").status_code == 302


@override_settings(SESSION_COOKIE_AGE=10 * 60)
def test_the_setting_changes_the_limit(clock, township_cadre):
    client = client_for(township_cadre)
    clock.shift(_minutes(9))
    assert client.get("/households/").status_code == 200
    clock.shift(_minutes(11))
    assert client.get("/households/").status_code == 302


def test_the_limit_comes_from_the_environment():
    environment = {**os.environ, "DIXIAN_SESSION_IDLE_SECONDS": "900"}
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        ],
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert printed.stdout.strip() == "900"
