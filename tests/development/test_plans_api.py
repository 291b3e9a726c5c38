"""`/api/v1/plans/`: a draft with nested goals and commitments, the bad input refused with the
field, the list's filters and scope."""

import json

import pytest

from development.models import DevelopmentPlan, PlanCommitment
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type=JSON)


def test_a_draft_with_its_goals_and_commitments_in_one_request(household, village_worker):
    head = household.members.get(relation="head")
    body = {
        "household": household.pk,
        "goals": [
            {
                "area": "income",
                "description": "养羊增收",
                "target": "存栏20只",
                "commitments": [
                    {"party": "household", "description": "按时防疫", "member": head.pk},
                    {"party": "assistance", "description": "协调产业资金"},
                ],
            }
        ],
    }
    response = post(client_for(village_worker), "/api/v1/plans/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and len(data["goals"]) == 1
    assert {c["party"] for c in data["commitments"]} == {"household", "assistance"}
    assert all(c["goal"] == data["goals"][0]["id"] for c in data["commitments"])


def test_bad_input_is_a_400_with_the_field_and_writes_nothing(
    draft, household, other_township_household, village_worker
):
    client = client_for(village_worker)
    outside = post(client, "/api/v1/plans/", {"household": other_township_household.pk})
    assert outside.status_code == 400 and "household" in outside.content.decode()
    no_goal = post(
        client,
        f"/api/v1/plans/{draft.pk}/commitments/",
        {"version": draft.version, "party": "household", "description": "参加培训"},
    )
    assert no_goal.status_code == 400 and "goal" in no_goal.content.decode()
    # A commitment nested under a goal that fails rolls the whole draft back.
    DevelopmentPlan.objects.filter(pk=draft.pk).update(status="closed")
    broken = post(
        client,
        "/api/v1/plans/",
        {
            "household": household.pk,
            "goals": [
                {
                    "area": "work",
                    "description": "外出务工",
                    "commitments": [{"party": "household", "description": "x"}],
                }
            ],
        },
    )
    assert broken.status_code == 400
    assert DevelopmentPlan.objects.count() == 1
    assert PlanCommitment.objects.count() == 2


def test_a_stale_version_is_a_409(draft, village_worker):
    response = post(
        client_for(village_worker),
        f"/api/v1/plans/{draft.pk}/goals/",
        {"version": draft.version - 1, "area": "income", "description": "养鸡"},
    )
    assert response.status_code == 409


def test_the_list_filters_overdue_reviews_and_keeps_to_the_region(
    agreed, village_worker, other_township_cadre, api_client_user, clock
):
    client = client_for(village_worker)
    assert [row["id"] for row in client.get("/api/v1/plans/").json()["results"]] == [agreed.pk]
    assert client.get("/api/v1/plans/?review_overdue=true").json()["results"] == []
    clock.advance(100)
    client = client_for(village_worker)  # signed in again: the session has expired meanwhile
    overdue = client.get("/api/v1/plans/?review_overdue=true").json()["results"]
    assert [row["id"] for row in overdue] == [agreed.pk]
    assert client.get("/api/v1/plans/?review_overdue=maybe").status_code == 400
    assert client_for(other_township_cadre).get("/api/v1/plans/").json()["results"] == []
    assert client_for(other_township_cadre).get(f"/api/v1/plans/{agreed.pk}/").status_code == 404
    detail = client_for(api_client_user).get(f"/api/v1/plans/{agreed.pk}/")
    assert detail.status_code == 200 and len(detail.json()["goals"]) == 2


def test_a_review_sent_twice_is_one_review(agreed, later_visit, village_worker):
    ratings = [{"goal": g.pk, "rating": "on_track", "reason": "正常"} for g in agreed.goals.all()]
    ratings += [{"commitment": c.pk, "rating": "kept"} for c in agreed.commitments.all()]
    body = {"visit": later_visit.pk, "ratings": ratings}
    client = client_for(village_worker)
    first = post(client, f"/api/v1/plans/{agreed.pk}/review/", body)
    second = post(client, f"/api/v1/plans/{agreed.pk}/review/", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert len(second.json()["reviews"]) == 1
