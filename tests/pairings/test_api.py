import datetime
import threading
import uuid

from django.db import connection
from rest_framework.test import APIClient

from pairings import services
from pairings.models import Contact, Pairing
from tests.conftest import committed_db
from tests.pairings.conftest import TODAY


def api(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _pair(actor, household, cadre):
    return services.pairing_assign(actor=actor, household_id=household.pk, cadre_id=cadre.pk)


def test_cadre_pairs_through_the_api(township_cadre, village_worker, monitored):
    response = api(township_cadre).post(
        "/api/v1/pairings/",
        {"household": monitored.pk, "cadre": village_worker.pk, "version": 0},
        format="json",
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
        "/api/v1/pairings/",
        {"household": other.pk, "cadre": village_worker.pk, "version": 0},
        format="json",
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


# A contact sent again ------------------------------------------------------------------------


def contact_body(household, **overrides) -> dict:
    body = {
        "household": household.pk,
        "kind": "visit",
        "contacted_on": TODAY.isoformat(),
        "summary": "入户了解务工情况",
        "client_uuid": str(uuid.uuid4()),
    }
    body.update(overrides)
    return body


def test_a_contact_sent_again_is_the_same_contact(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    body = contact_body(monitored)
    first = api(village_worker).post("/api/v1/contacts/", body, format="json")
    again = api(village_worker).post("/api/v1/contacts/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["client_uuid"] == body["client_uuid"]
    assert Contact.objects.count() == 1


def test_contacts_without_a_client_id_are_each_recorded(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    body = contact_body(monitored)
    del body["client_uuid"]
    for _ in range(2):
        assert api(village_worker).post("/api/v1/contacts/", body, format="json").status_code == 201
    assert Contact.objects.filter(client_uuid__isnull=True).count() == 2


def test_a_client_id_with_other_content_or_household_is_refused_and_nothing_written(
    township_cadre, village_worker, second_worker, monitored
):
    from households import services as household_services
    from tests.conftest import HOME_VILLAGE

    other = household_services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    _pair(township_cadre, monitored, village_worker)
    _pair(township_cadre, other, village_worker)
    body = contact_body(monitored)
    assert api(village_worker).post("/api/v1/contacts/", body, format="json").status_code == 201
    for changed, who in (
        ({"summary": "另一件事"}, village_worker),
        ({"household": other.pk}, village_worker),
        ({}, second_worker),  # another worker's phone cannot claim the contact
    ):
        response = api(who, "zh-hans").post("/api/v1/contacts/", {**body, **changed}, format="json")
        assert response.status_code == 400, response.content
        [error] = response.json()["errors"]
        assert error["attr"] == "client_uuid"
        assert error["detail"] == "此客户端编号属于另一条联系记录。"
    assert Contact.objects.get().summary == body["summary"]


def test_a_malformed_client_id_is_a_400(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    response = api(village_worker).post(
        "/api/v1/contacts/", contact_body(monitored, client_uuid="not-a-uuid"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "client_uuid"
    assert not Contact.objects.exists()


@committed_db
def test_a_contact_posted_twice_at_once_is_stored_once(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    body, statuses = contact_body(monitored), []
    start = threading.Barrier(2)

    def post():
        try:
            start.wait()
            response = api(village_worker).post("/api/v1/contacts/", body, format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Contact.objects.filter(household=monitored).count() == 1


# A handover decided on a household as it was ---------------------------------------------------


def test_a_stale_handover_is_a_translated_409_and_nothing_written(
    township_cadre, village_worker, second_worker, monitored
):
    first = _pair(township_cadre, monitored, village_worker)
    # Two cadres open the household as it is: paired with the village worker.
    seen = api(township_cadre).get(f"/api/v1/pairings/{first.pk}/").json()["version"]
    # One hands it over to the second worker.
    handed = api(township_cadre).post(
        "/api/v1/pairings/",
        {"household": monitored.pk, "cadre": second_worker.pk, "version": seen},
        format="json",
    )
    assert handed.status_code == 201, handed.content
    # The other, from the same page, hands it to themself: refused, nothing written.
    before = list(Pairing.objects.order_by("pk").values())
    stale = api(township_cadre, "zh-hans").post(
        "/api/v1/pairings/",
        {"household": monitored.pk, "cadre": township_cadre.pk, "version": seen},
        format="json",
    )
    assert stale.status_code == 409, stale.content
    assert "他人已修改" in stale.json()["errors"][0]["detail"]
    assert list(Pairing.objects.order_by("pk").values()) == before
    assert Pairing.objects.get(ended_on__isnull=True).cadre == second_worker


def test_a_fresh_handover_is_accepted_and_counts_the_version(
    township_cadre, village_worker, second_worker, monitored
):
    first = _pair(township_cadre, monitored, village_worker)
    response = api(township_cadre).post(
        "/api/v1/pairings/",
        {"household": monitored.pk, "cadre": second_worker.pk, "version": first.version},
        format="json",
    )
    assert response.status_code == 201, response.content
    first.refresh_from_db()
    assert first.version == 2 and not first.is_open
    assert response.json()["version"] == 3
    # The next handover starts from the new pairing's version.
    again = api(township_cadre).post(
        "/api/v1/pairings/",
        {"household": monitored.pk, "cadre": village_worker.pk, "version": 3},
        format="json",
    )
    assert again.status_code == 201, again.content


def test_a_handover_needs_the_version_it_started_from(township_cadre, village_worker, monitored):
    response = api(township_cadre).post(
        "/api/v1/pairings/", {"household": monitored.pk, "cadre": village_worker.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "version"
    assert not Pairing.objects.exists()


def test_a_stale_end_is_a_409(township_cadre, village_worker, monitored):
    pairing = _pair(township_cadre, monitored, village_worker)
    response = api(township_cadre).post(
        f"/api/v1/pairings/{pairing.pk}/end/",
        {"end_reason": "rotation", "version": pairing.version + 1},
        format="json",
    )
    assert response.status_code == 409
    pairing.refresh_from_db()
    assert pairing.is_open and pairing.version == 1
