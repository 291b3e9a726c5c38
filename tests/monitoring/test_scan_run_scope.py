"""Scan runs through the API and the page: each user sees and starts runs of their own scope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from monitoring import scans
from monitoring.models import ScanRun
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, OTHER_COUNTY, client_for

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


# scan_start is the one way into a scan: the page and the API (through scan_start_by_hand), a
# changed income line or rule setting, and a department's area signal. With an actor, it refuses
# a scope outside the actor's region itself, whichever door called it.


def test_scan_start_refuses_a_scope_outside_the_actors_region(other_county_officer):
    with pytest.raises(ValidationError) as refused:
        scans.scan_start(trigger=ScanRun.Trigger.MANUAL, scope="620423", actor=other_county_officer)
    assert "region" in refused.value.message_dict
    with pytest.raises(ValidationError):  # everything is outside a county
        scans.scan_start(trigger=ScanRun.Trigger.MANUAL, scope="", actor=other_county_officer)
    assert not ScanRun.objects.exists()


def test_scan_start_refuses_an_actor_without_a_region(officer_without_region):
    with pytest.raises(PermissionDenied):
        scans.scan_start(trigger=ScanRun.Trigger.MANUAL, scope="", actor=officer_without_region)
    assert not ScanRun.objects.exists()


def test_scan_start_takes_the_actors_region_or_one_inside_it(county_officer):
    for scope in ("620423", HOME_TOWNSHIP[:9]):
        scans.scan_start(trigger=ScanRun.Trigger.MANUAL, scope=scope, actor=county_officer)
    assert sorted(ScanRun.objects.values_list("scope", flat=True)) == ["620423", "620423100"]


def test_scan_start_without_an_actor_is_the_systems_own_and_scans_everything(db):
    assert scans.scan_start(trigger=ScanRun.Trigger.NIGHTLY, scope="").scope == ""


def test_an_outsider_cannot_start_a_scan_of_the_county_through_the_api(other_county_officer):
    for region in ("620423", HOME_COUNTY, HOME_TOWNSHIP, "62"):
        response = api(other_county_officer).post(
            "/api/v1/scan-runs/", {"region": region}, format="json"
        )
        assert response.status_code == 400, region
        assert response.json()["errors"][0]["attr"] == "region"
    assert not ScanRun.objects.exists()


def test_an_outsider_starting_a_scan_from_the_page_scans_only_their_own_county(
    other_county_officer,
):
    response = client_for(other_county_officer).post("/scans/", {"region": HOME_COUNTY})
    assert response.status_code == 302
    assert list(ScanRun.objects.values_list("scope", "started_by")) == [
        ("620421", other_county_officer.pk)
    ]


def test_a_stalled_run_is_resumed_though_its_starter_has_since_moved(county_officer):
    stalled = scans.scan_start(
        trigger=ScanRun.Trigger.MANUAL, scope="620423100", actor=county_officer
    )
    county_officer.region_id = OTHER_COUNTY
    county_officer.save(update_fields=["region"])
    too_long = timezone.now() - datetime.timedelta(days=1)
    # No household in the test database, so the run finished at once: made to look stalled.
    ScanRun.objects.filter(pk=stalled.pk).update(status=ScanRun.Status.RUNNING, started_at=too_long)
    (again,) = scans.scan_resume_stalled()
    assert (again.scope, again.started_by_id) == ("620423100", county_officer.pk)
