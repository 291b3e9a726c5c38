import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from pairings import services
from pairings.models import Contact, Pairing

TODAY = timezone.localdate()


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _pair(actor, household, cadre):
    return services.pairing_assign(actor=actor, household_id=household.pk, cadre_id=cadre.pk)


def test_cadre_pairs_through_the_api(township_cadre, village_worker, monitored):
    response = api(township_cadre).post(
        "/api/v1/pairings/", {"household": monitored.pk, "cadre": village_worker.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cadre"] == village_worker.pk and body["is_open"]
    assert Pairing.objects.filter(household=monitored, cadre=village_worker).exists()


def test_pairing_list_is_scoped_and_filtered(
    township_cadre, village_worker, other_township_cadre, monitored
):
    _pair(township_cadre, monitored, village_worker)
    mine = api(township_cadre).get(f"/api/v1/pairings/?household={monitored.pk}&open=true")
    assert [row["household"] for row in mine.json()["results"]] == [monitored.pk]
    assert api(other_township_cadre).get("/api/v1/pairings/").json()["results"] == []


def test_outsider_is_refused_the_pairing_and_its_end(
    township_cadre, village_worker, other_township_cadre, partner, monitored
):
    pairing = _pair(township_cadre, monitored, village_worker)
    assert api(other_township_cadre).get(f"/api/v1/pairings/{pairing.pk}/").status_code == 404
    response = api(other_township_cadre).post(
        f"/api/v1/pairings/{pairing.pk}/end/", {"end_reason": "other"}, format="json"
    )
    assert response.status_code == 404
    assert api(partner).get("/api/v1/pairings/").status_code == 403
    assert api(partner).get("/api/v1/contacts/").status_code == 403
    pairing.refresh_from_db()
    assert pairing.is_open


def test_end_through_the_api(township_cadre, village_worker, monitored):
    pairing = _pair(township_cadre, monitored, village_worker)
    response = api(township_cadre).post(
        f"/api/v1/pairings/{pairing.pk}/end/", {"end_reason": "rotation"}, format="json"
    )
    assert response.status_code == 200 and response.json()["ended_on"] == TODAY.isoformat()


def test_assign_over_the_limit_is_a_400(township_cadre, village_worker, monitored):
    from pairings.models import PairingPolicy

    PairingPolicy.objects.create(region=None, max_households=1)
    _pair(township_cadre, monitored, village_worker)
    from households import services as household_services
    from tests.conftest import HOME_VILLAGE

    other = household_services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    response = api(township_cadre).post(
        "/api/v1/pairings/", {"household": other.pk, "cadre": village_worker.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cadre"


def test_contact_recorded_and_listed(township_cadre, village_worker, auditor, monitored):
    _pair(township_cadre, monitored, village_worker)
    response = api(village_worker).post(
        "/api/v1/contacts/",
        {
            "household": monitored.pk,
            "kind": "wechat",
            "contacted_on": TODAY.isoformat(),
            "summary": "微信询问就医情况",
            "follow_ups": "下周入户",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["cadre"] == village_worker.pk
    listed = api(auditor).get(f"/api/v1/contacts/?household={monitored.pk}")
    assert [row["summary"] for row in listed.json()["results"]] == ["微信询问就医情况"]


def test_contact_in_the_future_is_a_translated_400_and_nothing_written(
    township_cadre, village_worker, monitored
):
    _pair(township_cadre, monitored, village_worker)
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = api(village_worker, "zh-hans").post(
        "/api/v1/contacts/",
        {
            "household": monitored.pk,
            "kind": "visit",
            "contacted_on": tomorrow.isoformat(),
            "summary": "走访",
        },
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "contacted_on" and error["detail"] == "联系日期不能晚于今天。"
    assert not Contact.objects.exists()


def test_contact_outside_the_region_is_refused(
    township_cadre, village_worker, other_township_cadre, monitored
):
    _pair(township_cadre, monitored, village_worker)
    response = api(other_township_cadre).post(
        "/api/v1/contacts/",
        {
            "household": monitored.pk,
            "kind": "visit",
            "contacted_on": TODAY.isoformat(),
            "summary": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_form_body_is_refused_with_415(village_worker):
    response = api(village_worker).post(
        "/api/v1/contacts/", "kind=visit", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
