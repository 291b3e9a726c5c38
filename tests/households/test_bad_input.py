"""Malformed input of every kind gets a 4xx with a body, never a 500, and changes nothing."""

import pytest
from rest_framework.test import APIClient

from households.models import Household, Member
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.fixture
def cadre_api(township_cadre):
    client = APIClient()
    client.force_authenticate(township_cadre)
    return client


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/households/abc/", None),
        ("get", f"/api/v1/households/{HUGE}/", None),
        ("get", "/api/v1/households/?q=%00", None),
        ("get", "/api/v1/regions/99999999999999999999/", None),
        ("post", "/api/v1/households/", {"village": "x" * 50, "poverty_status": "ordinary"}),
        (
            "post",
            "/api/v1/households/",
            {"village": "620423100200", "poverty_status": "lifted_out", "poverty_exit_year": HUGE},
        ),
        (
            "post",
            "/api/v1/households/",
            {"village": "620423100200", "poverty_status": "ordinary", "number": "12"},
        ),
        (
            "post",
            "/api/v1/members/",
            {
                "household": HUGE,
                "name": "x",
                "id_number": "1",
                "relation": "head",
                "labour": "none",
                "education": "primary",
            },
        ),
        ("post", "/api/v1/members/", {"household": "abc"}),
        ("post", "/api/v1/members/", {}),
        ("post", "/api/v1/members/lookup/", {"id_number": "\x00" * 18}),
        ("post", "/api/v1/members/lookup/", {}),
    ],
)
def test_malformed_api_requests_are_4xx(cadre_api, household, method, url, body):
    response = (
        getattr(cadre_api, method)(url, body, format="json")
        if body is not None
        else getattr(cadre_api, method)(url)
    )
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"]
    assert Household.objects.count() == 1 and Member.objects.count() == 2


def test_a_body_that_is_not_json_is_a_400(cadre_api, household):
    response = cadre_api.post("/api/v1/households/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_unmasking_another_households_member_is_refused(
    township_cadre, household, other_township_household
):
    client = APIClient()
    client.force_authenticate(township_cadre)
    stranger = other_township_household.members.get()
    response = client.post(
        f"/api/v1/households/{household.pk}/unmask/", {"reason": "核实", "member": stranger.pk}
    )
    assert response.status_code == 400
    assert "王富贵" not in response.content.decode()
    response = client.post(
        f"/api/v1/households/{household.pk}/unmask/", {"reason": "核实", "member": HUGE}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        f"/households/{HUGE}/",
        f"/households/{HUGE}/edit/",
        f"/members/{HUGE}/edit/",
        f"/households/{HUGE}/members/new/",
    ],
)
def test_malformed_page_urls_are_404(township_cadre, url):
    assert client_for(township_cadre).get(url).status_code == 404


def test_a_member_form_with_a_huge_household_is_an_error_not_a_crash(township_cadre, household):
    member = household.members.get(relation="spouse")
    response = client_for(township_cadre).post(
        f"/members/{member.pk}/edit/",
        {
            "name": "李秀英",
            "relation": "spouse",
            "health": "healthy",
            "disability": "none",
            "labour": "ordinary",
            "education": "primary",
            "schooling": "not_in_school",
            "work": "none",
            "status": "active",
            "household": HUGE,
            "version": member.version,
        },
    )
    # The edit form has no household field any more (a move is its own action): ignored.
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.household_id == household.pk
