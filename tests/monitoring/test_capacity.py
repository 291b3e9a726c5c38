"""The self-development capacity indicator's components: tables of inputs, no database."""

import datetime
from fractions import Fraction

import pytest

from monitoring.engine.capacity import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    CapacityInputs,
    CapacityWeights,
    MemberInput,
    age_on,
    capacity_of,
    weights_problem,
)
from monitoring.models import CAPACITY_COMPONENTS

WEIGHTS = CapacityWeights()
ABLE = MemberInput(age=40, labour="ordinary", education="senior")


def component(result, code):
    return next(c for c in result.components if c.code == code)


def test_the_models_name_the_engines_components():
    assert CAPACITY_COMPONENTS == COMPONENTS
    assert sum(DEFAULT_WEIGHTS.values()) == 100


@pytest.mark.parametrize(
    ("members", "value", "reason"),
    [
        ((ABLE, ABLE), Fraction(1), "all_able"),
        ((ABLE, MemberInput(age=40, labour="weak")), Fraction(3, 4), "some_able"),
        ((ABLE, MemberInput(age=40, labour="lost")), Fraction(1, 2), "some_able"),
        ((MemberInput(age=40, labour="lost"),), Fraction(0), "none_able"),
        # Only working-age members count: a child, a grandparent, a student, a member moved out.
        (
            (
                ABLE,
                MemberInput(age=8, labour="none"),
                MemberInput(age=60, labour="weak"),
                MemberInput(age=19, labour="none", schooling="higher"),
                MemberInput(age=30, labour="lost", status="moved_out"),
            ),
            Fraction(1),
            "all_able",
        ),
        ((MemberInput(age=70, labour="weak"),), Fraction(0), "no_working_age"),
        ((), Fraction(0), "no_working_age"),
    ],
)
def test_labour(members, value, reason):
    labour = component(capacity_of(CapacityInputs(members=members), WEIGHTS), "labour")
    assert (labour.value, labour.reason) == (value, reason)


@pytest.mark.parametrize(
    ("educations", "value", "reason"),
    [
        (("college", "vocational"), Fraction(1), "senior_or_above"),
        (("senior", "junior"), Fraction(5, 8), "some_below_senior"),
        (("primary", "illiterate"), Fraction(1, 8), "little_schooling"),
        (("primary",), Fraction(1, 4), "little_schooling"),
    ],
)
def test_skills(educations, value, reason):
    members = tuple(MemberInput(age=30, labour="ordinary", education=e) for e in educations)
    skills = component(capacity_of(CapacityInputs(members=members), WEIGHTS), "skills")
    assert (skills.value, skills.reason) == (value, reason)


@pytest.mark.parametrize(
    ("months", "value", "reason"),
    [
        ((12, 12), Fraction(1), "stable"),
        ((12, 6), Fraction(3, 4), "stable"),
        ((6,), Fraction(1, 2), "unstable"),
        ((0,), Fraction(0), "no_work"),
        ((15,), Fraction(1), "stable"),  # capped at twelve
        ((), None, "not_recorded"),
    ],
)
def test_work_stability(months, value, reason):
    inputs = CapacityInputs(members=(ABLE,), months_worked=months)
    work = component(capacity_of(inputs, WEIGHTS), "work")
    assert (work.value, work.reason) == (value, reason)


@pytest.mark.parametrize(
    ("trainings", "links", "value", "reason"),
    [
        (0, 0, Fraction(0), "none"),
        (1, 0, Fraction(1, 4), "trained"),
        (2, 0, Fraction(1, 2), "trained"),
        (5, 0, Fraction(1, 2), "trained"),
        (0, 1, Fraction(1, 2), "linked"),
        (1, 3, Fraction(3, 4), "trained_and_linked"),
        (2, 1, Fraction(1), "trained_and_linked"),
    ],
)
def test_participation(trainings, links, value, reason):
    inputs = CapacityInputs(members=(ABLE,), trainings=trainings, enterprise_links=links)
    participation = component(capacity_of(inputs, WEIGHTS), "participation")
    assert (participation.value, participation.reason) == (value, reason)


