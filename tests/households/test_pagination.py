"""Keyset pages (core.pagination): a walk over any number of tied rows reads each row once,
forwards and backwards, through the API and on the household page."""

import base64
import datetime
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from households import services
from households.models import Household
from tests.conftest import HOME_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


@pytest.fixture
def tied_households(township_cadre):
    """Eleven households whose scores tie in two runs (seven at 40, four at 0) and whose visit
    dates tie too, some of them never visited (NULL)."""
    created = [
        services.household_create(
            actor=township_cadre,
            village_code=HOME_VILLAGE if index % 2 else OTHER_VILLAGE_SAME_TOWNSHIP,
            poverty_status="ordinary",
        )
        for index in range(11)
    ]
    for index, household in enumerate(created):
        Household.objects.filter(pk=household.pk).update(
            risk_score=40 if index < 7 else 0,
            last_visit_on=None if index % 3 == 0 else DAY - datetime.timedelta(days=index % 2),
        )
    return list(Household.objects.filter(pk__in=[h.pk for h in created]))


def _walk_api(client, url: str) -> tuple[list[int], list[int]]:
    """The ids read following `next` to the end, then those read following `previous` back."""
    forwards, pages = [], []
    while url:
        body = client.get(url).json()
        pages.append(body)
        forwards += [row["id"] for row in body["results"]]
        url = body["next"]
    backwards = list(pages[-1]["results"])
    url = pages[-1]["previous"]
    while url:
        body = client.get(url).json()
        backwards = body["results"] + backwards
        url = body["previous"]
    return forwards, [row["id"] for row in backwards]


def _expected(households, field: str, descending: bool) -> list[int]:
    """PostgreSQL's order: NULLs after every value ascending, before every value descending;
    ties by id ascending (a stable sort on ids keeps them so, reversed or not)."""

    def key(household):
        value = getattr(household, field)
        return (value is None, value if value is not None else 0)

    ordered = sorted(households, key=lambda h: h.pk)
    ordered.sort(key=key, reverse=descending)
    return [h.pk for h in ordered]


@pytest.mark.parametrize("page_size", [2, 3, 5])
def test_a_walk_over_tied_scores_reads_every_household_once_both_ways(
    township_cadre, tied_households, page_size
):
    forwards, backwards = _walk_api(
        api(township_cadre), f"/api/v1/households/?ordering=-risk_score&page_size={page_size}"
    )
    assert forwards == backwards == _expected(tied_households, "risk_score", descending=True)


@pytest.mark.parametrize("ordering", ["last_visit_on", "-last_visit_on", "next_visit_due"])
def test_a_walk_over_a_nullable_order_reads_every_household_once_both_ways(
    township_cadre, tied_households, ordering
):
    forwards, backwards = _walk_api(
        api(township_cadre), f"/api/v1/households/?ordering={ordering}&page_size=2"
    )
    field = ordering.lstrip("-")
    expected = _expected(tied_households, field, descending=ordering.startswith("-"))
    assert forwards == backwards == expected


def test_a_page_changed_under_the_walk_neither_repeats_nor_skips_a_kept_row(
    township_cadre, tied_households
):
    client = api(township_cadre)
    first = client.get("/api/v1/households/?ordering=-risk_score&page_size=4").json()
    read = [row["id"] for row in first["results"]]
    # A household on the first page gets a new score that moves it past the cursor.
    Household.objects.filter(pk=read[0]).update(risk_score=0)
    url = first["next"]
    while url:
        body = client.get(url).json()
        read += [row["id"] for row in body["results"]]
        url = body["next"]
    others = {h.pk for h in tied_households} - {read[0]}
    assert set(read) - {read[0]} == others and len(read) - read.count(read[0]) == len(others)


