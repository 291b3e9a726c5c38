"""The case and measure lists as working lists: searched by the household number's last digits
and by ID number through its keyed hash (POST only, never echoed), the case list opening on the
tab with the user's work, and each export holding exactly the rows its page shows."""

import logging
import re
from html import unescape
from io import BytesIO

import openpyxl
import pytest

from assistance import selectors
from assistance.services.measures import MeasurePlan, measure_create
from tests.assistance.conftest import START
from tests.conftest import client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

HEAD_ID = make_id_number("620423", "19680315", 1)  # the `household` fixture's head


def _case_links(content: str) -> list[str]:
    return re.findall(r'href="/cases/(\d+)/"', content)


def _measure_links(content: str) -> list[str]:
    return re.findall(r'href="/measures/(\d+)/"', content)


def _exported(client, page: str, kind: str) -> list:
    action = re.search(rf'action="(/export/{kind}.xlsx[^"]*)"', page).group(1)
    response = client.post(unescape(action))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [row for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def measure(case, township_cadre):
    return measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="employment",
            title="县城物流园装卸岗位",
            responsible_id=township_cadre.pk,
            planned_start=START.date(),
        ),
    )


def test_the_case_list_opens_on_the_tab_with_the_users_work(case, township_cadre):
    assert not selectors.cases_awaiting(township_cadre).exists()  # the village's step is next
    content = client_for(township_cadre).get("/cases/").content.decode()
    assert _case_links(content) == [str(case.pk)]
    assert '<a href="?show=open" aria-current="page">' in content


def test_cases_are_found_by_the_numbers_last_digits_and_not_by_an_outsider(
    case, township_cadre, other_township_cadre, other_township_household
):
    digits = case.household.number[-4:]
    found = client_for(township_cadre).get("/cases/", {"show": "all", "q": digits})
    assert _case_links(found.content.decode()) == [str(case.pk)]
    theirs = client_for(other_township_cadre).get("/cases/", {"show": "all", "q": digits})
    assert _case_links(theirs.content.decode()) == []


def test_cases_are_found_by_an_id_number_posted_never_echoed(
    case, township_cadre, other_township_cadre
):
    response = client_for(township_cadre).post("/cases/", {"show": "all", "q": HEAD_ID})
    content = response.content.decode()
    assert _case_links(content) == [str(case.pk)] and HEAD_ID not in content
    assert "620423********" in content
    outsider = client_for(other_township_cadre).post("/cases/", {"show": "all", "q": HEAD_ID})
    assert _case_links(outsider.content.decode()) == []
    # In a query string it matches nothing (and is not looked up).
    by_get = client_for(township_cadre).get("/cases/", {"show": "all", "q": HEAD_ID})
    assert _case_links(by_get.content.decode()) == []


def test_the_case_export_has_the_rows_the_page_shows(case, township_cadre):
    client = client_for(township_cadre)
    for query in ("", "show=all", f"show=all&q={case.household.number[-4:]}", "q=无此人"):
        page = client.get(f"/cases/?{query}").content.decode()
        rows = _exported(client, page, "cases")
        assert len(rows) == len(_case_links(page)), query
        assert {row[0] for row in rows} <= {case.household.number, case.household.head_name}


def test_measures_are_found_by_number_and_id_number_and_exported_as_shown(
    measure, township_cadre, other_township_cadre
):
    client = client_for(township_cadre)
    digits = measure.case.household.number[-4:]
    page = client.get("/measures/", {"q": digits}).content.decode()
    assert _measure_links(page) == [str(measure.pk)]
    assert len(_exported(client, page, "measures")) == 1
    empty = client.get("/measures/", {"q": "0000000"}).content.decode()
    assert _measure_links(empty) == [] and _exported(client, empty, "measures") == []
    posted = client.post("/measures/", {"q": HEAD_ID}).content.decode()
    assert _measure_links(posted) == [str(measure.pk)] and HEAD_ID not in posted
    outsider = client_for(other_township_cadre).post("/measures/", {"q": HEAD_ID})
    assert _measure_links(outsider.content.decode()) == []


# ID-like searches however typed: never redirected to, echoed, linked or logged -------------------