@pytest.mark.parametrize(
    ("commitments", "credit", "kept", "access"),
    [
        (None, None, (None, "not_recorded"), (None, "not_recorded")),
        ((0.5, 4), "overdue", (Fraction(1, 2), "not_kept"), (Fraction(0), "credit_overdue")),
        ((1.0, 2), "good", (Fraction(1), "kept"), (Fraction(1), "credit_good")),
        ((0.8, 5), "none", (Fraction(4, 5), "kept"), (Fraction(1, 2), "credit_none")),
        ((1.0, 0), "unknown", (None, "not_recorded"), (None, "not_recorded")),  # none due
    ],
)
def test_commitments_and_credit(commitments, credit, kept, access):
    result = capacity_of(
        CapacityInputs(members=(ABLE,), commitments=commitments, credit=credit), WEIGHTS
    )
    assert (component(result, "commitments").value, component(result, "commitments").reason) == kept
    assert (component(result, "credit").value, component(result, "credit").reason) == access


def test_everything_known_scores_each_component_by_its_weight():
    inputs = CapacityInputs(
        members=(ABLE, MemberInput(age=35, labour="weak", education="junior")),
        months_worked=(12, 6),
        trainings=1,
        enterprise_links=0,
        commitments=(1.0, 3),
        credit="none",
    )
    result = capacity_of(inputs, WEIGHTS)
    # labour 3/4·25 + skills 5/8·15 + work 3/4·25 + participation 1/4·15 + 1·10 + 1/2·10
    # = 18.75 + 9.375 + 18.75 + 3.75 + 10 + 5 = 65.625
    assert result.score == 66
    assert not result.shared
    assert [c.as_json()["points"] for c in result.components] == [18.8, 9.4, 18.8, 3.8, 10.0, 5.0]
    assert result.working_age == 2


def test_the_weight_of_what_is_not_recorded_is_shared_among_the_rest():
    inputs = CapacityInputs(members=(ABLE,), trainings=2, enterprise_links=1)
    result = capacity_of(inputs, WEIGHTS)
    # Known: labour 1 (25), skills 3/4 (15), participation 1 (15): 55 points of weight, scaled
    # to 100. (25 + 11.25 + 15) / 55 · 100 = 93.18…
    assert result.score == 93
    assert result.shared
    work = component(result, "work")
    assert (work.value, work.share, work.points, work.reason) == (None, 0, 0, "not_recorded")
    assert component(result, "labour").share == Fraction(2500, 55)
    assert sum(c.share for c in result.components) == 100


def test_a_household_with_nobody_of_working_age_scores_on_what_remains():
    elderly = (MemberInput(age=72, labour="none"), MemberInput(age=68, labour="weak"))
    result = capacity_of(CapacityInputs(members=elderly, credit="none"), WEIGHTS)
    assert result.working_age == 0
    assert component(result, "labour").value == 0
    assert component(result, "skills").value is None
    # labour 0 (25), participation 0 (15), credit 1/2 (10): 5 / 50 · 100
    assert result.score == 10


def test_weights_change_the_score():
    inputs = CapacityInputs(members=(ABLE,), months_worked=(0,), trainings=0)
    all_labour = CapacityWeights(
        labour=100, skills=0, work=0, participation=0, commitments=0, credit=0
    )
    no_labour = CapacityWeights(
        labour=0, skills=0, work=50, participation=50, commitments=0, credit=0
    )
    assert capacity_of(inputs, all_labour).score == 100
    assert capacity_of(inputs, no_labour).score == 0


def test_nothing_weighted_is_known_scores_zero():
    weights = CapacityWeights(
        labour=0, skills=0, work=0, participation=0, commitments=50, credit=50
    )
    assert capacity_of(CapacityInputs(members=(ABLE,)), weights).score == 0


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (DEFAULT_WEIGHTS, None),
        ({**DEFAULT_WEIGHTS, "labour": 30}, 105),
        ({**DEFAULT_WEIGHTS, "credit": 0}, 90),
        ({**DEFAULT_WEIGHTS, "credit": -10, "labour": 45}, -1),
        ({**DEFAULT_WEIGHTS, "credit": "10"}, -1),
        ({**DEFAULT_WEIGHTS, "credit": True}, -1),
        ({k: v for k, v in DEFAULT_WEIGHTS.items() if k != "credit"}, -1),
    ],
)
def test_weights_must_be_whole_numbers_summing_to_100(values, problem):
    assert weights_problem(values) == problem


@pytest.mark.parametrize(
    ("born", "age"),
    [
        (datetime.date(2010, 6, 30), 16),
        (datetime.date(2010, 7, 1), 15),
        (datetime.date(1966, 6, 30), 60),
    ],
)
def test_age_on(born, age):
    assert age_on(born, datetime.date(2026, 6, 30)) == age
