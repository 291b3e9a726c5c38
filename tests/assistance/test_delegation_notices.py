"""A delegation's end is told: the delegator the working day before its last day when steps
still wait under it, the delegate once it has run out; each once, by the daily task."""

import datetime

import pytest
from django.utils import translation

from accounts.models import Role, User
from assistance import tasks
from assistance.services import delegations as delegation_services
from monitoring.models import Notification
from tests.assistance.test_delegation import give
from tests.conftest import HOME_VILLAGE

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def work_team_member(db):
    """A member of the home village's resident work team (a township cadre's account)."""
    return User.objects.create_user(
        username="work_team",
        password="test-password-123",
        role=Role.TOWNSHIP_CADRE,
        region_id=HOME_VILLAGE,
        first_name="驻村队员",
    )


def sweep(day: D) -> dict:
    return tasks.delegation_notices_send.apply(kwargs={"as_of": day.isoformat()}).get()


def told(key: str):
    return Notification.objects.filter(message_key=key)


def test_the_delegator_is_told_the_working_day_before_the_end_and_the_delegate_after_it(
    case, township_cadre, work_team_member, clock
):
    # Monday 2 March 2026; the case waits for its village consent, the delegated steps.
    delegation = give(township_cadre, work_team_member, days=(0, 4), clock=clock)  # to Fri 6th
    assert sweep(D(2026, 3, 4)) == {"expired": 0, "ending": 0}
    assert sweep(D(2026, 3, 5)) == {"expired": 0, "ending": 1}  # Thursday, the day before
    assert sweep(D(2026, 3, 5)) == {"expired": 0, "ending": 0}  # run twice: sent once
    assert sweep(D(2026, 3, 6)) == {"expired": 0, "ending": 0}
    [ending] = told("delegation_ending")
    assert ending.user == township_cadre and ending.arguments["cases"] == 1
    assert "2026" in ending.arguments["end"]

    assert sweep(D(2026, 3, 7)) == {"expired": 1, "ending": 0}  # the day after the last
    assert sweep(D(2026, 3, 7)) == {"expired": 0, "ending": 0}
    assert sweep(D(2026, 3, 9)) == {"expired": 0, "ending": 0}
    [expired] = told("delegation_expired")
    assert expired.user == work_team_member
    with translation.override("zh-hans"):
        assert "已到期" in expired.rendered and "村级环节" in expired.rendered
        assert "仍有 1 个案件" in ending.rendered
    with translation.override("en"):
        assert "has ended" in expired.rendered and "Village steps" in expired.rendered
    assert expired.dedupe_key == f"delegation-expired:{delegation.pk}"


def test_the_working_day_before_a_monday_end_after_the_holiday_is_the_make_up_saturday(
    case, township_cadre, work_team_member, clock
):
    clock.set(D(2026, 10, 8))
    give(township_cadre, work_team_member, days=(0, 4), clock=clock)  # to Monday 12 October
    assert sweep(D(2026, 10, 9))["ending"] == 0
    assert sweep(D(2026, 10, 10))["ending"] == 1  # Saturday 10 October is worked (调休)
    assert sweep(D(2026, 10, 11))["ending"] == 0


def test_no_steps_waiting_means_no_reminder_to_the_delegator(
    township_cadre, work_team_member, clock
):
    give(township_cadre, work_team_member, days=(0, 4), clock=clock)  # no case at all
    assert sweep(D(2026, 3, 5)) == {"expired": 0, "ending": 0}
    assert sweep(D(2026, 3, 7)) == {"expired": 1, "ending": 0}


def test_a_revoked_delegation_is_told_at_revocation_and_not_again_when_it_would_have_ended(
    township_cadre, work_team_member, clock
):
    delegation = give(township_cadre, work_team_member, days=(0, 4), clock=clock)
    delegation_services.delegation_revoke(actor=township_cadre, delegation=delegation)
    assert told("delegation_revoked").get().user == work_team_member
    assert sweep(D(2026, 3, 5)) == {"expired": 0, "ending": 0}
    assert sweep(D(2026, 3, 7)) == {"expired": 0, "ending": 0}


def test_the_beat_runs_the_delegation_task_daily():
    from django.conf import settings

    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "assistance.tasks.delegation_notices_send"
    ]
    assert len(entries) == 1
    assert tasks.delegation_notices_send.name == "assistance.tasks.delegation_notices_send"
