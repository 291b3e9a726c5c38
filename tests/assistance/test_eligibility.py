"""The risk-elimination check as a table: one passing household, then one thing wrong at a time."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from assistance.eligibility import (
    MIN_STABLE_VISITS,
    EligibilityInputs,
    VisitIncome,
    is_eligible,
    judge,
    months_before,
    six_months_complete_on,
)

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
    assert len(judge(PASSING, TODAY)) == 7


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
        ({"tekun": True}, "not_in_tekun"),
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


def item(inputs, as_of, code):
    return next(i for i in judge(inputs, as_of) if i.code == code)


@pytest.mark.parametrize(
    ("enrolled_on", "complete_on"),
    [
        (datetime.date(2026, 8, 31), datetime.date(2027, 2, 28)),  # no 31 February
        (datetime.date(2027, 8, 31), datetime.date(2028, 2, 29)),  # a leap year's last day
        (datetime.date(2027, 8, 29), datetime.date(2028, 2, 29)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 7, 31)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 9, 30)),  # no 31 September
        (datetime.date(2028, 2, 29), datetime.date(2028, 8, 29)),  # from a leap day
        (datetime.date(2026, 12, 31), datetime.date(2027, 6, 30)),  # across the year
        (datetime.date(2026, 5, 20), datetime.date(2026, 11, 20)),
    ],
)
def test_the_check_passes_exactly_on_the_day_it_names(enrolled_on, complete_on):
    inputs = dataclasses.replace(PASSING, enrolled_on=enrolled_on)
    assert six_months_complete_on(enrolled_on) == complete_on
    on_the_day = item(inputs, complete_on, "enrolled_six_months")
    assert on_the_day.passed and on_the_day.facts["complete_on"] == complete_on.isoformat()
    the_day_before = item(inputs, complete_on - datetime.timedelta(days=1), "enrolled_six_months")
    assert not the_day_before.passed
    assert the_day_before.facts["complete_on"] == complete_on.isoformat()


def test_one_good_visit_is_not_six_months_of_stable_income():
    one_visit = dataclasses.replace(PASSING, visits=(VisitIncome(TODAY, Decimal("9000")),))
    judged = item(one_visit, TODAY, "income_above_line")
    assert not judged.passed
    assert judged.facts["visits"] == 1 and judged.facts["needed"] == MIN_STABLE_VISITS == 2
    with translation.override("en"):
        assert judged.detail == (
            "1 visit(s) from May 24, 2026 to Nov. 23, 2026; stable income needs at least 2, "
            "each at or above the line of 7,600.00 yuan."
        )


def test_two_good_visits_in_the_six_months_are_stable_income():
    two = dataclasses.replace(
        PASSING,
        visits=(
            VisitIncome(datetime.date(2026, 5, 24), Decimal("7600")),
            VisitIncome(TODAY, Decimal("9000")),
        ),
    )
    judged = item(two, TODAY, "income_above_line")
    assert judged.passed
    with translation.override("en"):
        assert judged.detail == (
            "2 visit(s) from May 24, 2026 to Nov. 23, 2026, the lowest 7,600.00 yuan; "
            "line 7,600.00."
        )


def test_a_visit_before_the_six_months_does_not_count():
    old_and_new = dataclasses.replace(
        PASSING,
        visits=(
            VisitIncome(datetime.date(2026, 5, 23), Decimal("9000")),
            VisitIncome(TODAY, Decimal("9000")),
        ),
    )
    assert not item(old_and_new, TODAY, "income_above_line").passed


def test_a_verdict_stored_before_the_span_was_recorded_still_reads():
    from assistance.eligibility_items import Item

    stored = Item.from_json(
        {
            "code": "income_above_line",
            "passed": True,
            "facts": {"line": "7600", "visits": 3, "lowest": "8000", "below": []},
        }
    )
    with translation.override("en"):
        assert (
            stored.detail
            == "3 visit(s) in the last six months, the lowest 8,000.00 yuan; line 7,600.00."
        )
