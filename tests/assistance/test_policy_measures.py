"""The measure catalogue as data: the national entries as the code lists them, a county's own
measures added beside them and offered to its households only, and the national entries never
changed by a county."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from assistance.catalogue import NATIONAL_MEASURES
from assistance.models import PolicyMeasure
from assistance.selectors import suggestions_for
from tests.conftest import HOME_VILLAGE

HOME_COUNTY = "620423000000"
OTHER_COUNTY_VILLAGE = "620421100200"
BODY = {
    "region": HOME_COUNTY,
    "risk_type": "illness",
    "kind": "health",
    "title": "景泰县大病补充医疗救助",
    "department": "medical_security",
    "typical_amount": "3000.00",
}


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def test_the_national_entries_are_the_codes_list(db):
    """Migration 0018 seeded the rows from the code's list; the code's titles are the msgids the
    rows are shown through, so the two must stay the same."""
    stored = {
        (row.risk_type, row.kind, row.title, row.department, tuple(row.offer_kinds))
        for row in PolicyMeasure.objects.filter(region__isnull=True)
    }
    with translation.override("en"):
        listed = {
            (str(risk), str(kind), str(title), str(department), tuple(str(o) for o in offers))
            for risk, kind, title, department, offers in NATIONAL_MEASURES
        }
    assert stored == listed


def test_a_county_adds_its_own_measure_offered_to_its_households_only(county_officer):
    response = api(county_officer).post("/api/v1/policy-measures/", BODY, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["national"] is False
    row = PolicyMeasure.objects.get(region_id=HOME_COUNTY)
    assert row.events.filter(pgh_label="insert").exists()  # its history

    here = suggestions_for(["illness"], HOME_VILLAGE)
    assert [s.title for s in here][:3] == [
        "大病医疗救助",
        "城乡居民基本医疗保险参保资助",
        "家庭医生签约服务",
    ]
    assert here[-1].title == "景泰县大病补充医疗救助" and not here[-1].national
    assert here[-1].department_label == "医保"
    elsewhere = suggestions_for(["illness"], OTHER_COUNTY_VILLAGE)
    assert "景泰县大病补充医疗救助" not in [s.title for s in elsewhere]

    withdrawn = api(county_officer).patch(
        f"/api/v1/policy-measures/{row.pk}/", {"is_active": False, "version": 1}, format="json"
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    assert "景泰县大病补充医疗救助" not in [
        s.title for s in suggestions_for(["illness"], HOME_VILLAGE)
    ]


def test_a_national_entry_is_not_changed_by_a_county(county_officer):
    national = PolicyMeasure.objects.filter(region__isnull=True).first()
    response = api(county_officer).patch(
        f"/api/v1/policy-measures/{national.pk}/",
        {"title": "改掉国家政策", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    national.refresh_from_db()
    assert national.title != "改掉国家政策" and national.version == 1


@pytest.mark.parametrize(
    ("persona", "changes", "status", "attr"),
    [
        ("county_officer", {"title": "x"}, 400, "title"),
        ("county_officer", {"typical_amount": "-1"}, 400, "typical_amount"),
        ("county_officer", {"offer_kinds": ["cash"]}, 400, "offer_kinds.0"),
        ("county_officer", {"risk_type": "boredom"}, 400, "risk_type"),
        ("county_officer", {"region": "620421000000"}, 400, "region"),
        ("other_county_officer", {}, 400, "region"),
        ("township_cadre", {}, 403, None),
        ("village_worker", {}, 403, None),
    ],
)
def test_bad_measures_are_refused_and_nothing_is_written(request, persona, changes, status, attr):
    response = api(request.getfixturevalue(persona)).post(
        "/api/v1/policy-measures/", {**BODY, **changes}, format="json"
    )
    assert response.status_code == status
    if attr:
        assert response.json()["errors"][0]["attr"] == attr
    assert not PolicyMeasure.objects.filter(region__isnull=False).exists()


def test_the_same_measure_twice_in_a_county_is_refused(county_officer):
    assert (
        api(county_officer).post("/api/v1/policy-measures/", BODY, format="json").status_code == 201
    )
    again = api(county_officer).post("/api/v1/policy-measures/", BODY, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["attr"] == "title"


def test_another_county_neither_reads_nor_changes_ours(county_officer, other_county_officer):
    api(county_officer).post("/api/v1/policy-measures/", BODY, format="json")
    row = PolicyMeasure.objects.get(region_id=HOME_COUNTY)
    theirs = api(other_county_officer)
    listed = theirs.get("/api/v1/policy-measures/", {"risk_type": "illness"}).json()["results"]
    assert row.pk not in [item["id"] for item in listed]
    assert (
        theirs.patch(
            f"/api/v1/policy-measures/{row.pk}/", {"is_active": False, "version": 1}, format="json"
        ).status_code
        == 404
    )
