"""The warning queue reads a region's warnings by their own copy of the village (Alert.village),
which the database keeps in step with the household."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households import services as household_services
from households.models import Household
from monitoring.models import Alert
from monitoring.services.alerts import self_report_record
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, client_for

pytestmark = pytest.mark.django_db


def _warned_households(actor, count: int) -> list[Household]:
    households = []
    for _ in range(count):
        household = household_services.household_create(
            actor=actor, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
        self_report_record(actor=actor, household_id=household.pk, report="家中老人住院，无力支付")
        households.append(household)
    return households


def test_a_warning_takes_the_village_of_its_household(village_worker, household):
    alert = self_report_record(
        actor=village_worker, household_id=household.pk, report="家中老人住院，无力支付"
    )
    alert.refresh_from_db()
    assert alert.village_id == HOME_VILLAGE


def test_a_warning_written_in_bulk_takes_its_village_too(household):
    # The scan writes its warnings with bulk_create, and a load may write them in SQL.
    Alert.objects.bulk_create(
        [Alert(household=household, source="rules", level="high", opened_at="2026-06-30T10:00Z")]
    )
    assert Alert.objects.get(household=household).village_id == HOME_VILLAGE


def test_a_household_that_moves_takes_its_warnings_along(
    village_worker, township_cadre, other_township_cadre, household
):
    alert = self_report_record(
        actor=village_worker, household_id=household.pk, report="家中老人住院，无力支付"
    )
    Household.objects.filter(pk=household.pk).update(village_id=OTHER_TOWNSHIP_VILLAGE)
    alert.refresh_from_db()
    assert alert.village_id == OTHER_TOWNSHIP_VILLAGE
    assert alert.history.count() == 1  # the copy is not history: only the opening is recorded
    assert f"/alerts/{alert.pk}/" not in client_for(township_cadre).get("/alerts/").content.decode()
    moved = client_for(other_township_cadre).get("/alerts/")
    assert f"/alerts/{alert.pk}/" in moved.content.decode()


def test_the_warning_queue_shows_and_counts_the_township_only(
    village_worker, township_cadre, other_township_cadre, household
):
    _warned_households(village_worker, 3)
    page = client_for(township_cadre).get("/alerts/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and len(page.context["page"]) == 3
    assert page.context["page"].paginator.count == 3
    assert "3 warnings" in page.content.decode()
    village = client_for(township_cadre).get(f"/alerts/?village={HOME_VILLAGE}")
    assert village.context["page"].paginator.count == 3
    other = client_for(other_township_cadre).get("/alerts/")
    assert other.context["page"].paginator.count == 0


def test_the_warning_queue_costs_the_same_statements_for_2_or_6_warnings(
    village_worker, township_cadre
):
    client = client_for(township_cadre)
    counts = []
    for batch in (2, 4):
        _warned_households(village_worker, batch)
        client.get("/alerts/")  # per-process caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/alerts/")
        assert len(page.context["page"]) == sum((2, 4)[: len(counts) + 1])
        counts.append(len(queries))
    assert counts[0] == counts[1]
