"""The household list as a working list: a search by the number's last digits (through the index
of the reversed number), by ID number through its keyed hash (sent by POST, never echoed, never
in an address or a log), page numbers while the list is bounded, and an export of exactly the
rows the page shows."""

import logging
import re
from html import unescape
from io import BytesIO

import openpyxl
import pytest
from django.db import connection

from core import id_numbers
from households import selectors, services
from households.models import Household, IdNumberLookup
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

HEAD_ID = make_id_number("620423", "19680315", 1)  # the `household` fixture's head
OUTSIDER_ID = make_id_number("620423", "19750808", 3)  # other_township_household's head


def _numbers(content: str) -> list[str]:
    return re.findall(r'href="/households/\d+/">(\d+)</a>', content)


def _more(actor, village: str, count: int) -> list[Household]:
    return [
        services.household_create(actor=actor, village_code=village, poverty_status="ordinary")
        for _ in range(count)
    ]


# The number's last digits ------------------------------------------------------------------------


def test_the_last_digits_of_a_number_find_the_household(township_cadre, household):
    _more(township_cadre, HOME_VILLAGE, 3)
    client = client_for(township_cadre)
    for digits in (household.number[-4:], household.number[-6:], household.number[-8:]):
        assert _numbers(client.get("/households/", {"q": digits}).content.decode()) == [
            household.number
        ], digits
    # Twelve digits and more are the number's start: a village's households, or one.
    village = client.get("/households/", {"q": household.number[:12]}).content.decode()
    assert len(_numbers(village)) == 4
    assert _numbers(client.get("/households/", {"q": household.number}).content.decode()) == [
        household.number
    ]


def test_an_outsiders_household_with_the_same_last_digits_is_never_found(
    township_cadre, other_township_cadre, household, other_township_household
):
    # Each village numbers its households from 0001: the two share their last four digits.
    assert household.number[-4:] == other_township_household.number[-4:]
    found = client_for(township_cadre).get("/households/", {"q": household.number[-4:]})
    assert _numbers(found.content.decode()) == [household.number]
    theirs = client_for(other_township_cadre).get("/households/", {"q": household.number[-4:]})
    assert _numbers(theirs.content.decode()) == [other_township_household.number]


def test_the_last_digits_are_read_from_the_index_of_the_reversed_number(household):
    digits = "0123"
    # The whole county's households: in the test's tiny table a region's index on the village
    # competes for a scoped query, while a county's real search has only the number to go by.
    queryset = selectors.number_search(Household.objects.all(), digits)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's table is tiny
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "household_number_reversed" in plan, plan


# The ID number through its keyed hash ------------------------------------------------------------


def test_an_id_number_posted_finds_the_household_masked_and_recorded(
    township_cadre, household, caplog
):
    client = client_for(township_cadre)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/households/", {"q": HEAD_ID, "ordering": "number"})
    assert response.status_code == 200
    content = response.content.decode()
    assert _numbers(content) == [household.number]
    assert HEAD_ID not in content and HEAD_ID[6:14] not in content  # not even the birth date
    assert id_numbers.mask(HEAD_ID) in content  # what was searched, masked
    assert HEAD_ID not in response.get("Location", "") and "HX-Push-Url" in response
    assert all(HEAD_ID not in record.getMessage() for record in caplog.records)
    lookup = IdNumberLookup.objects.get(user=township_cadre)
    assert lookup.id_number_hash == id_numbers.lookup_hash(HEAD_ID)
    assert lookup.outcome == IdNumberLookup.Outcome.FOUND


def test_an_id_number_typed_through_htmx_answers_the_rows_and_keeps_the_address(
    township_cadre, household
):
    response = client_for(township_cadre).post(
        "/households/", {"q": HEAD_ID.lower()}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert "<html" not in content and _numbers(content) == [household.number]
    assert response["HX-Push-Url"] == "false"
    assert HEAD_ID not in content and "export" not in content  # nothing carries it further


def test_an_outsider_searching_an_id_number_finds_nothing(
    other_township_cadre, household, other_township_household
):
    client = client_for(other_township_cadre)
    content = client.post("/households/", {"q": HEAD_ID}).content.decode()
    assert _numbers(content) == [] and household.number not in content
    assert HEAD_ID not in content
    # Their own household, by their own head's number, is found.
    own = client.post("/households/", {"q": OUTSIDER_ID}).content.decode()
    assert _numbers(own) == [other_township_household.number]


def test_an_id_number_in_a_query_string_is_dropped_unsearched(township_cadre, household):
    response = client_for(township_cadre).get("/households/", {"q": HEAD_ID, "ordering": "number"})
    assert response.status_code == 302 and response["Location"] == "/households/?ordering=number"
    assert not IdNumberLookup.objects.exists()


def test_a_mistyped_id_number_is_refused_plainly_and_not_echoed(township_cadre, household):
    wrong = HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")
    content = client_for(township_cadre).post("/households/", {"q": wrong}).content.decode()
    assert re.search(r'class="errors" role="alert"><p>[^<]+</p>', content)  # the check digit
    assert wrong not in content and _numbers(content) == []


def test_the_form_without_javascript_sends_other_searches_to_the_address(township_cadre, household):
    response = client_for(township_cadre).post(
        "/households/", {"q": "张", "risk_level": ["high", "low"], "csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 302
    location = unescape(response["Location"])
    assert location.startswith("/households/?") and "q=%E5%BC%A0" in location
    assert "risk_level=high" in location and "csrfmiddlewaretoken" not in location


# Page numbers and the export -----------------------------------------------------------------


def test_a_bounded_list_has_page_numbers(township_cadre, household, monkeypatch):
    monkeypatch.setattr("households.views.PAGE_SIZE", 3)
    _more(township_cadre, HOME_VILLAGE, 10)  # 11 households
    client = client_for(township_cadre)
    first = client.get("/households/").content.decode()
    numbers = re.findall(r'class="page-number" href="\?([^"]*)"[^>]*>(\d+)</a>', first)
    assert [n for _, n in numbers] == ["2", "3", "4"]
    assert '<span class="page-number" aria-current="page">1</span>' in first
    second = client.get("/households/?" + unescape(numbers[0][0])).content.decode()
    ordered = list(
        Household.objects.filter(village__code=HOME_VILLAGE)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert _numbers(second) == ordered[3:6]


def test_a_list_past_the_cap_walks_by_next(township_cadre, household, monkeypatch):
    monkeypatch.setattr("households.views.PAGE_SIZE", 3)
    monkeypatch.setattr("households.views.COUNT_CAP", 5)
    _more(township_cadre, HOME_VILLAGE, 10)
    content = client_for(township_cadre).get("/households/").content.decode()
    assert 'rel="next"' in content and "page-number" not in content


def test_the_export_has_the_rows_the_page_shows(township_cadre, household):
    others = _more(township_cadre, HOME_VILLAGE, 4)
    Household.objects.filter(pk__in=[others[0].pk, others[2].pk]).update(risk_level="high")
    client = client_for(township_cadre)
    for query in (
        "risk_level=high",
        f"q={household.number[-4:]}",
        "ordering=-risk_score&poverty_status=ordinary",
    ):
        page = client.get(f"/households/?{query}").content.decode()
        action = re.search(r'action="(/export/households.xlsx[^"]*)"', page).group(1)
        response = client.post(unescape(action))
        sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
        exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert exported == _numbers(page), query
