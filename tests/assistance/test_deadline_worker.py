"""Through the queue: a real worker sends a reminder and an escalation once, however often and
however many at once the sweep is queued."""

import datetime

import pytest

from assistance.models import StepNotice
from assistance.services import cases as case_services
from assistance.tasks import deadline_reminders_send
from monitoring.models import Notification
from tests.conftest import committed_db
from tests.workers import wait_for, wait_until_worker_idle

pytestmark = committed_db

OPENED = datetime.date(2026, 9, 30)


def _queue_twice_and_wait(as_of: str, notices: int) -> None:
    for _ in range(2):
        deadline_reminders_send.delay(as_of)
    wait_for(lambda: StepNotice.objects.count() >= notices, message=f"the sweep of {as_of}")
    wait_until_worker_idle()


@pytest.mark.usefixtures("celery_worker")
def test_a_reminder_and_an_escalation_are_sent_once_by_the_worker(
    household, township_cadre, village_worker, county_officer, clock
):
    clock.set(OPENED)
    case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
    )
    _queue_twice_and_wait("2026-10-08", 1)
    assert Notification.objects.filter(user=village_worker).count() == 1
    _queue_twice_and_wait("2026-10-14", 3)
    _queue_twice_and_wait("2026-10-14", 3)
    assert sorted(StepNotice.objects.values_list("stage", flat=True)) == [
        "escalated",
        "overdue",
        "reminder",
    ]
    assert Notification.objects.filter(user=village_worker).count() == 1
    assert Notification.objects.filter(user=township_cadre).count() == 1
    assert Notification.objects.filter(user=county_officer).count() == 1
