"""The capacity weights as data: set by a county officer through the service, the API and the
admin; weights not summing to 100 are refused with the sum named, and nothing is written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from monitoring.engine.capacity import DEFAULT_WEIGHTS
from monitoring.engine.policy import Policy
from monitoring.models import CapacityWeights
from monitoring.services.capacity import capacity_weights_save
from tests.conftest import client_for

COUNTY = "620423000000"
VILLAGE = "620423100201"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_national_default_is_seeded(db):
    row = CapacityWeights.objects.get(region__isnull=True)
    assert {code: getattr(row, code) for code in DEFAULT_WEIGHTS} == DEFAULT_WEIGHTS


def test_a_county_sets_its_weights_and_its_villages_use_them(county_officer):
    weights = {**DEFAULT_WEIGHTS, "labour": 35, "credit": 0}
    row = capacity_weights_save(actor=county_officer, region_code=COUNTY, weights=weights)
    found, found_id = Policy().capacity_weights(VILLAGE)
    assert found_id == row.pk and found.labour == 35 and found.credit == 0
    # Set again: the same row, a new version, its history kept.
    again = capacity_weights_save(
        actor=county_officer, region_code=COUNTY, weights=DEFAULT_WEIGHTS, version=1
    )
    assert again.pk == row.pk and again.version == 2
    assert row.events.count() == 2


@pytest.mark.parametrize(
    ("changes", "total"), [({"labour": 30}, 105), ({"credit": 0}, 90), ({"work": 0}, 75)]
)
def test_weights_not_summing_to_100_are_refused_naming_the_sum(county_officer, changes, total):
    with pytest.raises(ValidationError) as refused:
        capacity_weights_save(
            actor=county_officer, region_code=COUNTY, weights={**DEFAULT_WEIGHTS, **changes}
        )
    assert refused.value.messages == [f"各项权重之和必须恰好为100，当前合计为{total}。"]
    assert not CapacityWeights.objects.filter(region_id=COUNTY).exists()


def test_a_weight_out_of_range_is_refused(county_officer):
    with pytest.raises(ValidationError) as refused:
        capacity_weights_save(
            actor=county_officer,
            region_code=COUNTY,
            weights={**DEFAULT_WEIGHTS, "labour": -5, "work": 55},
        )
    assert "labour" in refused.value.message_dict


def test_only_a_county_officer_of_the_county_sets_them(
    township_cadre, other_county_officer, county_officer
):
    with pytest.raises(PermissionDenied):
        capacity_weights_save(actor=township_cadre, region_code=COUNTY, weights=DEFAULT_WEIGHTS)
    with pytest.raises(ValidationError):
        capacity_weights_save(
            actor=other_county_officer, region_code=COUNTY, weights=DEFAULT_WEIGHTS
        )
    with pytest.raises(ValidationError):  # the national default: a system administrator's
        capacity_weights_save(actor=county_officer, region_code=None, weights=DEFAULT_WEIGHTS)
    assert not CapacityWeights.objects.filter(region__isnull=False).exists()


def test_the_api_sets_and_lists_them_and_refuses_a_wrong_sum_in_chinese(
    county_officer, other_county_officer
):
    body = {"region": COUNTY, **DEFAULT_WEIGHTS, "labour": 30}
    response = api(county_officer).post(
        "/api/v1/capacity-weights/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "当前合计为105" in str(response.json())
    assert not CapacityWeights.objects.filter(region_id=COUNTY).exists()

    response = api(county_officer).post(
        "/api/v1/capacity-weights/", {**body, "labour": 25}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["labour"] == 25 and response.json()["version"] == 1

    bad = api(county_officer).post(
        "/api/v1/capacity-weights/", {**body, "skills": "a lot"}, format="json"
    )
    assert bad.status_code == 400
    assert "skills" in str(bad.json())

    listed = api(county_officer).get("/api/v1/capacity-weights/").json()
    assert {row["region"] for row in listed["results"]} == {None, COUNTY}
    # Another county sees the national default, never this county's.
    other = api(other_county_officer).get("/api/v1/capacity-weights/").json()
    assert {row["region"] for row in other["results"]} == {None}


def test_the_admin_refuses_a_wrong_sum_and_saves_through_the_service(county_officer):
    client = client_for(county_officer)
    form = {"region": COUNTY, **DEFAULT_WEIGHTS, "credit": 5, "note": ""}
    response = client.post("/admin/monitoring/capacityweights/add/", form)
    assert response.status_code == 200
    assert "各项权重之和必须恰好为100，当前合计为95。" in response.content.decode()
    assert not CapacityWeights.objects.filter(region_id=COUNTY).exists()
    response = client.post("/admin/monitoring/capacityweights/add/", {**form, "credit": 10})
    assert response.status_code == 302
    assert CapacityWeights.objects.get(region_id=COUNTY).credit == 10


def test_the_rule_settings_list_the_new_rule(county_officer):
    defaults = api(county_officer).get("/api/v1/rules/defaults/").json()
    row = next(row for row in defaults if row["code"] == "weak_capacity")
    assert row == {
        "code": "weak_capacity",
        "severity": "low",
        "weight": 5,
        "params": {"below": 40, "max_age_days": 100},
    }
    response = api(county_officer).post(
        "/api/v1/rules/",
        {
            "code": "weak_capacity",
            "region": COUNTY,
            "severity": "medium",
            "weight": 10,
            "params": {"below": 50},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    settings = Policy().rule_settings(VILLAGE)["weak_capacity"]
    assert (settings.severity, settings.params["below"]) == ("medium", 50)
    assert settings.params["max_age_days"] == 100
