"""The browsable API: JSON only outside DEBUG, and under DEBUG no form with stored values.

DRF's browsable API filled its PUT form from the write serializer, so `?format=api` showed the
full phone and bank account that the JSON masks; on a member it answered 500.
"""

import pytest
from django.test import override_settings

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# The household fixture's stored values: its phone and bank account, the head's phone.
STORED = ("13893001234", "6228480402564890018", "13893005678")


def urls(household) -> list[str]:
    member = household.members.first()
    return [
        "/api/v1/households/",
        f"/api/v1/households/{household.pk}/",
        "/api/v1/members/",
        f"/api/v1/members/{member.pk}/",
    ]


def assert_no_stored_value(response) -> None:
    text = response.content.decode()
    for value in STORED:
        assert value not in text, f"{value} in {response.request['PATH_INFO']}"


def test_the_browsable_api_is_an_unknown_format_outside_debug(township_cadre, household):
    client = client_for(township_cadre)
    for url in urls(household):
        response = client.get(url, {"format": "api"})
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert response.json()["errors"][0]["code"] == "not_found"
        assert_no_stored_value(response)


def test_a_browser_asking_for_html_gets_json_outside_debug(township_cadre, household):
    client = client_for(township_cadre)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for url in urls(household):
        response = client.get(url, HTTP_ACCEPT=browser)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"
        assert_no_stored_value(response)
        only_html = client.get(url, HTTP_ACCEPT="text/html")
        assert only_html.status_code == 406, url
        assert only_html["Content-Type"] == "application/json"
        assert_no_stored_value(only_html)


@override_settings(DEBUG=True)
def test_the_browsable_api_under_debug_renders_no_form_with_stored_values(
    township_cadre, household
):
    client = client_for(township_cadre)
    for url in urls(household):
        response = client.get(url, {"format": "api"})
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        text = response.content.decode()
        # Neither the raw-data form nor the HTML form of a write (the filter form may stay).
        assert 'name="_content"' not in text, url
        assert 'data-method="PUT"' not in text and 'data-method="POST"' not in text, url
        assert_no_stored_value(response)
