"""Household numbers cannot be planted in another village's series (issue 14, finding 6).

A cadre of 芦阳镇 posting a number made of 水源村's code (in 一条山镇, outside their region) and
a high sequence used to make every later registration in 水源村 fail: the next number was the
highest of the series plus one, and that one was taken.
"""

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from households.models import Household
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request's Accept-Language stays active in the test's thread; later modules expect the
    # default language.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def register(user, village: str, language="en", **extra):
    body = {"village": village, "poverty_status": "ordinary", **extra}
    return api(user, language).post("/api/v1/households/", body, format="json")


def test_a_number_of_another_villages_series_is_refused(other_township_cadre, village_worker):
    planted = register(other_township_cadre, OTHER_TOWNSHIP_VILLAGE, number=HOME_VILLAGE + "9999")
    assert planted.status_code == 400
    [error] = planted.json()["errors"]
    assert error["attr"] == "number"
    assert OTHER_TOWNSHIP_VILLAGE in error["detail"]
    assert not Household.objects.exists()

    # The village whose series it aimed at registers as before.
    first = register(village_worker, HOME_VILLAGE)
    second = register(village_worker, HOME_VILLAGE)
    assert (first.status_code, second.status_code) == (201, 201)
    assert [first.json()["number"], second.json()["number"]] == [
        HOME_VILLAGE + "0001",
        HOME_VILLAGE + "0002",
    ]


def test_the_refusal_is_translated(other_township_cadre):
    planted = register(
        other_township_cadre, OTHER_TOWNSHIP_VILLAGE, "zh-hans", number=HOME_VILLAGE + "9999"
    )
    assert planted.status_code == 400
    assert "户编号" in planted.json()["errors"][0]["detail"]


def test_a_number_of_the_villages_own_series_is_accepted(village_worker):
    response = register(village_worker, HOME_VILLAGE, number=HOME_VILLAGE + "0042")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == HOME_VILLAGE + "0042"
    assert register(village_worker, HOME_VILLAGE).json()["number"] == HOME_VILLAGE + "0043"


def test_numbers_planted_before_the_check_are_stepped_over(other_township_cadre, village_worker):
    # Rows a plant left before this fix (or households that moved away keeping their number):
    # they hold numbers of 水源村's series but belong to another village.
    for sequence in ("0001", "9999"):
        Household.objects.create(
            number=HOME_VILLAGE + sequence,
            village_id=OTHER_TOWNSHIP_VILLAGE,
            poverty_status="ordinary",
        )
    first = register(village_worker, HOME_VILLAGE)
    second = register(village_worker, HOME_VILLAGE)
    assert (first.status_code, second.status_code) == (201, 201), first.json()
    assert [first.json()["number"], second.json()["number"]] == [
        HOME_VILLAGE + "0002",
        HOME_VILLAGE + "0003",
    ]


def test_the_excel_import_refuses_a_number_of_another_villages_series(township_cadre):
    from spreadsheets.services import registry_import
    from tests.spreadsheets.books import member_row, workbook

    rows = [
        member_row(
            HOME_VILLAGE + "9999",
            OTHER_VILLAGE_SAME_TOWNSHIP,
            "赵大山",
            make_id_number("620423", "19700101", 11),
            "户主",
        )
    ]
    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)
    assert not report.ok
    assert [problem.column for problem in report.problems] == ["户编号"]
    assert OTHER_VILLAGE_SAME_TOWNSHIP in report.problems[0].message
    assert not Household.objects.exists()
