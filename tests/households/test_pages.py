"""The registry through the browser door (server-rendered pages), persona by persona."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from households.models import Household, SensitiveAccess
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db


def test_the_interface_speaks_chinese_first(client):
    page = client.get("/login/").content.decode()
    assert "登录" in page
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in english


def test_anonymous_users_are_sent_to_login(client, household):
    for url in ["/", "/households/", f"/households/{household.pk}/", "/households/new/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_and_logout(client, township_cadre):
    response = client.post(
        "/login/", {"username": "township_cadre", "password": "test-password-123"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "persona", ["village_worker", "township_cadre", "county_officer", "auditor"]
)
def test_insiders_see_the_household_pages(request, persona, household):
    client = client_for(request.getfixturevalue(persona))
    listing = client.get("/households/").content.decode()
    assert household.number in listing and "张建国" in listing
    detail = client.get(f"/households/{household.pk}/").content.decode()
    assert "李秀英" in detail and "水源村" in detail


@pytest.mark.parametrize("persona", ["other_township_cadre", "other_county_officer"])
def test_outsiders_get_404_on_every_household_page(request, persona, household):
    client = client_for(request.getfixturevalue(persona))
    assert household.number not in client.get("/households/").content.decode()
    member = household.members.first()
    for url in [
        f"/households/{household.pk}/",
        f"/households/{household.pk}/edit/",
        f"/households/{household.pk}/members/new/",
        f"/members/{member.pk}/edit/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/households/{household.pk}/unmask/", {"reason": "看"}).status_code == 404
    assert client.post(f"/households/{household.pk}/edit/", {"address": "x"}).status_code == 404


def test_a_partner_is_refused_the_registry_pages(partner, household):
    client = client_for(partner)
    assert client.get("/").status_code == 200
    assert client.get("/households/").status_code == 403
    assert client.get(f"/households/{household.pk}/").status_code == 403
    assert client.get("/households/999999/").status_code == 403


def test_the_list_filters_and_reports_bad_filters(township_cadre, household):
    client = client_for(township_cadre)
    assert household.number in client.get("/households/?q=张建国").content.decode()
    assert (
        household.number not in client.get("/households/?poverty_status=ordinary").content.decode()
    )
    bad = client.get("/households/?risk_level=extreme")
    assert bad.status_code == 200 and "extreme" in bad.content.decode()
    assert household.number not in bad.content.decode()


def test_the_list_answers_htmx_with_rows_only(township_cadre, household):
    response = client_for(township_cadre).get("/households/?q=张", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert household.number in content and "<html" not in content


def test_the_list_page_costs_the_same_queries_for_few_or_many_rows(township_cadre, household):
    from households import services

    client = client_for(township_cadre)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/households/")
        return len(captured)

    few = queries()
    for _ in range(8):
        services.household_create(
            actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
    assert queries() == few


def test_a_cadre_registers_a_household_and_a_member(township_cadre):
    client = client_for(township_cadre)
    response = client.post(
        "/households/new/",
        {
            "village": HOME_VILLAGE,
            "poverty_status": "lifted_out",
            "poverty_exit_year": "2017",
            "address": "水源村1社1号",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get()
    response = client.post(
        f"/households/{household.pk}/members/new/",
        {
            "name": "孙立",
            "id_number": make_id_number("620423", "19850505", 5),
            "relation": "head",
            "health": "healthy",
            "disability": "none",
            "labour": "ordinary",
            "education": "junior",
            "schooling": "not_in_school",
            "work": "farming",
            "status": "active",
            "medical_insurance": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    household.refresh_from_db()
    assert household.head_name == "孙立"


def test_bad_input_shows_errors_on_the_fields_and_changes_nothing(township_cadre, household):
    client = client_for(township_cadre)
    response = client.post(
        f"/households/{household.pk}/members/new/",
        {
            "name": "错号",
            "id_number": "620423199002300011",
            "relation": "child",
            "health": "healthy",
            "disability": "none",
            "labour": "none",
            "education": "primary",
            "schooling": "primary",
            "work": "none",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert 'class="field invalid"' in response.content.decode()
    assert household.members.count() == 2
    response = client.post(
        "/households/new/", {"village": OTHER_TOWNSHIP_VILLAGE, "poverty_status": "ordinary"}
    )
    assert response.status_code == 200 and Household.objects.count() == 1


def test_a_stale_edit_shows_a_conflict(township_cadre, household):
    client = client_for(township_cadre)
    form = {
        "village": HOME_VILLAGE,
        "poverty_status": "lifted_out",
        "poverty_exit_year": "2019",
        "address": "第一次",
        "version": household.version,
    }
    assert client.post(f"/households/{household.pk}/edit/", form).status_code == 302
    form["address"] = "第二次"
    response = client.post(f"/households/{household.pk}/edit/", form)
    assert response.status_code == 200
    household.refresh_from_db()
    assert household.address == "第一次"


def test_the_detail_page_masks_and_unmasking_is_recorded(township_cadre, household):
    client = client_for(township_cadre)
    full_id = make_id_number("620423", "19680315", 1)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert full_id not in page and "高血压" not in page and "13893001234" not in page
    assert full_id[:6] + "********" + full_id[-4:] in page
    response = client.post(f"/households/{household.pk}/unmask/", {"reason": "核实医疗救助"})
    assert full_id in response.content.decode() and "高血压" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert SensitiveAccess.objects.filter(user=township_cadre, channel="page").count() == 2


def test_a_village_worker_is_not_offered_unmasking(village_worker, household):
    client = client_for(village_worker)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "unmask" not in page
    assert client.post(f"/households/{household.pk}/unmask/", {"reason": "看"}).status_code == 403


def test_the_history_opens_from_the_household_page(township_cadre, household):
    client = client_for(township_cadre)
    form = {
        "village": HOME_VILLAGE,
        "poverty_status": "lifted_out",
        "poverty_exit_year": "2019",
        "address": "新的地址",
        "phone": "13893001234",
        "version": household.version,
    }
    client.post(f"/households/{household.pk}/edit/", form)
    page = client.get(f"/households/{household.pk}/").content.decode()
    # Read when the fold is first opened, or followed as a link without htmx.
    history_url = f"/households/{household.pk}/history/"
    assert f'hx-get="{history_url}" hx-trigger="toggle once"' in page
    assert f'href="{history_url}"' in page
    for htmx in (False, True):
        response = client.get(history_url, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
        assert response.status_code == 200
        assert ("<html" in response.content.decode()) is not htmx  # the fragment, or a page
        history = strip_tags(response.content.decode())
        assert "水源村3社12号 → 新的地址" in history  # each value marked translate="no"
        assert "township_cadre" in history
        assert "HX-Request" in response["Vary"]  # a cache never serves one for the other
    assert client.post(history_url).status_code == 405  # it reads; it changes nothing
