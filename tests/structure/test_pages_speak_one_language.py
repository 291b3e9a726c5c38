"""Every page a role opens speaks one language: in Chinese no English of the page's own (a
string never marked for translation, or one without its zh-hans msgstr), in English no Chinese
(a stored message, a hard-coded label). Data (table cells, names, what users typed) is left out
by tests/page_language.py: outside a table cell the templates mark it translate="no".

The pages are found the way a user finds them: from the home page, every link of the site, each
kind of page (its path with the ids left out) opened twice, for every demo role (seed_demo).
A failure names the page and the words."""

import re
from collections import deque
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from tests.conftest import client_for
from tests.page_language import chinese_words, english_words

pytestmark = pytest.mark.django_db

ROLES = ("village", "township", "county", "partner", "auditor")
PER_KIND = 2
PAGES_PER_ROLE = 120
# Not pages of the site's own: the admin (tests/accounts/test_admin_language.py), the API and
# its docs, files, and the links that do something (sign out) or leave a record (exports).
SKIPPED = re.compile(
    r"^/(admin|api|static|media|schema|metrics|health)|logout|export|download|\.xlsx|\.pdf"
)
# Words that are the same in both languages: names of things, not sentences.
SAME_IN_BOTH = {"Dixian", "API", "PDF", "Excel", "IP", "URL", "HMAC", "TOTP"}
# Left in pages other issue-18 helpers are redesigning, for them to fix: (path kind, words).
KNOWN: dict[str, set[str]] = {}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0].split("?")[0])


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _pages(client):
    """(path, html) of every page of the site the client reaches from home."""
    seen_paths: set[str] = set()
    per_kind: dict[str, int] = {}
    queue = deque(["/"])
    opened = 0
    while queue and opened < PAGES_PER_ROLE:
        path = queue.popleft()
        kind = _kind(path)
        if path in seen_paths or SKIPPED.search(path) or per_kind.get(kind, 0) >= PER_KIND:
            continue
        seen_paths.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        opened += 1
        html = response.content.decode()
        yield path, html
        links = _Links()
        links.feed(html)
        queue.extend(link for link in links.links if link not in seen_paths)


def _left(words: list[str]) -> set[str]:
    return {
        text
        for text in words
        if not set(re.findall(r"[A-Za-z]{3,}", text)) <= SAME_IN_BOTH
        or re.search(r"[\u4e00-\u9fff]", text)
    }


@pytest.fixture
def demo_county(db):
    call_command("seed_demo", "--households", "40", "--seed", "2", verbosity=0)
    return {user.username: user for user in User.objects.filter(username__in=ROLES)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_of_every_role_speaks_its_language(demo_county, language):
    assert set(demo_county) == set(ROLES)
    words_of = english_words if language == "zh-hans" else chinese_words
    found: dict[str, set[str]] = {}
    kinds: set[str] = set()
    for username in ROLES:
        client = client_for(demo_county[username])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for path, html in _pages(client):
            kinds.add(_kind(path))
            left = _left(words_of(html)) - KNOWN.get(_kind(path), set())
            if left:
                found[f"{username} {path}"] = left
    assert len(kinds) > 20, sorted(kinds)
    assert not found, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())
