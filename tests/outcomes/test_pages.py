"""The outcomes page, the case block and the API: the same figures, each in its own region."""

import datetime
import json
import zoneinfo

import pytest
import time_machine

from households.models import Region
from outcomes import selectors
from outcomes.serializers import OutcomesSerializer
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, OTHER_TOWNSHIP, client_for
from tests.outcomes.conftest import TODAY

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def now():
    moment = datetime.datetime.combine(TODAY, datetime.time(10), SHANGHAI)
    with time_machine.travel(moment, tick=False):
        yield


def test_the_api_gives_the_page_s_figures(history, county_officer):
    client = client_for(county_officer)
    page = client.get("/outcomes/", {"region": HOME_COUNTY, "eliminated_from": "2025-01-01"})
    assert page.status_code == 200
    shown = page.context["outcomes"]
    assert shown.summary.cases == 4  # case C, not eliminated, is outside the period
    assert "2,000.00 元" in page.content.decode()  # the county's median change
    api = client.get("/api/v1/outcomes/", {"region": HOME_COUNTY, "eliminated_from": "2025-01-01"})
    assert api.status_code == 200
    assert api.json() == json.loads(json.dumps(OutcomesSerializer(shown).data, default=str))
    assert api.json()["summary"]["median_change_12"] == "2000.00"
    assert api.json()["summary"]["reentered"] == 1
    townships = {row["code"]: row["figures"]["cases"] for row in api.json()["areas"]}
    assert townships[HOME_TOWNSHIP] == 3 and townships[OTHER_TOWNSHIP] == 1  # A, B, D; E


def test_a_township_sees_its_own(history, other_township_cadre, township_cadre):
    page = client_for(other_township_cadre).get("/outcomes/")
    assert page.status_code == 200
    assert page.context["outcomes"].summary.cases == 1  # case E only
    assert page.context["outcomes"].summary.median_change_12 == selectors.Decimal("-200.00")
    api = client_for(township_cadre).get("/api/v1/outcomes/")
    assert api.json()["summary"]["cases"] == 4
    assert [row["code"] for row in api.json()["areas"]] == list(
        Region.objects.filter(parent_id=HOME_TOWNSHIP)
        .order_by("code")
        .values_list("code", flat=True)
    )


def test_outsiders_are_refused(history, other_county_officer, other_township_cadre, village_worker):
    assert (
        client_for(other_county_officer).get("/outcomes/", {"region": HOME_COUNTY}).status_code
        == 404
    )
    api = client_for(other_county_officer).get("/api/v1/outcomes/", {"region": HOME_COUNTY})
    assert api.status_code == 400
    assert api.json()["errors"][0]["attr"] == "region"
    cases = client_for(other_township_cadre).get(
        "/api/v1/outcomes/cases/", {"region": HOME_TOWNSHIP}
    )
    assert cases.status_code == 400
    assert client_for(village_worker).get("/outcomes/").status_code == 403
    assert client_for(village_worker).get("/api/v1/outcomes/").status_code == 403


def test_bad_input_is_a_clear_400(county_officer):
    client = client_for(county_officer)
    reversed_period = client.get(
        "/api/v1/outcomes/", {"eliminated_from": "2026-01-01", "eliminated_to": "2025-01-01"}
    )
    assert reversed_period.status_code == 400
    assert reversed_period.json()["errors"][0]["attr"] == "eliminated_to"
    assert client.get("/api/v1/outcomes/", {"region": "abc"}).status_code == 400
    assert client.get("/api/v1/outcomes/", {"eliminated_from": "soon"}).status_code == 400
    page = client.get("/outcomes/", {"eliminated_from": "soon"})
    assert page.status_code == 200 and page.context["outcomes"] is None


def test_the_case_list_of_the_api(history, township_cadre):
    response = client_for(township_cadre).get("/api/v1/outcomes/cases/", {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert [row["case_id"] for row in body["results"]] == sorted(
        [history.a.pk, history.b.pk, history.c.pk, history.d.pk]
    )[:2]
    assert body["next"]
    rows = {row["case_id"]: row for row in body["results"]}
    if history.a.pk in rows:
        a = rows[history.a.pk]
        assert a["after_12_months"] == {"day": "2026-09-01", "value": "8200.00", "state": "known"}
        assert a["change_12_months"] == "4200.00"
    following = client_for(township_cadre).get(body["next"]).json()
    assert len(following["results"]) == 2
    assert history.e.pk not in [row["case_id"] for row in following["results"]]


def test_the_case_page_shows_its_outcomes(history, township_cadre, village_worker):
    page = client_for(township_cadre).get(f"/cases/{history.a.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="outcomes"' in text
    assert "8,200.00 元" in text and "4,200.00 元" in text
    # A village worker sees the case but not the outcomes.
    page = client_for(village_worker).get(f"/cases/{history.a.pk}/")
    assert page.status_code == 200
    assert 'id="outcomes"' not in page.content.decode()


def test_the_household_page_shows_its_latest_case_s_outcomes(
    history, township_cadre, village_worker
):
    page = client_for(township_cadre).get(f"/households/{history.a.household_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="outcomes"' in text and "4,200.00 元" in text
    assert f'href="/cases/{history.a.pk}/"' in text
    page = client_for(village_worker).get(f"/households/{history.a.household_id}/")
    assert 'id="outcomes"' not in page.content.decode()