def _cursor(payload) -> str:
    raw = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        _cursor(b"\xff\xfe"),
        _cursor([1, 2]),
        _cursor({"o": "-risk_score,id", "p": ["x", "1"]}),
        _cursor({"o": "-risk_score,id", "p": ["1"]}),
        _cursor({"o": "-risk_score,id", "p": [None, "1"]}),
        _cursor({"o": "-risk_score,id", "p": ["1", "1\x00"]}),
        _cursor({"o": "-risk_score,id", "p": ["1", 5]}),
        _cursor({"o": "-risk_score,id", "p": ["1", "1"], "r": 7}),
        _cursor({"o": "number,id", "p": ["6204231002000001", "1"]}),  # another order's cursor
        _cursor({"o": "last_visit_on,id", "p": ["2026-02-30", "1"]}),
    ],
)
def test_a_tampered_cursor_gets_a_translated_400(township_cadre, tied_households, cursor):
    response = api(township_cadre).get(f"/api/v1/households/?ordering=-risk_score&cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cursor"


def test_a_cursor_past_any_integer_finds_nothing_rather_than_failing(
    township_cadre, tied_households
):
    cursor = _cursor({"o": "-risk_score,id", "p": ["1", str(2**70)]})
    response = api(township_cadre).get(f"/api/v1/households/?ordering=-risk_score&cursor={cursor}")
    assert response.status_code == 200


def test_an_outsider_walks_an_empty_list(other_township_cadre, tied_households):
    forwards, backwards = _walk_api(
        api(other_township_cadre), "/api/v1/households/?ordering=-risk_score&page_size=2"
    )
    assert forwards == backwards == []


# The household page ------------------------------------------------------------------------------


def _page_links(content: str) -> dict[str, str]:
    return {
        rel: unescape(href)
        for rel, href in re.findall(r'rel="(next|prev)" href="\?([^"]*)"', content)
    }


def _page_numbers(content: str) -> list[str]:
    return re.findall(r'href="/households/\d+/">(\d+)</a>', content)


def test_the_page_walks_by_keyset_links_keeping_its_filters_and_order(
    township_cadre, tied_households, monkeypatch
):
    monkeypatch.setattr("households.views.PAGE_SIZE", 3)
    # Past the cap, as a township's register is: below it the page walks by page numbers.
    monkeypatch.setattr("households.views.COUNT_CAP", 5)
    client = client_for(township_cadre)
    url = "/households/?ordering=-risk_score&region=620423100"
    numbers_by_id = {h.number: h.pk for h in tied_households}
    read, pages = [], []
    while url:
        content = client.get(url).content.decode()
        pages.append(content)
        read += [numbers_by_id[number] for number in _page_numbers(content)]
        links = _page_links(content)
        if "next" in links:
            assert "ordering=-risk_score" in links["next"] and "region=620423100" in links["next"]
        url = f"/households/?{links['next']}" if "next" in links else None
    assert read == _expected(tied_households, "risk_score", descending=True)
    assert len(pages) == 4 and "prev" not in _page_links(pages[0])
    back = client.get(f"/households/?{_page_links(pages[-1])['prev']}").content.decode()
    assert [numbers_by_id[n] for n in _page_numbers(back)] == read[6:9]
    # The export link carries the filters and order but never a cursor.
    export = re.search(r'action="/export/households.xlsx\?([^"]*)"', back).group(1)
    assert "cursor" not in export and "region=620423100" in unescape(export)


def test_the_page_counts_exactly_up_to_its_cap(township_cadre, tied_households, monkeypatch):
    client = client_for(township_cadre)
    assert "共 11 户" in client.get("/households/").content.decode()
    monkeypatch.setattr("households.views.COUNT_CAP", 10)
    content = client.get("/households/").content.decode()
    count = re.search(r'<p class="count">(.*?)</p>', content).group(1)
    assert "11" not in count and "10" in count
    monkeypatch.setattr("households.views.COUNT_CAP", 11)
    assert "共 11 户" in client.get("/households/").content.decode()


def test_the_page_refuses_a_tampered_cursor_with_a_400_and_the_first_page(
    township_cadre, tied_households
):
    response = client_for(township_cadre).get("/households/?cursor=bm90LWEtY3Vyc29y")
    assert response.status_code == 400
    assert len(_page_numbers(response.content.decode())) == 11


def test_an_outsider_pages_through_nothing(other_township_cadre, tied_households):
    content = client_for(other_township_cadre).get("/households/").content.decode()
    assert _page_numbers(content) == [] and _page_links(content) == {}
    assert "共 0 户" in content


def test_a_deep_page_costs_the_queries_of_the_first(township_cadre, tied_households, monkeypatch):
    # A page that crosses from one run of equal values into the next reads each run with its own
    # index range: one statement more, never more than the order has fields besides the id.
    monkeypatch.setattr("households.views.PAGE_SIZE", 2)
    monkeypatch.setattr("households.views.COUNT_CAP", 5)  # keyset pages, past the cap
    client = client_for(township_cadre)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            content = client.get(url).content.decode()
        return len(captured), _page_links(content)

    first, links = queries("/households/?ordering=last_visit_on")
    for _ in range(3):
        deep, links = queries(f"/households/?{links['next']}")
        assert first <= deep <= first + 1
