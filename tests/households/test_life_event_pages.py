"""Life events through the pages: move, split, merge, a death with its date, the timeline."""

import datetime

import pytest

from households import services
from households.models import Household, LifeEvent, Member
from tests.conftest import client_for
from tests.households.test_life_events import add_child, new_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(township_cadre):
    return new_household(township_cadre)


def member_form(member, **changes) -> dict:
    data = {
        "name": member.name,
        "relation": member.relation,
        "labour": member.labour,
        "education": member.education,
        "schooling": member.schooling,
        "work": member.work,
        "status": member.status,
        "medical_insurance": "on",
        "registered_here": "on",
        "lives_here": "on",
        "version": member.version,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_household_page_offers_the_life_event_actions(township_cadre, household):
    page = client_for(township_cadre).get(f"/households/{household.pk}/").content.decode()
    assert f"/households/{household.pk}/split/" in page
    assert f"/households/{household.pk}/merge/" in page
    spouse = household.members.get(relation="spouse")
    assert f"/members/{spouse.pk}/move/" in page
    assert "生活事件" in page


def test_an_auditor_sees_the_timeline_but_no_life_event_action(auditor, household):
    page = client_for(auditor).get(f"/households/{household.pk}/").content.decode()
    assert "生活事件" in page and "登记入户" in page
    spouse = household.members.get(relation="spouse")
    for url in (
        f"/households/{household.pk}/split/",
        f"/households/{household.pk}/merge/",
        f"/members/{spouse.pk}/move/",
    ):
        assert url not in page
        assert client_for(auditor).get(url).status_code == 403


def test_a_member_moves_through_the_page(township_cadre, household, target):
    spouse = household.members.get(relation="spouse")
    client = client_for(township_cadre)
    assert client.get(f"/members/{spouse.pk}/move/").status_code == 200
    response = client.post(
        f"/members/{spouse.pk}/move/",
        {
            "household_number": target.number,
            "relation": "spouse",
            "version": spouse.version,
            "changed_on": "2026-10-01",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/households/{target.pk}/"
    assert Member.objects.get(pk=spouse.pk).status == "moved_out"
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "2026-10-01" in page and target.number in page and "迁出" in page


def test_a_move_to_an_unknown_household_shows_the_error_and_changes_nothing(
    township_cadre, household, other_township_household
):
    spouse = household.members.get(relation="spouse")
    response = client_for(township_cadre).post(
        f"/members/{spouse.pk}/move/",
        {
            "household_number": other_township_household.number,
            "relation": "spouse",
            "version": spouse.version,
        },
    )
    assert response.status_code == 200
    assert "您的区域内没有这个农户。" in response.content.decode()
    assert Member.objects.get(pk=spouse.pk).status == "active"


def test_the_head_moving_out_on_the_page_asks_for_the_new_head(township_cadre, household, target):
    head = household.members.get(relation="head")
    response = client_for(township_cadre).post(
        f"/members/{head.pk}/move/",
        {"household_number": target.number, "relation": "parent", "version": head.version},
    )
    assert response.status_code == 200
    assert "请指定新户主" in response.content.decode()
    assert Member.objects.get(pk=head.pk).status == "active"


def test_a_death_is_recorded_with_its_date_and_the_new_head_on_the_edit_page(
    township_cadre, household
):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    client = client_for(township_cadre)
    page = client.get(f"/members/{head.pk}/edit/").content.decode()
    assert "变更日期" in page and "新户主" in page
    future = client.post(
        f"/members/{head.pk}/edit/",
        member_form(head, status="deceased", new_head=spouse.pk, changed_on="2999-01-01"),
    )
    assert future.status_code == 200
    assert Member.objects.get(pk=head.pk).status == "active"
    response = client.post(
        f"/members/{head.pk}/edit/",
        member_form(head, status="deceased", new_head=spouse.pk, changed_on="2026-09-30"),
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head_name == "李秀英"
    died = household.life_events.get(kind="died")
    assert died.occurred_on == datetime.date(2026, 9, 30)


def test_a_household_splits_through_the_page(township_cadre, household):
    child = add_child(township_cadre, household)
    client = client_for(township_cadre)
    assert client.get(f"/households/{household.pk}/split/").status_code == 200
    response = client.post(
        f"/households/{household.pk}/split/", {"members": [child.pk], "head": child.pk}
    )
    assert response.status_code == 302
    split_off = Household.objects.get(head_name="张小军")
    assert response["Location"] == f"/households/{split_off.pk}/"


def test_a_split_emptying_the_household_shows_the_error(township_cadre, household):
    ids = [str(pk) for pk in household.members.values_list("pk", flat=True)]
    count = Household.objects.count()
    response = client_for(township_cadre).post(
        f"/households/{household.pk}/split/", {"members": ids, "head": ids[0], "new_head": ids[1]}
    )
    assert response.status_code == 200
    assert "分户后原户至少要保留一名成员。" in response.content.decode()
    assert Household.objects.count() == count


def test_households_merge_through_the_page(township_cadre, household, target):
    client = client_for(township_cadre)
    form = client.get(f"/households/{household.pk}/merge/").content.decode()
    assert target.number in form
    response = client.post(
        f"/households/{household.pk}/merge/",
        {"other_household": target.pk, "head_relation": "other"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.member_count == 0
    page = client.get(f"/households/{target.pk}/").content.decode()
    assert "本户已无在户成员" in page


def test_a_merge_across_villages_is_not_offered_nor_accepted(township_cadre, household):
    elsewhere = new_household(township_cadre, "620423100201")
    client = client_for(township_cadre)
    assert elsewhere.number not in client.get(f"/households/{household.pk}/merge/").content.decode()
    response = client.post(
        f"/households/{household.pk}/merge/",
        {"other_household": elsewhere.pk, "head_relation": "other"},
    )
    assert response.status_code == 200
    assert not LifeEvent.objects.filter(kind="merged").exists()


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_outsiders_get_404_on_the_life_event_pages(request, persona, household):
    client = client_for(request.getfixturevalue(persona))
    spouse = household.members.get(relation="spouse")
    for url in (
        f"/households/{household.pk}/split/",
        f"/households/{household.pk}/merge/",
        f"/members/{spouse.pk}/move/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    assert Member.objects.get(pk=spouse.pk).status == "active"


def test_the_timeline_names_a_household_out_of_reach_as_another_household(
    county_officer, township_cadre, household, other_township_household
):
    spouse = household.members.get(relation="spouse")
    services.member_move(
        actor=county_officer,
        member=spouse,
        version=spouse.version,
        household_id=other_township_household.pk,
        relation="spouse",
    )
    page = client_for(township_cadre).get(f"/households/{household.pk}/").content.decode()
    assert "其他户" in page
    assert other_township_household.number not in page
