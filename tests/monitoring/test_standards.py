"""The assistance standards beside the income line, and the layer they put each household in:
set through the service (scope, history, a re-scan), read through the API, shown on the household
and counted on the dashboard."""

from decimal import Decimal

import pytest
from django.utils.html import strip_tags
from rest_framework.test import APIClient

from dashboards.refresh import figures_refresh
from monitoring import scans
from monitoring.models import AssistanceStandard, ScanRun
from tests.conftest import client_for
from tests.monitoring.conftest import TODAY, poor_figures, record

COUNTY = "620423000000"
BODY = {"region": COUNTY, "year": 2026, "dibao": "6000.00", "tekun": "7800.00"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_county_officer_sets_the_standards_and_the_county_is_judged_again(county_officer):
    response = api(county_officer).post(
        "/api/v1/standards/", {**BODY, "edge_multiple": "2.00"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["edge_line"] == "12000.00"
    standard = AssistanceStandard.objects.get(region_id=COUNTY, year=2026)
    assert (standard.dibao, standard.edge_multiple, standard.is_demo) == (6000, 2, False)
    assert ScanRun.objects.filter(trigger="standard", scope="620423").exists()
    assert standard.events.filter(pgh_label="insert").exists()  # its history
    again = api(county_officer).post(
        "/api/v1/standards/", {**BODY, "dibao": "6100.00", "version": 1}, format="json"
    )
    assert again.status_code == 201 and again.json()["version"] == 2
    listed = api(county_officer).get("/api/v1/standards/").json()["results"]
    assert [row["dibao"] for row in listed] == ["6100.00"]


@pytest.mark.parametrize(
    ("persona", "changes", "status", "attr"),
    [
        ("county_officer", {"dibao": "-1"}, 400, "dibao"),
        ("county_officer", {"dibao": "0"}, 400, "dibao"),
        ("county_officer", {"tekun": "99999999"}, 400, "tekun"),
        ("county_officer", {"edge_multiple": "3.50"}, 400, "edge_multiple"),
        ("county_officer", {"edge_multiple": "0.9"}, 400, "edge_multiple"),
        ("county_officer", {"year": 2019}, 400, "year"),
        ("county_officer", {"region": "620421000000"}, 400, "region"),  # another county
        ("county_officer", {"region": None}, 400, "region"),  # the national floor
        ("other_county_officer", {}, 400, "region"),
        ("township_cadre", {}, 403, None),
        ("village_worker", {}, 403, None),
    ],
)
def test_bad_standards_are_refused_with_their_field_and_nothing_is_written(
    request, persona, changes, status, attr
):
    response = api(request.getfixturevalue(persona)).post(
        "/api/v1/standards/", {**BODY, **changes}, format="json"
    )
    assert response.status_code == status
    if attr:
        assert response.json()["errors"][0]["attr"] == attr
    assert not AssistanceStandard.objects.exists()
    assert not ScanRun.objects.filter(trigger="standard").exists()


def test_a_poor_household_is_in_the_dibao_layer_on_its_page_the_api_and_the_dashboard(
    village_worker, township_cadre, county_officer, household
):
    AssistanceStandard.objects.create(
        region_id=COUNTY, year=2026, dibao=Decimal("6000"), tekun=Decimal("7800")
    )
    record(village_worker, household, **poor_figures())  # 5,000 yuan a person
    scans.evaluate_one(household.pk, as_of=TODAY)
    household.refresh_from_db()
    assert household.layer == "dibao"

    shown = api(township_cadre).get(f"/api/v1/households/{household.pk}/").json()
    assert shown["layer"] == "dibao"
    assert shown["layer_reasons"] == [
        {
            "code": "below_dibao",
            "text": "人均纯收入5,000.00 元低于2026年低保标准6,000.00 元，"
            "家中无人享受低保，应转介民政",
        }
    ]
    in_dibao = api(township_cadre).get("/api/v1/households/", {"layer": "dibao"}).json()
    assert [row["id"] for row in in_dibao["results"]] == [household.pk]
    assert (
        api(township_cadre).get("/api/v1/households/", {"layer": "tekun"}).json()["results"] == []
    )
    bad = api(township_cadre).get("/api/v1/households/", {"layer": "rich"})
    assert bad.status_code == 400

    page = client_for(township_cadre).get(f"/households/{household.pk}/").content.decode()
    page = strip_tags(page)
    assert "分层" in page and "低保" in page and "低于2026年低保标准" in page
    listed = client_for(township_cadre).get("/households/", {"layer": "dibao"}).content.decode()
    assert household.number in listed

    figures_refresh(as_of=TODAY)
    board = client_for(county_officer).get("/dashboard/").context["board"]
    by_layer = next(chart for chart in board.charts if chart.slug == "layer")
    counts = {row.label: row.values[0] for row in by_layer.rows}
    assert counts["低保（享受或收入低于标准）"] == 1 and sum(counts.values()) == 1
