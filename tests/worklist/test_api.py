"""GET /api/v1/tasks/: the user's own tasks with the counts; bad parameters are a 400."""

import datetime

import pytest
from rest_framework.test import APIClient

from households.models import Household
from tests.conftest import HOME_VILLAGE, OTHER_COUNTY

pytestmark = pytest.mark.django_db
URL = "/api/v1/tasks/"


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def due_households(household, clock):
    rows = [household]
    Household.objects.filter(pk=household.pk).update(
        next_visit_due=clock.today() - datetime.timedelta(days=4)
    )
    for n, days in ((1, 2), (2, -1)):
        rows.append(
            Household.objects.create(
                number=f"62042310020090{n}",
                village_id=HOME_VILLAGE,
                poverty_status="ordinary",
                next_visit_due=clock.today() + datetime.timedelta(days=days),
            )
        )
    return rows


def test_a_village_worker_gets_their_tasks_with_counts(village_worker, due_households):
    response = api(village_worker).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["visit_due"] == {"kind_label": "Visits due", "total": 3, "overdue": 2}
    assert body["count"] == 3 and body["page"] == 1 and body["pages"] == 1
    first = body["results"][0]
    assert first["kind"] == "visit_due" and first["overdue"] is True
    assert first["days_overdue"] == 4
    assert first["url"].startswith("/visits/new/?household=")
    assert [r["due_on"] for r in body["results"]] == sorted(r["due_on"] for r in body["results"])


def test_filters_narrow_the_list_and_pages_are_bounded(village_worker, due_households, clock):
    client = api(village_worker)
    assert client.get(URL, {"overdue": "true"}).json()["count"] == 2
    assert client.get(URL, {"overdue": "false"}).json()["count"] == 1
    assert client.get(URL, {"kind": ["visit_due", "case_step"]}).json()["count"] == 3
    assert client.get(URL, {"kind": "alert_verify"}).json()["results"] == []
    due = (clock.today() - datetime.timedelta(days=2)).isoformat()
    assert client.get(URL, {"due_before": due}).json()["count"] == 1
    assert client.get(URL, {"region": HOME_VILLAGE}).json()["count"] == 3
    paged = client.get(URL, {"page_size": 2, "page": 2}).json()
    assert (paged["pages"], len(paged["results"])) == (2, 1)


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nonsense"},
        {"overdue": "maybe"},
        {"due_before": "2026-13-40"},
        {"region": "abc"},
        {"region": "62\x0042"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "1000"},
    ],
)
def test_bad_parameters_are_refused_with_a_400(village_worker, params):
    response = api(village_worker).get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"


def test_a_region_outside_the_users_is_a_400_and_reveals_nothing(village_worker, due_households):
    response = api(village_worker).get(URL, {"region": OTHER_COUNTY})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["attr"], error["code"]) == ("region", "outside_region")


def test_the_error_is_translated(village_worker):
    client = api(village_worker)
    response = client.get(URL, {"region": "abc"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "区划代码" in response.json()["errors"][0]["detail"]


def test_anonymous_is_refused(due_households):
    assert api().get(URL).status_code == 401


def test_a_partner_an_auditor_and_another_township_get_an_empty_list(
    partner, auditor, other_township_cadre, api_client_user, due_households
):
    for user in (auditor, api_client_user):
        body = api(user).get(URL).json()
        assert body == {"counts": {}, "count": 0, "page": 1, "pages": 1, "results": []}
    # A partner's list holds only its referrals and deliveries: none here.
    body = api(partner).get(URL).json()
    assert set(body["counts"]) == {"referral_answer", "delivery_due"}
    assert body["count"] == 0 and body["results"] == []
    body = api(other_township_cadre).get(URL).json()
    assert body["count"] == 0 and body["results"] == []


def test_only_get_is_answered(village_worker):
    assert api(village_worker).post(URL, {}, format="json").status_code == 405
