"""The dashboard page: each user sees their own region and what is under it, nothing else."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.refresh import figures_refresh
from households.models import Household
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, HOME_VILLAGE, OTHER_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.fixture
def counted(household, other_township_household):
    figures_refresh(as_of=datetime.date(2026, 3, 2))


def chart_data(response, slug: str) -> dict:
    html = response.content.decode()
    start = html.index(f'id="{slug}-data"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_township_cadre_sees_their_township_with_a_row_per_village(township_cadre, counted):
    response = client_for(township_cadre).get(URL)

    assert response.status_code == 200
    board = response.context["board"]
    assert board.region.code == HOME_TOWNSHIP
    assert board.tiles[0].value == 1  # the other township's household is not counted
    villages = [row.link for row in board.children.rows]
    assert HOME_VILLAGE in villages
    assert all(code.startswith("620423100") for code in villages)
    status = chart_data(response, "poverty-status")
    assert status["datasets"][0]["data"] == [1, 0]


def test_county_officer_drills_down_to_a_township_and_a_village(county_officer, counted):
    client = client_for(county_officer)

    county = client.get(URL).context["board"]
    assert county.region.code == HOME_COUNTY
    assert county.tiles[0].value == 2
    township = client.get(URL, {"region": HOME_TOWNSHIP}).context["board"]
    assert township.tiles[0].value == 1
    assert [region.code for region in township.breadcrumbs] == [HOME_COUNTY, HOME_TOWNSHIP]
    village = client.get(URL, {"region": HOME_VILLAGE}).context["board"]
    assert village.children is None
    assert village.tiles[0].value == 1


def test_a_region_outside_the_users_own_is_not_found(township_cadre, counted):
    client = client_for(township_cadre)

    assert client.get(URL, {"region": OTHER_TOWNSHIP}).status_code == 404
    assert client.get(URL, {"region": HOME_COUNTY}).status_code == 404
    assert client.get(URL, {"region": "not-a-code"}).status_code == 404


@pytest.mark.parametrize("persona", ["village_worker", "partner", "api_client_user"])
def test_roles_without_dashboards_are_refused(request, persona, counted):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(URL).status_code == 403


def test_auditor_may_read_the_county_dashboard(auditor, counted):
    assert client_for(auditor).get(URL).status_code == 200


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_print_view_hides_the_menus(county_officer, counted):
    response = client_for(county_officer).get(URL, {"print": "1"})

    assert b'class="print-view"' in response.content


def test_before_the_first_refresh_the_page_says_so(county_officer, household):
    response = client_for(county_officer).get(URL)

    assert response.status_code == 200
    assert response.context["board"].refreshed is None


def test_the_dashboard_reads_a_fixed_number_of_queries(county_officer, counted):
    client = client_for(county_officer)
    client.get(URL)  # warm the session and the permission cache

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    # Session, user, permissions, regions, the figures twice, partner names, the menu's
    # notification count, and the idle-timeout session save, and the capacity's bands and
    # monthly mean (development: counted on the request, one query each): none per household.
    assert len(queries) <= 17, "\n".join(q["sql"][:100] for q in queries)


@pytest.mark.parametrize("code", ["%00", "62%0004", "abc", "６２０４", "9" * 5000])
def test_a_region_code_that_is_not_digits_is_not_found_rather_than_failing(
    county_officer, counted, code
):
    assert client_for(county_officer).get(f"{URL}?region={code}").status_code == 404


def test_a_county_home_page_reads_the_counted_figures_and_says_when(county_officer, household):
    client = client_for(county_officer)
    live = client.get("/")
    assert live.context["refreshed"] is None and live.context["total"] == 1

    figures_refresh(as_of=datetime.date(2026, 3, 2))
    counted_level = Household.objects.get(pk=household.pk).risk_level
    Household.objects.filter(pk=household.pk).update(risk_level="high")
    counted = client.get("/")

    assert counted.context["refreshed"] is not None
    assert counted.context["total"] == 1
    # The risk level changed after the count: the county page shows the count, as it says.
    assert counted_level != "high"
    assert (
        dict((value, n) for value, _label, n in counted.context["risk_counts"])[counted_level] == 1
    )


def test_a_township_home_page_reads_the_same_count_as_its_dashboard(township_cadre, household):
    figures_refresh(as_of=datetime.date(2026, 3, 2))
    counted_level = Household.objects.get(pk=household.pk).risk_level
    Household.objects.filter(pk=household.pk).update(risk_level="high")

    response = client_for(township_cadre).get("/")

    # One snapshot for the home page and the dashboard (issue 18): the count, as it says.
    assert response.context["refreshed"] is not None
    assert response.context["live"] is False
    risk = dict((value, n) for value, _label, n in response.context["risk_counts"])
    assert risk[counted_level] == 1 and (counted_level == "high" or risk["high"] == 0)
