"""The registry through the REST door, persona by persona."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from households.models import Household, Member, SensitiveAccess
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db


def api(user=None, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def household_url(household, suffix=""):
    return f"/api/v1/households/{household.pk}/{suffix}"


# Who sees the household in 水源村, 一条山镇, 景泰县 -----------------------------------------------

INSIDERS = ["village_worker", "township_cadre", "county_officer", "auditor", "api_client_user"]
OUTSIDERS = ["other_township_cadre", "other_county_officer"]


@pytest.mark.parametrize("persona", INSIDERS)
def test_insiders_see_the_household(request, persona, household):
    client = api(request.getfixturevalue(persona))
    listed = client.get("/api/v1/households/").json()["results"]
    assert [row["number"] for row in listed] == [household.number]
    detail = client.get(household_url(household))
    assert detail.status_code == 200
    assert {member["name"] for member in detail.json()["members"]} == {"张建国", "李秀英"}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_an_empty_list_and_404s(request, persona, household):
    client = api(request.getfixturevalue(persona))
    assert client.get("/api/v1/households/").json()["results"] == []
    assert client.get(household_url(household)).status_code == 404
    assert client.patch(household_url(household), {"address": "x", "version": 1}).status_code == 404
    assert client.post(household_url(household, "unmask/"), {"reason": "x"}).status_code == 404
    member = household.members.first()
    assert client.get(f"/api/v1/members/{member.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/members/{member.pk}/", {"name": "x", "version": 1}).status_code
        == 404
    )
    assert client.get("/api/v1/members/").json()["results"] == []
    household.refresh_from_db()
    assert household.address == "水源村3社12号"


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_cannot_add_a_member_to_the_household(request, persona, household):
    response = api(request.getfixturevalue(persona)).post(
        "/api/v1/members/",
        {
            "household": household.pk,
            "name": "外来人",
            "id_number": make_id_number("620421", "19900101", 1),
            "relation": "other",
            "labour": "ordinary",
            "education": "junior",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "household"
    assert household.members.count() == 2


def test_a_partner_is_refused_the_registry_whatever_the_id(partner, household):
    client = api(partner)
    assert client.get("/api/v1/households/").status_code == 403
    assert client.get(household_url(household)).status_code == 403
    assert client.get("/api/v1/households/999999/").status_code == 403
    assert client.get("/api/v1/members/").status_code == 403
    assert client.get("/api/v1/regions/").status_code == 403


def test_anonymous_requests_are_refused_with_401(household):
    client = api()
    for url in [
        "/api/v1/households/",
        household_url(household),
        "/api/v1/members/",
        "/api/v1/regions/",
    ]:
        assert client.get(url).status_code == 401


@pytest.mark.parametrize("persona", ["auditor", "api_client_user"])
def test_read_only_roles_cannot_write(request, persona, household):
    client = api(request.getfixturevalue(persona))
    assert client.patch(household_url(household), {"address": "x", "version": 1}).status_code == 403
    assert (
        client.post(
            "/api/v1/households/", {"village": HOME_VILLAGE, "poverty_status": "ordinary"}
        ).status_code
        == 403
    )
    assert client.post(household_url(household, "unmask/"), {"reason": "核实"}).status_code == 403


# Writes ---------------------------------------------------------------------------------------


def test_a_village_worker_registers_a_household_and_a_member(village_worker):
    client = api(village_worker)
    created = client.post(
        "/api/v1/households/",
        {"village": HOME_VILLAGE, "poverty_status": "lifted_out", "poverty_exit_year": 2018},
    )
    assert created.status_code == 201, created.json()
    household_id = created.json()["id"]
    member = client.post(
        "/api/v1/members/",
        {
            "household": household_id,
            "name": "赵大山",
            "id_number": make_id_number("620423", "19720101", 3),
            "relation": "head",
            "labour": "ordinary",
            "education": "primary",
        },
    )
    assert member.status_code == 201, member.json()
    assert (
        member.json()["id_number"]
        == "620423********" + make_id_number("620423", "19720101", 3)[-4:]
    )
    assert Household.objects.get(pk=household_id).head_name == "赵大山"


def test_a_village_worker_cannot_register_in_another_village(village_worker):
    response = api(village_worker).post(
        "/api/v1/households/", {"village": OTHER_TOWNSHIP_VILLAGE, "poverty_status": "ordinary"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "village"
    assert not Household.objects.exists()


def test_an_update_needs_the_current_version(township_cadre, household):
    client = api(township_cadre)
    ok = client.patch(household_url(household), {"address": "新址", "version": household.version})
    assert ok.status_code == 200
    assert ok.json()["version"] == household.version + 1
    stale = client.patch(
        household_url(household), {"address": "旧址", "version": household.version}
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "conflict"
    missing = client.patch(household_url(household), {"address": "旧址"})
    assert missing.status_code == 400
    household.refresh_from_db()
    assert household.address == "新址"


@pytest.mark.parametrize(
    ("id_number", "message_zh", "message_en"),
    [
        ("62042319720101003", "18", "18 characters"),
        (
            make_id_number("620423", "19720101", 3)[:-1] + "0"
            if make_id_number("620423", "19720101", 3)[-1] != "0"
            else make_id_number("620423", "19720101", 3)[:-1] + "1",
            "校验",
            "check digit",
        ),
        (make_id_number("620423", "19720231", 3), "出生日期", "birth date"),
    ],
)
def test_a_bad_id_number_gets_a_translated_error_on_its_field(
    township_cadre, household, id_number, message_zh, message_en
):
    body = {
        "household": household.pk,
        "name": "错号",
        "id_number": id_number,
        "relation": "child",
        "labour": "none",
        "education": "primary",
    }
    chinese = api(township_cadre, "zh-hans").post("/api/v1/members/", body)
    english = api(township_cadre, "en").post("/api/v1/members/", body)
    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["errors"][0]["attr"] == "id_number"
    assert message_zh in chinese.json()["errors"][0]["detail"]
    assert message_en in english.json()["errors"][0]["detail"]
    assert household.members.count() == 2


def test_a_duplicate_person_is_refused_through_the_api(township_cadre, household):
    response = api(township_cadre).post(
        "/api/v1/members/",
        {
            "household": household.pk,
            "name": "张建国",
            "id_number": make_id_number("620423", "19680315", 1),
            "relation": "other",
            "labour": "ordinary",
            "education": "junior",
        },
    )
    assert response.status_code == 400
    assert household.number in response.json()["errors"][0]["detail"]


# Masking and unmasking ------------------------------------------------------------------------


def test_sensitive_fields_are_masked_for_every_role(county_officer, household):
    data = api(county_officer).get(household_url(household)).json()
    full_id = make_id_number("620423", "19680315", 1)
    assert data["phone"] == "138****1234"
    assert data["bank_account"].endswith("0018") and "6228480402564890018" not in str(data)
    head = next(member for member in data["members"] if member["relation"] == "head")
    assert head["id_number"] == full_id[:6] + "********" + full_id[-4:]
    assert head["health"] is None and head["health_note"] is None
    assert full_id not in str(data) and "高血压" not in str(data)


def test_unmasking_through_the_api_is_recorded(township_cadre, household):
    response = api(township_cadre).post(household_url(household, "unmask/"), {"reason": "核实低保"})
    assert response.status_code == 200
    numbers = [member["id_number"] for member in response.json()["members"]]
    assert make_id_number("620423", "19680315", 1) in numbers
    assert SensitiveAccess.objects.filter(user=township_cadre, channel="api").count() == 2


def test_a_village_worker_cannot_unmask(village_worker, household):
    assert (
        api(village_worker)
        .post(household_url(household, "unmask/"), {"reason": "看看"})
        .status_code
        == 403
    )
    assert not SensitiveAccess.objects.exists()


def test_lookup_by_id_number_is_a_post_and_respects_scope(
    township_cadre, other_township_cadre, household
):
    number = make_id_number("620423", "19680315", 1)
    found = api(township_cadre).post("/api/v1/members/lookup/", {"id_number": number})
    assert found.status_code == 200 and found.json()["name"] == "张建国"
    elsewhere = api(other_township_cadre).post("/api/v1/members/lookup/", {"id_number": number})
    assert elsewhere.status_code == 400
    assert "张建国" not in elsewhere.content.decode()
    unknown = api(township_cadre).post(
        "/api/v1/members/lookup/", {"id_number": make_id_number("620423", "19800101", 9)}
    )
    assert unknown.status_code == 404
    assert api(township_cadre).get("/api/v1/members/lookup/").status_code == 405


# Lists: filters, pagination, errors -----------------------------------------------------------


def test_filters_narrow_the_list(township_cadre, household):
    client = api(township_cadre)
    other = client.post(
        "/api/v1/households/", {"village": "620423100201", "poverty_status": "ordinary"}
    ).json()

    def numbers(query):
        return {
            row["number"] for row in client.get(f"/api/v1/households/?{query}").json()["results"]
        }

    assert numbers("poverty_status=lifted_out") == {household.number}
    assert numbers("region=620423100201") == {other["number"]}
    assert numbers("region=620423100") == {household.number, other["number"]}
    assert numbers("q=张建") == {household.number}
    assert numbers("q=李秀英") == {household.number}
    assert numbers(f"q={other['number'][:14]}") >= {other["number"]}
    assert numbers("risk_level=high") == set()


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ("poverty_status=rich", "poverty_status"),
        ("risk_level=extreme", "risk_level"),
        ("region=62x", "region"),
        ("region=６２０４２３", "region"),  # digits, but not ASCII: no code has them
        ("page_size=100000", "page_size"),
        ("page_size=-1", "page_size"),
        ("cursor=not-a-cursor", None),
    ],
)
def test_bad_list_parameters_get_a_clear_400(township_cadre, household, query, attr):
    response = api(township_cadre).get(f"/api/v1/households/?{query}")
    assert response.status_code in (400, 404)
    body = response.json()
    assert body["type"] in ("validation_error", "client_error")
    if attr:
        assert body["errors"][0]["attr"] == attr


def test_cursor_pages_walk_the_whole_list_once(township_cadre):
    client = api(township_cadre)
    for _ in range(5):
        client.post("/api/v1/households/", {"village": HOME_VILLAGE, "poverty_status": "ordinary"})
    seen, url = [], "/api/v1/households/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["number"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


def test_the_list_costs_the_same_queries_for_few_or_many_rows(township_cadre, household):
    client = api(township_cadre)

    def queries_for_list():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/households/").status_code == 200
        return len(captured)

    few = queries_for_list()
    for _ in range(10):
        client.post("/api/v1/households/", {"village": HOME_VILLAGE, "poverty_status": "ordinary"})
    assert queries_for_list() == few <= 3


def test_the_list_reads_only_the_household_columns_it_sends(township_cadre, household):
    """The wide row's other columns (the risk reasons' JSON, the engine's dates, timestamps) are
    neither read nor sent by the list; a household's own page still reads them."""
    client = api(township_cadre)
    with CaptureQueriesContext(connection) as captured:
        listed = client.get("/api/v1/households/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["number"] == household.number and row["village_name"]
    [read] = [q["sql"] for q in captured if 'FROM "households_household"' in q["sql"]]
    for column in ("risk_reasons", "evaluation_pending_since", "created_at", "updated_at"):
        assert f'"households_household"."{column}"' not in read
    assert '"households_household"."risk_score"' in read
    assert client.get(f"/api/v1/households/{household.pk}/").json()["number"] == household.number


def test_regions_are_scoped(township_cadre):
    codes = {
        row["code"]
        for row in api(township_cadre).get("/api/v1/regions/?page_size=500").json()["results"]
    }
    assert "620423100200" in codes and "620423101200" not in codes
    assert api(township_cadre).get("/api/v1/regions/620423101200/").status_code == 404


# Tokens ---------------------------------------------------------------------------------------


def test_a_machine_client_uses_a_revocable_token(api_client_user, household):
    login = api().post(
        "/api/v1/auth/token/", {"username": "api_client", "password": "test-password-123"}
    )
    assert login.status_code == 200
    token = login.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/households/").json()["results"][0]["number"] == household.number
    from knox.models import AuthToken

    stored = AuthToken.objects.get(user=api_client_user)
    assert token not in (stored.digest, stored.token_key)  # only a digest is kept
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get("/api/v1/households/").status_code == 401


def test_a_wrong_password_gets_no_token(api_client_user):
    response = api(language="en").post(
        "/api/v1/auth/token/", {"username": "api_client", "password": "wrong"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Wrong username or password."


def test_the_schema_and_docs_are_served_from_our_own_files(township_cadre):
    client = client_for(township_cadre)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/households/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


def test_the_schema_validates():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_members_are_created_only_once_per_request(township_cadre, household):
    assert Member.objects.count() == 2
