"""A referral's answer is due after the policy's limit counted in working days (the State
Council's holidays and 调休) or in calendar days, and the expiry sweep and the partner's task
list read the same due time.

2026: 1–7 October is the National Day holiday (8 October is worked again), and Saturday
10 October is a make-up working day (调休). A referral made on Wednesday 30 September at 10:00
with 3 working days is due on Saturday 10 October at 10:00 (8, 9, 10).
"""

import datetime

import pytest

from assistance.models import CalendarDay, ReferralPolicy, ReferralStatus
from assistance.services import referrals as referral_services
from assistance.services.measures import measure_create
from assistance.services.referrals import referral_due_at
from tests.assistance.conftest import SHANGHAI
from tests.assistance.test_referrals import plan
from tests.conftest import HOME_COUNTY, HOME_VILLAGE
from worklist.selectors import tasks_for

pytestmark = pytest.mark.django_db

D = datetime.date
REFERRED = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)


def at(day: D, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), SHANGHAI)


def test_working_days_skip_the_national_day_holiday_and_count_the_make_up_saturday(db):
    ReferralPolicy.objects.create(region_id=HOME_COUNTY, days=3, unit="working")
    assert referral_due_at(HOME_VILLAGE, REFERRED) == at(D(2026, 10, 10))


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (1, D(2026, 10, 8)),  # the first working day after the holiday
        (2, D(2026, 10, 9)),
        (4, D(2026, 10, 12)),  # Sunday 11 October is a day off
    ],
)
def test_working_days_across_the_holiday(db, days, due):
    ReferralPolicy.objects.create(region_id=HOME_COUNTY, days=days, unit="working")
    assert referral_due_at(HOME_VILLAGE, REFERRED) == at(due)


def test_calendar_days_ending_in_the_holiday_end_on_the_first_working_day_after_it(db):
    ReferralPolicy.objects.create(region_id=HOME_COUNTY, days=3, unit="calendar")
    # 3 October is a holiday: the limit runs to 8 October, as the law counts periods.
    assert referral_due_at(HOME_VILLAGE, REFERRED) == at(D(2026, 10, 8))


def test_without_a_policy_the_referral_keeps_three_calendar_days(db):
    monday = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    assert referral_due_at(HOME_VILLAGE, monday) == monday + datetime.timedelta(days=3)


def test_a_county_calendar_row_is_counted(db):
    """A day the county enters (a year the package does not know, or a correction) wins."""
    ReferralPolicy.objects.create(region_id=HOME_COUNTY, days=3, unit="working")
    CalendarDay.objects.create(day=D(2026, 10, 9), is_working=False, note="test")
    assert referral_due_at(HOME_VILLAGE, REFERRED) == at(D(2026, 10, 12))


def test_existing_policies_were_kept_in_calendar_days_by_the_migration():
    from importlib import import_module

    migration = import_module("assistance.migrations.0011_referral_policy_unit_and_history")
    [added] = [
        op
        for op in migration.Migration.operations
        if getattr(op, "name", "") == "unit" and type(op).__name__ == "AddField"
    ]
    assert added.field.db_default == "calendar"
    assert ReferralPolicy._meta.get_field("unit").db_default == "working"


def test_the_expiry_sweep_and_the_task_list_agree_on_the_due_day(
    case, township_cadre, partner_org, partner, clock
):
    ReferralPolicy.objects.create(region_id=HOME_COUNTY, days=3, unit="working")
    clock.set(D(2026, 9, 30))
    referral = measure_create(
        actor=township_cadre, case=case, plan=plan(township_cadre, partner_id=partner_org.pk)
    )
    assert referral.referral_due == at(D(2026, 10, 10))
    [task] = [task for task in tasks_for(partner) if task.kind == "referral_answer"]
    assert task.due_on == D(2026, 10, 10)

    # All through the holiday, and on the make-up Saturday before 10:00, it is not late.
    for day in (D(2026, 10, 1), D(2026, 10, 7), D(2026, 10, 9)):
        clock.set(day)
        assert not tasks_for(partner)[0].overdue
        assert referral_services.referral_expire_overdue(now=at(day, 23)) == 0
    assert referral_services.referral_expire_overdue(now=at(D(2026, 10, 10), 9)) == 0
    assert referral_services.referral_expire_overdue(now=at(D(2026, 10, 10), 11)) == 1
    referral.refresh_from_db()
    assert referral.referral_status == ReferralStatus.EXPIRED
