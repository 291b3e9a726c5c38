"""The age checks of issue 20's writes answer by the year, never by the day.

Pages show a member's age as the year minus the birth year (core.masking.age_this_year): the
month and day of birth are 4 of the 8 digits the ID mask hides. A check that refused a loan, a
work record or a consent one day and took it the next would give them away to whoever tried
dates one by one (a loan's disbursal day, a work record's month, a plan's agreement day), and so
would a list of members that changed on a birthday. Here each answers the same for every day of
the year in which the member reaches the age.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from development.selectors.plans import adult_members
from development.services import plans as plan_services
from households import services as household_services
from livelihoods.models import MicroLoan, WorkRecord
from livelihoods.selectors.work import working_age_members
from tests.conftest import day_held_fixture
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

_day_held = day_held_fixture(TODAY)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _member(household, actor, sequence: int, born: datetime.date):
    return household_services.member_create(
        actor=actor,
        household_id=household.pk,
        name=f"张小{sequence}",
        id_number=make_id_number("620423", born.strftime("%Y%m%d"), sequence),
        relation="child",
        labour="ordinary",
        education="senior",
    )


def test_a_loan_s_age_check_does_not_turn_on_the_borrower_s_birthday(household, township_cadre):
    """Two members who reach 18 this year, on 1 January and on 31 December: a loan made today
    is taken for both (a check to the day refused the second until the 31st, and a day-by-day
    try of disbursal dates found the birthday); one who reaches 18 next year is refused."""
    client = api(township_cadre)

    def lend(member):
        return client.post(
            "/api/v1/loans/",
            {
                "household": household.pk,
                "borrower": member.pk,
                "lender": "景泰县农商银行",
                "principal": "5000.00",
                "term_months": 12,
                "annual_rate": "4.350",
                "interest_payer": "subsidy",
                "method": "monthly",
                "disbursed_on": TODAY.isoformat(),
            },
            format="json",
        )

    first = _member(household, township_cadre, 5, datetime.date(TODAY.year - 18, 1, 1))
    last = _member(household, township_cadre, 6, datetime.date(TODAY.year - 18, 12, 31))
    assert (lend(first).status_code, lend(last).status_code) == (201, 201)
    younger = _member(household, township_cadre, 7, datetime.date(TODAY.year - 17, 1, 1))
    refused = lend(younger)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "borrower"
    assert not MicroLoan.objects.filter(borrower=younger).exists()


def test_a_work_record_s_age_check_does_not_turn_in_the_month_of_birth(household, township_cadre):
    spouse = household.members.get(relation="spouse")  # born June 1970: 16 in 1986
    client = api(township_cadre)

    def record(month: datetime.date) -> int:
        return client.post(
            "/api/v1/work-records/",
            {"member": spouse.pk, "month": month.isoformat(), "status": "not_working"},
            format="json",
        ).status_code

    answers = {month: record(month) for month in (datetime.date(1986, m, 1) for m in (1, 6, 7, 12))}
    assert set(answers.values()) == {201}, answers
    assert record(datetime.date(1985, 12, 1)) == 400
    assert not WorkRecord.objects.filter(month__year=1985).exists()
    # The list of members a month's form shows changes with the year only.
    assert spouse in working_age_members(household, datetime.date(1986, 1, 1))
    assert spouse not in working_age_members(household, datetime.date(1985, 12, 1))


def test_who_may_agree_to_a_plan_does_not_change_on_a_birthday(
    household, township_cadre, village_worker
):
    """Two members who reach 18 this year, one on 1 January and one on 31 December: both may
    agree (or neither could), whatever today's date."""
    born = {}
    for sequence, day in (
        (5, datetime.date(TODAY.year - 18, 1, 1)),
        (6, datetime.date(TODAY.year - 18, 12, 31)),
    ):
        born[day] = household_services.member_create(
            actor=township_cadre,
            household_id=household.pk,
            name=f"张小{sequence}",
            id_number=make_id_number("620423", day.strftime("%Y%m%d"), sequence),
            relation="child",
            labour="ordinary",
            education="senior",
        )
    adults = set(adult_members(household, TODAY))
    assert set(born.values()) <= adults
    # Nor a day before: the year, not the day, decides.
    assert not set(born.values()) & set(
        adult_members(household, datetime.date(TODAY.year - 1, 12, 31))
    )
    plan = plan_services.plan_create(actor=village_worker, household_id=household.pk)
    goal = plan_services.goal_save(
        actor=village_worker, plan_id=plan.pk, version=None, area="work", description="外出务工"
    )
    assert goal.pk
    plan.refresh_from_db()
    agreed = plan_services.plan_agree(
        actor=township_cadre,
        plan_id=plan.pk,
        version=plan.version,
        member_id=born[datetime.date(TODAY.year - 18, 12, 31)].pk,
        method="signature",
        agreed_on=TODAY,
    )
    assert agreed.status == "agreed"
