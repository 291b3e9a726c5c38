"""Scan runs through the API and the page: each user sees and starts runs of their own scope."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from monitoring.models import ScanRun
from tests.conftest import HOME_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def officer_without_region(db):
    return User.objects.create_user(
        username="no_region", password="test-password-123", role=Role.COUNTY_OFFICER
    )


def test_an_account_without_a_region_cannot_start_a_scan_of_everything(officer_without_region):
    assert officer_without_region.has_perm("monitoring.add_scanrun")
    response = api(officer_without_region).post("/api/v1/scan-runs/", {}, format="json")
    assert response.status_code == 403
    response = api(officer_without_region).post(
        "/api/v1/scan-runs/", {"region": "62"}, format="json"
    )
    assert response.status_code == 403
    assert client_for(officer_without_region).post("/scans/").status_code == 403
    assert not ScanRun.objects.exists()


def test_a_county_officer_still_starts_a_scan_of_the_county(county_officer):
    response = api(county_officer).post("/api/v1/scan-runs/", {}, format="json")
    assert response.status_code == 202
    assert ScanRun.objects.get().scope == "620423"


def test_a_township_sees_its_own_runs_and_not_the_county_s(township_cadre):
    today = timezone.localdate()
    county = ScanRun.objects.create(scope="620423", trigger=ScanRun.Trigger.RULE, as_of=today)
    own = ScanRun.objects.create(
        scope=HOME_TOWNSHIP[:9], trigger=ScanRun.Trigger.MANUAL, as_of=today
    )
    everything = ScanRun.objects.create(scope="", trigger=ScanRun.Trigger.NIGHTLY, as_of=today)
    client = api(township_cadre)
    listed = [row["id"] for row in client.get("/api/v1/scan-runs/").json()["results"]]
    assert listed == [own.pk]
    for hidden in (county, everything):
        assert client.get(f"/api/v1/scan-runs/{hidden.pk}/").status_code == 404
    page = client_for(township_cadre).get("/scans/")
    assert [run.pk for run in page.context["runs"]] == [own.pk]
