import datetime

from django.utils import timezone

from pairings import services
from pairings.models import Contact, Pairing
from tests.conftest import client_for
from tests.pairings.conftest import TODAY


def _pair(actor, household, cadre):
    return services.pairing_assign(actor=actor, household_id=household.pk, cadre_id=cadre.pk)


def test_my_households_page_lists_the_cadres_households(
    township_cadre, village_worker, monitored, django_assert_max_num_queries
):
    _pair(township_cadre, monitored, village_worker)
    client = client_for(village_worker)
    with django_assert_max_num_queries(15):
        response = client.get("/pairings/mine/")
    assert response.status_code == 200
    assert monitored.number in response.content.decode()


def test_one_tap_contact_from_my_households(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    response = client_for(village_worker).post(
        f"/households/{monitored.pk}/contacts/new/",
        {"kind": "phone", "contacted_on": TODAY.isoformat(), "summary": "电话回访", "next": "mine"},
    )
    assert response.status_code == 302 and response["Location"] == "/pairings/mine/"
    assert Contact.objects.get().summary == "电话回访"


def test_future_contact_on_the_page_shows_the_error_and_writes_nothing(
    township_cadre, village_worker, monitored
):
    _pair(township_cadre, monitored, village_worker)
    response = client_for(village_worker).post(
        f"/households/{monitored.pk}/contacts/new/",
        {
            "kind": "visit",
            "contacted_on": (TODAY + datetime.timedelta(days=3)).isoformat(),
            "summary": "走访",
        },
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_household_page_shows_cadre_history_and_log(
    township_cadre, village_worker, county_officer, monitored
):
    _pair(township_cadre, monitored, village_worker)
    services.contact_record(
        actor=village_worker,
        household_id=monitored.pk,
        kind="visit",
        contacted_on=TODAY,
        summary="入户了解收入",
    )
    _pair(township_cadre, monitored, township_cadre)
    page = client_for(county_officer).get(f"/households/{monitored.pk}/").content.decode()
    assert "入户了解收入" in page
    assert village_worker.username in page and township_cadre.username in page


def test_household_page_hides_the_log_from_a_partner_like_role(
    township_cadre, village_worker, monitored
):
    from accounts.models import Role
    from tests.conftest import HOME_COUNTY, _user

    # API clients read the registry but not the contact log.
    reader = _user("reader", Role.API_CLIENT, HOME_COUNTY)
    _pair(township_cadre, monitored, village_worker)
    services.contact_record(
        actor=village_worker,
        household_id=monitored.pk,
        kind="visit",
        contacted_on=TODAY,
        summary="入户了解收入",
    )
    response = client_for(reader).get(f"/households/{monitored.pk}/")
    assert "入户了解收入" not in response.content.decode()


def test_handover_page(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    client = client_for(township_cadre)
    page = client.get(f"/households/{monitored.pk}/pairing/")
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    response = client.post(
        f"/households/{monitored.pk}/pairing/",
        {"cadre": township_cadre.pk, "end_reason": "rotation", "end_note": "", "version": version},
    )
    assert response.status_code == 302
    assert Pairing.objects.get(ended_on__isnull=True).cadre == township_cadre


def test_a_handover_made_meanwhile_is_not_replaced_from_the_page(
    township_cadre, village_worker, second_worker, monitored
):
    from django.utils import translation

    _pair(township_cadre, monitored, village_worker)
    client = client_for(township_cadre)
    # Two cadres open the page; one hands the household over to the second worker.
    version = client.get(f"/households/{monitored.pk}/pairing/").context["form"].initial["version"]
    first = client.post(
        f"/households/{monitored.pk}/pairing/",
        {"cadre": second_worker.pk, "end_reason": "rotation", "version": version},
    )
    assert first.status_code == 302
    before = list(Pairing.objects.order_by("pk").values())
    with translation.override("zh-hans"):
        stale = client.post(
            f"/households/{monitored.pk}/pairing/",
            {"cadre": township_cadre.pk, "end_reason": "rotation", "version": version},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert stale.status_code == 400
    assert "他人已修改" in stale.content.decode()
    assert list(Pairing.objects.order_by("pk").values()) == before


def test_a_contact_form_sent_twice_records_one_contact(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    client = client_for(village_worker)
    page = client.get(f"/households/{monitored.pk}/contacts/new/")
    client_uuid = page.context["form"].initial["client_uuid"]
    assert f'value="{client_uuid}"' in page.content.decode()
    body = {
        "client_uuid": client_uuid,
        "kind": "visit",
        "contacted_on": TODAY.isoformat(),
        "summary": "入户走访",
    }
    for _ in range(2):
        response = client.post(f"/households/{monitored.pk}/contacts/new/", body)
        assert response.status_code == 302
    assert Contact.objects.get().client_uuid == client_uuid
    # The same form changed and sent again (the back button): told, with a new client id, so
    # that saving once more records it as another contact.
    changed = client.post(
        f"/households/{monitored.pk}/contacts/new/", {**body, "summary": "电话回访"}
    )
    assert changed.status_code == 400 and Contact.objects.count() == 1
    fresh = changed.context["form"]["client_uuid"].value()
    assert fresh and str(fresh) != str(client_uuid)
    again = client.post(
        f"/households/{monitored.pk}/contacts/new/",
        {**body, "summary": "电话回访", "client_uuid": fresh},
    )
    assert again.status_code == 302 and Contact.objects.count() == 2


def test_each_quick_form_on_my_households_has_its_own_client_id(
    township_cadre, village_worker, monitored
):
    import re

    _pair(township_cadre, monitored, village_worker)
    page = client_for(village_worker).get("/pairings/mine/").content.decode()
    [client_uuid] = re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', page)
    body = {
        "client_uuid": client_uuid,
        "kind": "phone",
        "contacted_on": TODAY.isoformat(),
        "summary": "电话回访",
        "next": "mine",
    }
    for _ in range(2):
        response = client_for(village_worker).post(
            f"/households/{monitored.pk}/contacts/new/", body
        )
        assert response.status_code == 302
    assert Contact.objects.count() == 1


def test_overview_for_the_township(township_cadre, monitored):
    response = client_for(township_cadre).get("/pairings/")
    assert response.status_code == 200
    assert monitored.number in response.content.decode()


def test_outsiders_are_refused(
    township_cadre, village_worker, other_township_cadre, partner, monitored
):
    _pair(township_cadre, monitored, village_worker)
    outsider = client_for(other_township_cadre)
    assert outsider.get(f"/households/{monitored.pk}/contacts/new/").status_code == 404
    assert outsider.get(f"/households/{monitored.pk}/pairing/").status_code == 404
    assert client_for(partner).get("/pairings/mine/").status_code == 403
    assert client_for(village_worker).get("/pairings/").status_code == 403
    assert not Contact.objects.exists()


def test_the_contact_form_starts_on_today_in_the_date_inputs_format(
    township_cadre, village_worker, monitored
):
    # A date input shows nothing for a value such as "2026/12/02": the form must say ISO.
    _pair(township_cadre, monitored, village_worker)
    page = client_for(village_worker).get(f"/households/{monitored.pk}/contacts/new/")
    assert (
        f'name="contacted_on" value="{timezone.localdate().isoformat()}"' in page.content.decode()
    )


def test_a_recorded_contact_is_confirmed_on_the_page_it_returns_to(
    township_cadre, village_worker, monitored
):
    _pair(township_cadre, monitored, village_worker)
    client = client_for(village_worker)
    client.post(
        f"/households/{monitored.pk}/contacts/new/",
        {
            "kind": "wechat",
            "contacted_on": TODAY.isoformat(),
            "summary": "微信回访",
            "next": "mine",
        },
    )
    page = client.get("/pairings/mine/").content.decode()
    assert f"已记录与农户 {monitored.number}" in page
