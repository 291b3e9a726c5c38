"""Helpers of the micro-credit tests (tests/livelihoods/test_credit*.py)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from livelihoods.loan_schedule import add_months
from livelihoods.services import credit
from tests.livelihoods.conftest import TODAY

__all__ = ["TODAY", "make_loan", "months_ago"]


def months_ago(months: int) -> datetime.date:
    """Counted from the day the test runs on: the livelihoods tests hold it on TODAY
    (tests.conftest.day_held), a browser test on its own clock."""
    return add_months(timezone.localdate(), -months)


def make_loan(
    actor, household, *, months_back=0, days_back=0, principal="12000", term=12, method="monthly"
):
    head = household.members.get(relation="head")
    return credit.loan_create(
        actor=actor,
        household_id=household.pk,
        borrower_id=head.pk,
        lender="景泰县农商银行",
        principal=Decimal(principal),
        term_months=term,
        annual_rate=Decimal("4.35"),
        method=method,
        disbursed_on=months_ago(months_back) - datetime.timedelta(days=days_back),
    )
