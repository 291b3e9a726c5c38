"""The risk-elimination check as a table: one passing household, then one thing wrong at a time."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from assistance.eligibility import EligibilityInputs, VisitIncome, is_eligible, judge, months_before

TODAY = datetime.date(2026, 11, 23)
PASSING = EligibilityInputs(
    enrolled_on=datetime.date(2026, 5, 20),
    delivered_measures=1,
    visits=tuple(
        VisitIncome(datetime.date(2026, month, 10), Decimal("8000")) for month in range(6, 12)
    ),
    income_line=Decimal("7600"),
    latest_visit_on=datetime.date(2026, 11, 10),
    failed_checks=(),
    rigid_spending=None,
    members_with_labour=2,
)


def failing(inputs) -> set[str]:
    return {item.code for item in judge(inputs, TODAY) if not item.passed}


def test_a_household_meeting_every_condition_is_eligible():
    assert is_eligible(judge(PASSING, TODAY))
    assert len(judge(PASSING, TODAY)) == 6


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"enrolled_on": datetime.date(2026, 5, 24)}, "enrolled_six_months"),
        ({"enrolled_on": None}, "enrolled_six_months"),
        ({"delivered_measures": 0}, "measure_delivered"),
        ({"visits": ()}, "income_above_line"),
        ({"income_line": None}, "income_above_line"),
        (
            {"visits": PASSING.visits + (VisitIncome(TODAY, Decimal("7599.99")),)},
            "income_above_line",
        ),
        ({"failed_checks": ("safe_water",)}, "guarantees_met"),
        ({"latest_visit_on": None}, "guarantees_met"),
        ({"rigid_spending": {"rigid_spending": "9000.00"}}, "rigid_spending_resolved"),
        ({"members_with_labour": 0}, "has_labour"),
    ],
)
def test_each_failing_condition_is_named(change, code):
    assert failing(dataclasses.replace(PASSING, **change)) == {code}


def test_income_exactly_at_the_line_passes():
    at_line = tuple(VisitIncome(v.visited_on, Decimal("7600")) for v in PASSING.visits)
    assert failing(dataclasses.replace(PASSING, visits=at_line)) == set()


def test_six_months_is_counted_in_calendar_months():
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 11, 23), 6) == datetime.date(2026, 5, 23)
    enrolled_exactly = dataclasses.replace(PASSING, enrolled_on=datetime.date(2026, 5, 23))
    assert failing(enrolled_exactly) == set()


def test_the_day_six_months_are_complete_is_named():
    early = dataclasses.replace(PASSING, enrolled_on=datetime.date(2026, 6, 30))
    item = next(i for i in judge(early, TODAY) if i.code == "enrolled_six_months")
    assert item.facts["complete_on"] == "2026-12-30"
