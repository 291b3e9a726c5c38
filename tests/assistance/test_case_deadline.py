"""The 15-day limit is counted from the day after the proposal (期间开始的当日不计算在内).

The clock starts on Monday 2 March 2026: the proposal day is day 0, 3 March is day 1, and the
last day of the phase is 17 March. The county approval is due that day and overdue from 18 March.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from assistance import selectors, steps
from assistance.models import CaseStatus
from assistance.services import cases as case_services
from tests.assistance.conftest import START, step
from tests.conftest import client_for

# The national 15 calendar days (the home county follows Gansu's working days otherwise).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_deadlines")]

PROPOSED = START.date()
LAST_DAY = datetime.date(2026, 3, 17)


def to_county_approval(case, clock, village_worker, township_cadre):
    """Every identification step but the county's, each on its own day."""
    clock.advance(1)
    step(village_worker, case, "consent")
    step(township_cadre, case, "info_check", info_check_result="consistent")
    step(village_worker, case, "deliberation", comment="村民代表一致同意")
    case.refresh_from_db()
    starts = clock.today()
    case_services.case_notice_post(
        actor=village_worker,
        case=case,
        version=case.version,
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=4),
    )
    clock.advance(5)
    step(village_worker, case, "notice", objections="")
    return step(township_cadre, case, "township_review")


def test_the_last_day_is_fifteen_days_after_the_proposal_day(case):
    assert steps.phase_last_day(PROPOSED) == LAST_DAY
    assert case.steps.get(kind="county_approval").due_on == LAST_DAY
    assert case.steps.get(kind="proposal").due_on == PROPOSED


def test_the_county_approval_is_on_time_on_the_last_day_and_overdue_the_day_after(
    case, clock, village_worker, township_cadre, county_officer
):
    to_county_approval(case, clock, village_worker, township_cadre)
    clock.set(LAST_DAY)
    assert not selectors.steps_overdue(county_officer, as_of=clock.today()).exists()
    clock.set(LAST_DAY + datetime.timedelta(days=1))
    [late] = selectors.steps_overdue(county_officer, as_of=clock.today())
    assert (late.kind, late.due_on) == ("county_approval", LAST_DAY)
    clock.set(LAST_DAY)
    assert step(county_officer, case, "county_approval").status == CaseStatus.ENROLLED


def test_the_case_page_names_the_last_day_and_how_it_is_counted(case, township_cadre):
    page = client_for(township_cadre).get(reverse("case-detail", args=[case.pk]))
    assert (
        "本阶段最迟须于 2026年3月17日 办结：自 2026年3月2日 提出之日的次日起算 15 日"
        "（提出当日不计入）。" in page.content.decode()
    )
    with translation.override("en"):
        page = client_for(township_cadre).get(
            reverse("case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "This phase must finish by March 17, 2026: 15 days counted from the day after" in (
        page.content.decode()
    )


def test_the_overdue_page_says_the_proposal_day_is_not_counted(township_cadre):
    page = client_for(township_cadre).get(reverse("case-overdue")).content.decode()
    assert "期限自提出之日的次日起算（提出当日不计入），最后一日为提出之日后第 15 日" in page


def test_a_shorter_limit_ends_as_many_days_after_the_proposal(settings):
    settings.CASE_PHASE_DAYS = 10
    assert steps.phase_last_day(PROPOSED) == datetime.date(2026, 3, 12)
    assert steps.due_on(PROPOSED, steps.IDENTIFICATION[-1]) == datetime.date(2026, 3, 12)
