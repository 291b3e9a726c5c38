"""The ranking of an area event's households: a table of facts, no database."""

import pytest
from django.utils import translation

from monitoring.area_ranking import Vulnerability, rank, reason_words, score_of


@pytest.mark.parametrize(
    ("facts", "score", "codes"),
    [
        (Vulnerability(1), 0, []),
        (Vulnerability(1, risk_level="high"), 40, ["risk"]),
        (Vulnerability(1, risk_level="medium"), 25, ["risk"]),
        (Vulnerability(1, risk_level="low"), 10, ["risk"]),
        (Vulnerability(1, reason_codes=frozenset({"income_near_line"})), 20, ["income_near_line"]),
        (Vulnerability(1, reason_codes=frozenset({"income_below_line"})), 20, ["income_near_line"]),
        (Vulnerability(1, reason_codes=frozenset({"visit_overdue"})), 0, []),
        # nobody able to work; an empty household is not "without labour"
        (Vulnerability(1, active_members=2, members_with_labour=0), 20, ["no_labour"]),
        (Vulnerability(1, active_members=0, members_with_labour=0), 0, []),
        (Vulnerability(1, active_members=2, members_with_labour=1), 0, []),
        # elderly or ill members count up to two
        (Vulnerability(1, elderly_or_ill=1), 10, ["elderly_or_ill"]),
        (Vulnerability(1, elderly_or_ill=5), 20, ["elderly_or_ill"]),
        (Vulnerability(1, recent_shocks=3), 15, ["recent_shock"]),
        (
            Vulnerability(
                1,
                risk_level="high",
                reason_codes=frozenset({"income_below_line"}),
                active_members=1,
                elderly_or_ill=1,
                recent_shocks=1,
            ),
            40 + 20 + 20 + 10 + 15,
            ["risk", "income_near_line", "no_labour", "elderly_or_ill", "recent_shock"],
        ),
    ],
)
def test_a_households_score_and_its_reasons(facts, score, codes):
    got_score, reasons = score_of(facts)
    assert got_score == score
    assert [reason["code"] for reason in reasons] == codes


def test_the_most_vulnerable_come_first_and_ties_by_household():
    ranked = rank(
        [
            Vulnerability(5),
            Vulnerability(3, risk_level="low"),
            Vulnerability(4, risk_level="high"),
            Vulnerability(2, risk_level="low"),
        ]
    )
    assert [(row.household_id, row.rank, row.score) for row in ranked] == [
        (4, 1, 40),
        (2, 2, 10),
        (3, 3, 10),
        (5, 4, 0),
    ]


def test_the_reasons_are_put_in_words():
    _score, reasons = score_of(
        Vulnerability(1, risk_level="high", active_members=1, elderly_or_ill=2, recent_shocks=1)
    )
    with translation.override("en"):
        words = reason_words(reasons)
    assert words == [
        "Current risk: high",
        "Nobody in the household can work",
        "Elderly or ill members: 2",
        "Recent shocks recorded on visits: 1",
    ]
