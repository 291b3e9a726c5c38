"""The visit page without a network, through the HTTP door: the service worker and manifest are
local, the phone's household list is minimal and scoped, logout clears the phone, and the
queue's replays and late syncs store one visit or none."""

import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from monitoring.models import Visit
from tests.conftest import client_for
from tests.monitoring.conftest import visit_figures

pytestmark = pytest.mark.django_db


def offline_visit_body(household) -> dict:
    """What static/js/visit-queue.js sends: the form's strings as JSON."""
    figures = visit_figures()
    body = {k: v if isinstance(v, bool) else str(v) for k, v in figures.items()}
    body.update(household=household.pk, client_uuid=str(uuid.uuid4()), notes="", events=[])
    return body


def session_client(user) -> Client:
    """A logged-in browser: session cookie and CSRF checks, as the phone's page sends."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.get("/visits/new/")  # sets the CSRF cookie, as opening the page does
    return client


def post_json(client: Client, body: dict):
    return client.post(
        "/api/v1/visits/",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value if "csrftoken" in client.cookies else "",
    )


def test_the_service_worker_is_served_from_the_root_and_loads_only_local_files(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*?\n\});", body, re.S).group(1))
    assert config["workboxSw"] == "/static/vendor/workbox/workbox-sw.js"
    assert config["workboxPrefix"] == "/static/vendor/workbox/"
    assert "modulePathPrefix: CONFIG.workboxPrefix, debug: false" in body
    assert re.search(r"https?://", body.split("*/", 1)[1]) is None  # no CDN, no other host
    precached = {entry["url"]: entry["revision"] for entry in config["precache"]}
    assert "/static/js/offline.js" in precached and all(precached.values())


def test_the_manifest_installs_the_visit_page(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/visits/new/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert all(icon["src"].startswith("/static/icons/") for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_visit_pages_link_the_manifest_and_carry_the_offline_visit_queue(
    village_worker, household
):
    client = client_for(village_worker)
    pick = client.get("/visits/new/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in pick
    assert 'id="visit-queue"' in pick and "data-offline" in pick and 'name="client_uuid"' in pick
    form = client.get(f"/visits/new/?household={household.pk}").content.decode()
    assert "data-visit-form" in form and 'id="visit-queue"' in form


def test_the_phone_keeps_only_names_and_numbers_of_the_workers_own_households(
    village_worker, household, other_township_household
):
    response = client_for(village_worker).get("/visits/households.json")
    assert "no-store" in response["Cache-Control"]
    households = response.json()["households"]
    assert households == [
        {
            "id": household.pk,
            "number": household.number,
            "head_name": "张建国",
            "village": household.village.short_name,
        }
    ]


def test_outsiders_get_no_household_list(partner, client):
    assert client_for(partner).get("/visits/households.json").status_code == 403
    assert client.get("/visits/households.json").status_code == 302  # to the login page


def test_logging_out_clears_the_phone(village_worker):
    client = client_for(village_worker)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_an_offline_queued_visit_replayed_five_times_is_stored_once(village_worker, household):
    client, body = session_client(village_worker), offline_visit_body(household)
    responses = [post_json(client, body) for _ in range(5)]
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Visit.objects.count() == 1


def test_a_sync_after_the_session_expired_is_refused_clearly_and_stores_nothing(
    village_worker, household
):
    client = session_client(village_worker)
    client.session.flush()  # the idle timeout ran out on the server
    client.cookies.pop("sessionid", None)
    response = post_json(client, offline_visit_body(household))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"
    assert not Visit.objects.exists()


def test_a_sync_without_the_csrf_token_is_refused_and_stores_nothing(village_worker, household):
    client = session_client(village_worker)
    response = client.post(
        "/api/v1/visits/",
        json.dumps(offline_visit_body(household)),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["detail"]  # the phone reads it as "log in"
    assert not Visit.objects.exists()


def test_a_refused_offline_queued_visit_names_its_field_and_stores_nothing(
    village_worker, household
):
    body = {**offline_visit_body(household), "household_size": None, "wage_income": "-5"}
    response = post_json(session_client(village_worker), body)
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"household_size", "wage_income"}
    assert not Visit.objects.exists()
