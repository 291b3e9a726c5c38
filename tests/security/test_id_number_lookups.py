"""Searching the registry by ID number: every answer recorded, and a small hourly allowance.

A look-up (or a new member whose number someone else holds) says whether a person is in the
registry. With a masked number and an age, about 33 numbers are left to try; the allowance stops
that walk long before its end.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from stdnum.cn import ric

from core import id_numbers
from core.masking import age_this_year
from households.models import IdNumberLookup, Member
from tests.conftest import client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/members/lookup/"
HEAD_ID = make_id_number("620423", "19680315", 1)  # the `household` fixture's head


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def candidates_from_mask_and_age(masked: str, age: int, today: datetime.date) -> list[str]:
    """Every number the mask and the age leave: each day of the birth year, right check digit."""
    year = today.year - age
    day, numbers = datetime.date(year, 1, 1), []
    while day.year == year:
        number = f"{masked[:6]}{day:%Y%m%d}{masked[-4:]}"
        if ric.calc_check_digit(number) == number[-1]:
            numbers.append(number)
        day += datetime.timedelta(days=1)
    return numbers


def test_the_look_up_past_the_hourly_allowance_is_refused_and_recorded(
    settings, village_worker, household
):
    settings.ID_LOOKUP_PER_HOUR = 3
    client = api(village_worker)
    unknown = make_id_number("620423", "19800101", 9)
    assert client.post(LOOKUP, {"id_number": HEAD_ID}).status_code == 200
    assert client.post(LOOKUP, {"id_number": unknown}).status_code == 404
    assert client.post(LOOKUP, {"id_number": HEAD_ID}).status_code == 200

    refused = client.post(LOOKUP, {"id_number": HEAD_ID})
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "throttled"
    assert "too many ID numbers" in refused.json()["errors"][0]["detail"]
    assert "张建国" not in refused.content.decode()

    records = list(IdNumberLookup.objects.order_by("at", "id"))
    assert [record.outcome for record in records] == ["found", "unknown", "found", "refused"]
    assert {record.user_id for record in records} == {village_worker.pk}
    assert {record.channel for record in records} == {"lookup"}
    assert records[0].id_number_hash == id_numbers.lookup_hash(HEAD_ID)
    assert records[1].id_number_hash == id_numbers.lookup_hash(unknown)
    # The record holds the keyed hash only, never the number.
    assert not any(HEAD_ID in str(vars(record)) for record in records)


def test_the_allowance_is_per_user_and_per_hour(
    settings, village_worker, township_cadre, household
):
    settings.ID_LOOKUP_PER_HOUR = 1
    assert api(village_worker).post(LOOKUP, {"id_number": HEAD_ID}).status_code == 200
    assert api(village_worker).post(LOOKUP, {"id_number": HEAD_ID}).status_code == 429
    assert api(township_cadre).post(LOOKUP, {"id_number": HEAD_ID}).status_code == 200
    # An hour later the worker may ask again. (The test database lets its superuser move the
    # append-only rows back in time.)
    IdNumberLookup.objects.filter(user=village_worker).update(
        at=timezone.now() - datetime.timedelta(minutes=61)
    )
    assert api(village_worker).post(LOOKUP, {"id_number": HEAD_ID}).status_code == 200


def test_walking_the_numbers_an_age_and_a_mask_leave_is_cut_off(
    settings, village_worker, township_cadre, household
):
    from households import services

    # A member born late in the year: the walk, day by day, would reach her after the allowance.
    today = timezone.localdate()
    services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="张小梅",
        id_number=make_id_number("620423", "19951228", 64),
        relation="child",
        labour="ordinary",
        education="senior",
    )
    client = api(village_worker)
    shown = next(
        m for m in client.get("/api/v1/members/").json()["results"] if m["name"] == "张小梅"
    )
    assert "birth_date" not in shown
    candidates = candidates_from_mask_and_age(shown["id_number"], shown["age"], today)
    target = Member.objects.get(name="张小梅")
    assert age_this_year(target.birth_date, today=today) == shown["age"]
    assert id_numbers.decrypt(target.id_number_encrypted) in candidates
    assert len(candidates) > 2 * settings.ID_LOOKUP_PER_HOUR

    answers = [client.post(LOOKUP, {"id_number": number}).status_code for number in candidates]
    allowed = settings.ID_LOOKUP_PER_HOUR
    assert all(status == 404 for status in answers[:allowed])
    assert all(status == 429 for status in answers[allowed:])
    assert 200 not in answers
    assert (
        IdNumberLookup.objects.filter(user=village_worker, outcome="refused").count()
        == len(candidates) - allowed
    )


def test_a_new_member_with_someone_elses_number_is_counted_and_refused_past_the_allowance(
    settings, village_worker, other_township_cadre, household, other_township_household
):
    settings.ID_LOOKUP_PER_HOUR = 1
    client = api(other_township_cadre)
    body = {
        "household": other_township_household.pk,
        "name": "张建国",
        "id_number": HEAD_ID,
        "relation": "other",
        "labour": "ordinary",
        "education": "junior",
    }
    elsewhere = client.post("/api/v1/members/", body)
    assert elsewhere.status_code == 400
    text = elsewhere.content.decode()
    # Only that the person is registered: not the household, its head, or where.
    assert household.number not in text and "水源村" not in text
    record = IdNumberLookup.objects.get(user=other_township_cadre)
    assert (record.outcome, record.channel) == ("elsewhere", "create")

    assert client.post("/api/v1/members/", body).status_code == 429
    # A new person's number is data entry, not a search: never recorded, but refused past the
    # allowance like any other, so creating cannot replace looking up.
    fresh = {**body, "id_number": make_id_number("620423", "19900101", 5), "relation": "spouse"}
    assert client.post("/api/v1/members/", fresh).status_code == 429
    assert not Member.objects.filter(name="张建国", household=other_township_household).exists()


def test_the_page_says_why_a_member_is_not_added_past_the_allowance(
    settings, township_cadre, household
):
    settings.ID_LOOKUP_PER_HOUR = 1
    client = client_for(township_cadre)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    form = {
        "name": "张建国",
        "id_number": HEAD_ID,
        "relation": "other",
        "labour": "ordinary",
        "education": "junior",
        "health": "healthy",
        "disability": "none",
        "schooling": "not_in_school",
        "work": "farming",
        "status": "active",
    }
    url = f"/households/{household.pk}/members/new/"
    assert "已登记" in client.post(url, form).content.decode()
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "查找身份证号的次数过多" in refused.content.decode()
    assert household.members.count() == 2


def test_the_audit_trail_lists_look_ups_without_the_number(county_officer, household):
    api(county_officer).post(LOOKUP, {"id_number": HEAD_ID})
    client = client_for(county_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/audit/?kind=lookup").content.decode()
    assert "ID number look-up" in page and "Found in the user" in page
    assert id_numbers.lookup_hash(HEAD_ID)[:12] in page
    assert HEAD_ID not in page


def test_an_edit_that_fails_anyway_answers_nothing_about_the_number(
    settings, village_worker, household
):
    # The attack: PATCH a member with a stale version and each candidate number. If the registry
    # were searched first, a wrong candidate would answer 409 and the right one "registered".
    settings.ID_LOOKUP_PER_HOUR = 100
    client = api(village_worker)
    spouse = client.post(
        "/api/v1/members/",
        {
            "household": household.pk,
            "name": "李秀兰",
            "id_number": make_id_number("620423", "19700101", 2),
            "relation": "spouse",
            "labour": "ordinary",
            "education": "junior",
        },
    )
    assert spouse.status_code == 201, spouse.content
    url = f"/api/v1/members/{spouse.json()['id']}/"
    nobody = make_id_number("620423", "19800101", 9)
    answers = [
        client.patch(url, {"version": 999, "id_number": number}) for number in (HEAD_ID, nobody)
    ]
    assert [answer.status_code for answer in answers] == [409, 409]
    assert answers[0].json() == answers[1].json()
    assert not IdNumberLookup.objects.filter(channel="update").exists()


def test_changing_a_members_number_is_counted_even_when_nobody_holds_it(
    settings, village_worker, household
):
    settings.ID_LOOKUP_PER_HOUR = 1
    client = api(village_worker)
    head = household.members.get(relation="head")
    nobody = make_id_number("620423", "19680315", 7)
    changed = client.patch(
        f"/api/v1/members/{head.pk}/", {"version": head.version, "id_number": nobody}
    )
    assert changed.status_code == 200, changed.content
    record = IdNumberLookup.objects.get(user=village_worker)
    assert (record.outcome, record.channel) == ("unknown", "update")
    again = client.patch(
        f"/api/v1/members/{head.pk}/", {"version": head.version + 1, "id_number": HEAD_ID}
    )
    assert again.status_code == 429
