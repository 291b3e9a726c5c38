"""Sessions end after 30 minutes without a request (MLPS 2.0 session timeout), not 30 minutes
after login: requests move the end forward (core.idle_session: a write at most once a minute, so
the end can come up to a minute sooner, never later). The server's clock decides, so a stolen or
forgotten cookie is worth nothing once the session is idle, whatever the browser keeps."""

import datetime
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.http import HttpResponseRedirect
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.middleware import FragmentSignInMiddleware
from core.idle_session import POLL_HEADER, REFRESH_SECONDS
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


def test_a_fragment_asked_after_the_session_ended_sends_the_whole_page_to_the_login(
    clock, township_cadre, household
):
    """htmx would follow a 302 and put the login form inside the fold: the answer is an
    HX-Redirect of the page, back to the page (not the fragment) once signed in."""
    client = client_for(township_cadre)
    page = f"/households/{household.pk}/?tab=2"
    fragment = f"/households/{household.pk}/history/"
    asked = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    assert client.get(fragment, headers=asked).status_code == 200
    clock.shift(_minutes(31))
    response = client.get(fragment, headers=asked)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?" + urlencode({"next": page})
    assert not response.content
    # Without htmx, or from a page of another site, the redirect is the ordinary one.
    assert client.get(fragment)["Location"] == f"/login/?next={fragment}"
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"}
    assert client.get(fragment, headers=elsewhere)["HX-Redirect"] == "/login/?" + urlencode(
        {"next": fragment}
    )


@pytest.mark.parametrize(
    ("location", "sent_to"),
    [
        ("/login/code/?next=/households/7/history/", "/login/code/?next=%2Fhouseholds%2F7%2F"),
        (
            "/account/two-factor/?next=/households/7/",
            "/account/two-factor/?next=%2Fhouseholds%2F7%2F",
        ),
        ("/households/8/", None),  # not a sign-in page: htmx follows it
    ],
)
def test_a_fragments_redirect_to_a_sign_in_step_goes_to_the_whole_page(rf, location, sent_to):
    request = rf.get(
        "/households/7/history/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/households/7/"},
    )
    answer = HttpResponseRedirect(location)
    answer["X-Frame-Options"] = "DENY"
    answer.set_cookie("sessionid", "kept")
    response = FragmentSignInMiddleware(lambda request: answer)(request)
    if sent_to is None:
        assert response is answer
        return
    assert (response.status_code, response["HX-Redirect"]) == (200, sent_to)
    assert "Location" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert response.cookies["sessionid"].value == "kept"


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


def test_a_page_polling_by_itself_does_not_keep_the_session_open(clock, township_cadre):
    """An import's progress asks every 2 s (hx-headers X-Poll): a page left open on a desk
    still ends its session 30 minutes after the person's last request."""
    client = client_for(township_cadre)
    assert client.get("/households/").status_code == 200
    for _ in range(31):
        clock.shift(_minutes(1))
        polled = client.get("/households/", headers={POLL_HEADER: "1"})
        if polled.status_code == 302:
            break
    assert polled.status_code == 302
    assert polled["Location"].startswith("/login/")


def test_the_polling_pages_mark_their_requests():
    """Every template that looks again by itself says so, or its page would keep an idle session
    alive."""
    polling = {
        path.relative_to(Path(settings.BASE_DIR, "templates")).as_posix(): path.read_text()
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if 'hx-trigger="every' in path.read_text()
    }
    assert {
        "backtests/backtest_detail.html",
        "spreadsheets/import_job_status.html",
        "spreadsheets/export_job_status.html",
        "monitoring/area_event_detail.html",
    } <= set(polling)
    for template, source in polling.items():
        assert f"""hx-headers='{{"{POLL_HEADER}": "1"}}'""" in source, template


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
