"""The browser suite's own guard (tests/browser/conftest.py): a request for an address off this
machine is refused before it leaves, and named, while the pages' own requests go through."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import PHONE, Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_address_off_this_machine_is_refused_and_named(browser, live_server, tmp_path):
    outside: list[str] = []
    visitor = Visitor(browser, live_server, tmp_path, None, PHONE, outside)
    try:
        visitor.page.goto(live_server.url + "/login/")
        assert visitor.page.locator("input[name=username]").is_visible()
        assert outside == []
        for address in ("http://example.com/app.js", "http://127.0.0.1.example.com/"):
            # Aborted by the route (net::ERR_FAILED), not failed on the network (a name that
            # does not resolve, a refused connection).
            with pytest.raises(PlaywrightError, match="ERR_FAILED"):
                visitor.page.goto(address)
            assert address in outside
    finally:
        visitor.close()
