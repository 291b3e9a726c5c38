"""The browser suite: Playwright driving Debian's Chromium against a live server.

Chromium and the CJK fonts are Debian packages that `make test` installs; Playwright never
downloads a browser of its own. Each scenario saves its screenshots under var/screenshots/, and
every request the browser makes is checked to stay on this machine.
"""

import datetime
import os
import pathlib
import re
import shutil
import zoneinfo
from urllib.parse import urlparse

import pytest
import time_machine
from django.db import connections
from playwright.sync_api import sync_playwright

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 360, "height": 740}
PHONE_740 = PHONE  # issue 18: the header may take 15% of its height (111 pixels)
DESKTOP = {"width": 1366, "height": 900}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Any URL but one of LOCAL_HOSTS' (data: and blob: URLs never reach the network).
OFF_THIS_MACHINE = re.compile(
    r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?(/|$)|data:|blob:)"
)


@pytest.fixture
def browser(django_db_serialized_rollback, transactional_db, live_server, monkeypatch):
    """Chromium for one test, started after the database is set up and closed before it is
    cleaned. The live server needs committed rows, so the test starts from the session's rows
    (serialized rollback) and ends with a flush (tests/conftest.py puts them back).

    While Playwright's sync API runs, its event loop makes this thread look async to
    Django and asgiref, which then hand out other connection objects: the ORM calls the test
    makes between browser steps are ordinary blocking calls, so they are allowed, and nothing
    of the test database's own set-up or clean-up happens in that state."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Without it, Chromium's service workers fetch past context.route: the check that nothing
    # leaves this machine, and the tests that cut the server off, must see their requests too.
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (system-packages).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            # zh-CN: date inputs show the way a county's staff write dates.
            # Chromium's sandbox needs user namespaces that containers and root do not give.
            args=["--lang=zh-CN", *(["--no-sandbox"] if os.geteuid() == 0 else [])],
        )
        yield launched
        launched.close()
        # The connections opened in that state are not the test's own: close them here.
        connections.close_all()


class Clock:
    """Server time, standing still from the real now and moved forward by hand: the browser's
    own clock is real, so server time must never fall behind it (cookies would expire)."""

    def __init__(self, traveller):
        self._traveller = traveller

    def today(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localdate()

    def advance(self, days: int) -> None:
        self._traveller.shift(datetime.timedelta(days=days))


@pytest.fixture
def clock():
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(now, tick=False) as traveller:
        yield Clock(traveller)


class Visitor:
    """One person's browser: logged in, on their own screen size, taking screenshots."""

    def __init__(self, browser, live_server, shots: pathlib.Path, user, viewport, outside):
        self.user = user
        self.live_server = live_server
        self.shots = shots
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        # Only addresses off this machine are routed (the pattern is matched in Playwright's
        # driver): routing every request sent each of the pages' own files through Python.
        self.context.route(OFF_THIS_MACHINE, self._refuse_outside(outside))
        # And every request the context sees, whatever routed it (a service worker's included).
        self.context.on("request", self._note_outside(outside))
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    @staticmethod
    def _refuse_outside(outside: list):
        def route(route):
            outside.append(route.request.url)
            route.abort()

        return route

    @staticmethod
    def _note_outside(outside: list):
        def note(request):
            host = urlparse(request.url).hostname
            if request.url.startswith("http") and host not in LOCAL_HOSTS:
                if request.url not in outside:
                    outside.append(request.url)

        return note

    def open(self, path: str):
        self.page.goto(self.live_server.url + path)
        if "/login/" in self.page.url:
            self.page.fill("input[name=username]", self.user.username)
            self.page.fill("input[name=password]", "test-password-123")
            self.page.click("form:has(input[name=password]) button[type=submit]")
            self.page.wait_for_load_state()
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{self.user.username}-{name}.png", full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def visit_as(request, browser, live_server):
    """visit_as(user, phone=False, viewport=None) → a Visitor; requests leaving this machine fail
    the test. viewport (a size of its own) replaces the phone's or desktop's size."""
    shots = SCREENSHOTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    outside: list[str] = []
    visitors = []

    def make(user, *, phone: bool = False, viewport: dict | None = None) -> Visitor:
        size = viewport or (PHONE if phone else DESKTOP)
        visitor = Visitor(browser, live_server, shots, user, size, outside)
        visitors.append(visitor)
        return visitor

    yield make
    for visitor in visitors:
        visitor.close()
    assert outside == [], f"the browser asked for addresses off this machine: {outside}"


def pytest_terminal_summary(terminalreporter):
    """Where each scenario left its screenshots: the CI log names every file it kept."""
    if not SCREENSHOTS.exists():
        return
    shots = sorted(SCREENSHOTS.rglob("*.png"))
    terminalreporter.write_line(f"browser screenshots: {len(shots)} under {SCREENSHOTS}")
    for shot in shots:
        terminalreporter.write_line(f"  {shot.relative_to(SCREENSHOTS)}")
