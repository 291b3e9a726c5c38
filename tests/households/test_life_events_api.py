"""Life events through the REST door: move, split, merge, the timeline, and bad input."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from households import services
from households.models import Household, LifeEvent, Member
from tests.households.test_life_events import add_child, new_household
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db


def api(user=None, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def errors_of(response) -> dict[str, str]:
    return {error["attr"]: error["detail"] for error in response.json()["errors"]}


@pytest.fixture
def target(township_cadre):
    return new_household(township_cadre)


def test_a_member_moves_through_the_api(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    response = api(township_cadre).post(
        f"/api/v1/members/{spouse.pk}/move/",
        {
            "household": target.pk,
            "relation": "spouse",
            "version": spouse.version,
            "changed_on": "2026-10-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["household"] == target.pk and body["status"] == "active"
    spouse.refresh_from_db()
    assert spouse.status == "moved_out"
    assert "id_number_hash" not in body and body["id_number"] == spouse.id_number_masked


def test_a_move_out_of_reach_is_a_translated_400_and_nothing_is_written(
    township_cadre, household, other_township_household
):
    spouse = household.members.get(relation="spouse")
    response = api(township_cadre).post(
        f"/api/v1/members/{spouse.pk}/move/",
        {"household": other_township_household.pk, "relation": "spouse", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "household" in errors_of(response)
    assert "辖区" in errors_of(response)["household"] or "户" in errors_of(response)["household"]
    assert Member.objects.get(pk=spouse.pk).status == "active"


def test_editing_a_members_household_is_refused_with_a_pointer_to_the_move(
    township_cadre, household, target
):
    spouse = household.members.get(relation="spouse")
    response = api(township_cadre, "en").patch(
        f"/api/v1/members/{spouse.pk}/",
        {"household": target.pk, "version": spouse.version},
        format="json",
    )
    assert response.status_code == 400
    assert "move" in errors_of(response)["household"]
    assert Member.objects.get(pk=spouse.pk).household_id == household.pk


def test_a_death_with_its_date_and_the_new_head_through_the_api(township_cadre, household):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    client = api(township_cadre)
    refused = client.patch(
        f"/api/v1/members/{head.pk}/",
        {"status": "deceased", "version": head.version},
        format="json",
    )
    assert refused.status_code == 400
    assert errors_of(refused)["new_head"] == "户主离开本户：请指定新户主。"
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    in_future = client.patch(
        f"/api/v1/members/{head.pk}/",
        {
            "status": "deceased",
            "version": head.version,
            "changed_on": future,
            "new_head": spouse.pk,
        },
        format="json",
    )
    assert in_future.status_code == 400 and "changed_on" in errors_of(in_future)
    done = client.patch(
        f"/api/v1/members/{head.pk}/",
        {
            "status": "deceased",
            "version": head.version,
            "changed_on": "2026-09-30",
            "new_head": spouse.pk,
        },
        format="json",
    )
    assert done.status_code == 200, done.content
    household.refresh_from_db()
    assert household.head_name == "李秀英"


def test_the_timeline_lists_life_events_and_hides_households_out_of_reach(
    county_officer, township_cadre, household, other_township_household
):
    spouse = household.members.get(relation="spouse")
    services.member_move(
        actor=county_officer,
        member=spouse,
        version=spouse.version,
        household_id=other_township_household.pk,
        relation="spouse",
        changed_on=datetime.date(2026, 10, 1),
    )
    mine = api(township_cadre, "en").get(f"/api/v1/households/{household.pk}/life-events/")
    assert mine.status_code == 200
    moved = [row for row in mine.json() if row["kind"] == "moved_out"]
    assert moved == [
        {
            "occurred_on": "2026-10-01",
            "kind": "moved_out",
            "kind_label": "Moved out",
            "member": "李秀英",
            "other_household": "another household",
        }
    ]
    assert other_township_household.number not in mine.content.decode()
    county = api(county_officer).get(f"/api/v1/households/{household.pk}/life-events/")
    assert other_township_household.number in county.content.decode()


def test_a_household_splits_through_the_api(township_cadre, household):
    child = add_child(township_cadre, household)
    response = api(township_cadre).post(
        f"/api/v1/households/{household.pk}/split/",
        {"members": [child.pk], "head": child.pk, "changed_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["head_name"] == "张小军"
    assert response.json()["number"].startswith(household.village_id)


def test_a_split_emptying_the_household_is_a_400(township_cadre, household):
    ids = list(household.members.values_list("pk", flat=True))
    count = Household.objects.count()
    response = api(township_cadre).post(
        f"/api/v1/households/{household.pk}/split/",
        {"members": ids, "head": ids[0], "new_head": ids[1]},
        format="json",
    )
    assert response.status_code == 400
    assert "members" in errors_of(response)
    assert Household.objects.count() == count


def test_households_merge_through_the_api(township_cadre, household, target):
    response = api(township_cadre).post(
        f"/api/v1/households/{household.pk}/merge/",
        {"other_household": target.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["member_count"] == 3


def test_a_merge_across_villages_or_with_a_bad_relation_is_a_400(township_cadre, household):
    elsewhere = new_household(township_cadre, "620423100201")
    client = api(township_cadre)
    across = client.post(
        f"/api/v1/households/{household.pk}/merge/",
        {"other_household": elsewhere.pk},
        format="json",
    )
    assert across.status_code == 400 and "other_household" in errors_of(across)
    nonsense = client.post(
        f"/api/v1/households/{household.pk}/merge/",
        {"other_household": elsewhere.pk, "head_relation": "emperor"},
        format="json",
    )
    assert nonsense.status_code == 400 and "head_relation" in errors_of(nonsense)
    assert not LifeEvent.objects.filter(kind="merged").exists()


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_outsiders_get_404_from_every_life_event_action(request, persona, household):
    client = api(request.getfixturevalue(persona))
    spouse = household.members.get(relation="spouse")
    base = f"/api/v1/households/{household.pk}/"
    assert client.get(base + "life-events/").status_code == 404
    assert (
        client.post(base + "split/", {"members": [spouse.pk], "head": spouse.pk}).status_code == 404
    )
    assert client.post(base + "merge/", {"other_household": household.pk}).status_code == 404
    moved = client.post(
        f"/api/v1/members/{spouse.pk}/move/",
        {"household": household.pk, "relation": "spouse", "version": 1},
    )
    assert moved.status_code == 404
    assert Member.objects.get(pk=spouse.pk).status == "active"


@pytest.mark.parametrize("persona", ["auditor", "api_client_user"])
def test_read_only_roles_see_the_timeline_but_cannot_move(request, persona, household):
    client = api(request.getfixturevalue(persona))
    spouse = household.members.get(relation="spouse")
    assert client.get(f"/api/v1/households/{household.pk}/life-events/").status_code == 200
    refused = client.post(
        f"/api/v1/members/{spouse.pk}/move/",
        {"household": household.pk, "relation": "spouse", "version": 1},
    )
    assert refused.status_code == 403


def test_a_registered_and_co_resident_member_is_flagged_in_the_api(township_cadre, household):
    client = api(township_cadre)
    created = client.post(
        "/api/v1/members/",
        {
            "household": household.pk,
            "name": "张小梅",
            "id_number": make_id_number("620423", "19980303", 5),
            "relation": "child",
            "labour": "ordinary",
            "education": "college",
            "lives_here": False,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["registered_here"], created.json()["lives_here"]) == (True, False)
    household.refresh_from_db()
    assert (household.member_count, household.income_sharers) == (3, 2)


def test_the_timeline_says_a_health_change_happened_never_what_it_was(
    township_cadre, village_worker, household
):
    spouse = household.members.get(relation="spouse")
    services.member_update(
        actor=township_cadre, member=spouse, version=spouse.version, health="serious"
    )
    for viewer in (village_worker, township_cadre):
        client = APIClient()
        client.force_authenticate(viewer)
        body = client.get(f"/api/v1/households/{household.pk}/life-events/").json()
        kinds = [row["kind"] for row in body]
        assert "health_changed" in kinds
        assert "serious_illness" not in kinds
        assert not any("大病" in row["kind_label"] for row in body)


def test_a_second_head_through_the_api_gets_the_policys_words(township_cadre, household):
    spouse = household.members.get(relation="spouse")
    client = APIClient()
    client.force_authenticate(township_cadre)
    response = client.patch(
        f"/api/v1/members/{spouse.pk}/",
        {"relation": "head", "version": spouse.version},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "该户已有户主" in response.content.decode()
