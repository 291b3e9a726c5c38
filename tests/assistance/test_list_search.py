"""The case and measure lists as working lists: searched by the household number's last digits
and by ID number through its keyed hash (POST only, never echoed), the case list opening on the
tab with the user's work, and each export holding exactly the rows its page shows."""

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
