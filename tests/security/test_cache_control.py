"""Pages and API answers with personal data are kept by no browser cache or proxy; static files
and the offline visit page's service worker keep their own policies."""

import pytest
from django.test import Client, override_settings
from knox.models import AuthToken

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_pages_with_personal_data_are_never_stored(village_worker, household):
    client = client_for(village_worker)
    head = household.members.get(relation="head")
    for url in (
        f"/households/{household.pk}/",
        f"/households/{household.pk}/history/",
        f"/households/{household.pk}/edit/",
        f"/members/{head.pk}/edit/",
        "/visits/new/",  # the offline page: the service worker keeps its copy in Cache Storage
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_api_answers_are_never_stored(api_client_user, household):
    _, token = AuthToken.objects.create(api_client_user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    for url in (f"/api/v1/households/{household.pk}/", "/api/v1/members/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_a_refused_form_is_never_stored_either(village_worker, household):
    response = client_for(village_worker).post(f"/households/{household.pk}/edit/", {})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_and_the_service_worker_keep_their_own_policy(client):
    static = client.get("/static/css/dixian.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")
    assert client.get("/sw.js")["Cache-Control"] == "no-cache"
    assert client.get("/manifest.webmanifest")["Cache-Control"] == "max-age=3600"