LISTS = ("/households/", "/cases/", "/measures/")
SPACED = f"{HEAD_ID[:6]} {HEAD_ID[6:14]} {HEAD_ID[14:]}"
VARIANTS = (
    SPACED,
    f"{HEAD_ID[:6]}-{HEAD_ID[6:14]}-{HEAD_ID[14:]}",
    # Full-width digits for the area code, as a Chinese input method types them.
    "".join(chr(ord(c) + 0xFEE0) for c in HEAD_ID[:6]) + HEAD_ID[6:],
    HEAD_ID[:17],  # the check character missing
    HEAD_ID + "7",  # 19 digits
    HEAD_ID[:6] + HEAD_ID[8:17],  # an old 15-digit number
)


def _leaks(variant: str) -> list[str]:
    """The forms the number could show in: as typed, its digits, URL-encoded."""
    plain = re.sub(r"[\s\-]", "", variant).translate({0xFF10 + d: ord(str(d)) for d in range(10)})
    return [variant, plain, variant.replace(" ", "+"), HEAD_ID[6:14], plain[-10:]]


def _assert_never_shown(response, variant, caplog):
    shown = "\n".join(
        [
            unescape(response.get("Location", "")),
            unescape(response.content.decode()),
            "\n".join(record.getMessage() for record in caplog.records),
        ]
    )
    for leak in _leaks(variant):
        assert leak not in shown, (variant, leak)


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_id_like_search_posted_is_answered_in_place_masked(
    measure, township_cadre, variant, caplog
):
    client = client_for(township_cadre)
    caplog.set_level(logging.DEBUG)
    for path in LISTS:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(path, {"q": variant, "show": "all"}, headers=headers)
            assert response.status_code == 200, (path, variant)
            _assert_never_shown(response, variant, caplog)
            content = response.content.decode()
            # Nothing that links on (the export, the pager) carries the search.
            assert "q=" not in unescape(content), (path, variant)


@pytest.mark.parametrize("variant", VARIANTS + (HEAD_ID,))
def test_an_id_like_search_in_a_query_string_is_dropped_before_rendering(
    measure, township_cadre, variant, caplog
):
    client = client_for(township_cadre)
    caplog.set_level(logging.DEBUG)
    for path in LISTS:
        response = client.get(path, {"q": variant, "show": "all"})
        assert response.status_code == 302
        assert unescape(response["Location"]) == f"{path}?show=all"
        _assert_never_shown(response, variant, caplog)
        bare = client.get(path, {"q": variant})
        assert bare["Location"] == path


def test_the_language_switch_never_carries_an_id_like_value(rf, township_cadre):
    from core.id_like import path_without_id

    request = rf.get("/anything/", {"q": HEAD_ID, "page": "2"})
    assert path_without_id(request) == "/anything/?page=2"
    request = rf.get("/anything/", {"next": SPACED})
    assert path_without_id(request) == "/anything/"
    request = rf.get("/anything/", {"q": "张", "page": "2"})
    assert path_without_id(request) == request.get_full_path()


def test_a_refused_id_search_lists_nothing_on_every_list(measure, township_cadre, partner):
    wrong = HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")
    client = client_for(township_cadre)
    for path, links in (("/cases/", _case_links), ("/measures/", _measure_links)):
        assert links(client.get(path, {"show": "all"}).content.decode())  # rows to hide
        content = client.post(path, {"q": wrong, "show": "all"}).content.decode()
        assert links(content) == [], path
        assert (
            'class="id-search"' not in content
            and "********" not in content.split('role="alert"')[0].split("</form>")[-1]
        )
        assert 'class="errors" role="alert"' in content
    households = client.post("/households/", {"q": wrong}).content.decode()
    assert not re.findall(r'href="/households/\d+/"', households)
    # A partner may not search by ID number: refused, its list shows nothing.
    partner_page = client_for(partner).post("/measures/", {"q": HEAD_ID}).content.decode()
    assert _measure_links(partner_page) == [] and 'class="id-search"' not in partner_page
    assert 'class="errors" role="alert"' in partner_page


def test_a_partners_search_box_does_not_offer_an_id_number(partner, township_cadre):
    from django.utils import translation

    with translation.override("en"):
        offered = client_for(township_cadre).get("/measures/", HTTP_ACCEPT_LANGUAGE="en")
        partners = client_for(partner).get("/measures/", HTTP_ACCEPT_LANGUAGE="en")
    assert "ID number" in offered.content.decode() or "身份证" in offered.content.decode()
    assert "Name, household number or ID number" not in partners.content.decode()
    assert "身份证号" not in partners.content.decode().split('for="f-q">')[1].split("<")[0]
