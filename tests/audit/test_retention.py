"""Retention: rows past DIXIAN_AUDIT_RETENTION_DAYS are purged, younger ones kept, and nothing
under the 183-day floor goes, whatever the setting or the caller asks."""

import datetime

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone

from audit.checks import check_audit_retention
from audit.models import ExportEvent
from audit.services import audit_trail_purge
from audit.tasks import purge_audit_trail
from households.models import HouseholdEvent
from tests.audit.conftest import as_role, insert_household_event
from tests.conftest import committed_db
from tests.workers import wait_for

DAY = datetime.timedelta(days=1)


def _export(user, age_days: int) -> ExportEvent:
    return ExportEvent.objects.create(
        user=user,
        kind="spreadsheet",
        name="households",
        row_count=1,
        region_code="620423",
        at=timezone.now() - age_days * DAY,
    )


def _dated_history(household, age_days: int) -> None:
    insert_household_event(
        household, at=timezone.now() - age_days * DAY, address=f"{age_days} days old"
    )


def _history_ages(household) -> list[str]:
    return sorted(
        HouseholdEvent.objects.filter(
            pgh_obj_id=household.pk, address__endswith="days old"
        ).values_list("address", flat=True)
    )


@pytest.mark.django_db
def test_rows_older_than_the_retention_are_purged_younger_kept(household, county_officer):
    kept = [_export(county_officer, age) for age in (0, 200, 364)]
    _export(county_officer, 366)
    _export(county_officer, 800)
    for age in (364, 366):
        _dated_history(household, age)
    with override_settings(AUDIT_RETENTION_DAYS=365):
        purged = audit_trail_purge()
    assert purged["audit_exportevent"] == 2 and purged["households_householdevent"] == 1
    assert sorted(ExportEvent.objects.values_list("pk", flat=True)) == [e.pk for e in kept]
    assert _history_ages(household) == ["364 days old"]


@pytest.mark.django_db
def test_the_database_refuses_a_purge_under_the_legal_floor(app_role, household, county_officer):
    for age in (100, 190):
        _export(county_officer, age)
    _dated_history(household, 100)
    with pytest.raises(DatabaseError, match="append-only"), as_role(app_role):
        audit_trail_purge(days=30)
    assert ExportEvent.objects.count() == 2
    assert _history_ages(household) == ["100 days old"]


@pytest.mark.parametrize(("days", "errors"), [(365, 0), (183, 0), (182, 1), (30, 1)])
def test_a_retention_under_183_days_is_a_start_up_error(days, errors):
    with override_settings(AUDIT_RETENTION_DAYS=days):
        found = check_audit_retention(None)
    assert len(found) == errors
    assert all(error.id == "audit.E001" for error in found)


@committed_db
def test_the_nightly_task_purges_through_a_real_worker(celery_worker, county_officer):
    young = _export(county_officer, 10)
    old = _export(county_officer, 400)
    purge_audit_trail.delay()
    wait_for(lambda: not ExportEvent.objects.filter(pk=old.pk).exists(), message="the purge")
    assert ExportEvent.objects.filter(pk=young.pk).exists()
