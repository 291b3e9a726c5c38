"""The ranking of an area event's households: a table of facts, no database."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from monitoring.area_ranking import Ranking, Vulnerability, rank, reason_words, score_of


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


def test_a_ranking_added_in_chunks_is_written_in_batches_ranked_on():
    ranking = Ranking()
    ranking.add([Vulnerability(7), Vulnerability(6, risk_level="medium", recent_shocks=2)])
    ranking.add([Vulnerability(1, risk_level="medium", recent_shocks=1), Vulnerability(9)])
    ranking.add([Vulnerability(3, risk_level="high")])

    batches = list(ranking.batches(2))

    assert len(ranking) == 5
    assert [[(row.household_id, row.rank, row.score) for row in batch] for batch in batches] == [
        [(1, 1, 40), (3, 2, 40)],
        [(6, 3, 40), (7, 4, 0)],
        [(9, 5, 0)],
    ]
    # The same reasons are kept once; a count that differs keeps its own.
    first, second = batches[0][0].reasons, batches[1][0].reasons
    assert first == [{"code": "risk", "value": "medium"}, {"code": "recent_shock", "value": 1}]
    assert second == [{"code": "risk", "value": "medium"}, {"code": "recent_shock", "value": 2}]
    assert batches[1][1].reasons is batches[2][0].reasons == []


vulnerabilities = st.builds(
    Vulnerability,
    household_id=st.integers(min_value=1, max_value=2**40 - 1),
    risk_level=st.sampled_from(["none", "low", "medium", "high"]),
    reason_codes=st.frozensets(
        st.sampled_from(["income_below_line", "income_near_line", "labour_loss", "shock_event"])
    ),
    active_members=st.integers(min_value=0, max_value=6),
    members_with_labour=st.integers(min_value=0, max_value=6),
    elderly_or_ill=st.integers(min_value=0, max_value=6),
    recent_shocks=st.integers(min_value=0, max_value=3),
)


@given(st.lists(vulnerabilities, max_size=40, unique_by=lambda facts: facts.household_id))
def test_a_ranking_scores_each_household_as_score_of_does(households):
    """The ranking scores a combination of facts once: every household still gets its own."""
    ranked = [row for batch in _ranking_of(households).batches(7) for row in batch]
    expected = sorted(
        ((facts.household_id, *score_of(facts)) for facts in households),
        key=lambda row: (-row[1], row[0]),
    )
    assert [(row.household_id, row.score, row.reasons) for row in ranked] == expected
    assert [row.rank for row in ranked] == list(range(1, len(households) + 1))


def _ranking_of(households) -> Ranking:
    ranking = Ranking()
    ranking.add(households)
    return ranking


def test_an_empty_ranking_has_no_batch():
    assert list(Ranking().batches(1000)) == []


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
