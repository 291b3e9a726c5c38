"""Writes made with no request around them are in the history too: a Celery task's, through a
real worker, and a management command's."""

import pytest
from django.core.management import call_command

from households.models import Household, HouseholdEvent
from monitoring.models import Alert, AlertHistory
from tests.conftest import committed_db
from tests.monitoring.conftest import (  # noqa: F401  (fixtures: the pinned day, an old household)
    TODAY,
    household,
    pinned_today,
    poor_figures,
    record,
)
from tests.workers import wait_for


@committed_db
def test_an_alert_opened_by_the_worker_is_in_the_history(
    celery_worker,
    village_worker,
    household,  # noqa: F811
):
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    alert = wait_for(lambda: Alert.objects.filter(household=household).first(), message="alert")
    history = AlertHistory.objects.filter(pgh_obj_id=alert.pk, pgh_label="insert")
    assert history.exists()
    # No request, no person: the audit page shows it as the system's.
    assert all(
        (event.pgh_context is None) or "url" not in (event.pgh_context.metadata or {})
        for event in history
    )


@pytest.mark.django_db
def test_a_management_commands_write_is_in_the_history(household):  # noqa: F811
    call_command(
        "shell",
        command=(
            "from households.models import Household; "
            f"Household.objects.filter(pk={household.pk}).update(address='命令行修改')"
        ),
    )
    assert Household.objects.get(pk=household.pk).address == "命令行修改"
    assert HouseholdEvent.objects.filter(
        pgh_obj_id=household.pk, pgh_label="update", address="命令行修改"
    ).exists()
