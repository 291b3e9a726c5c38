"""Each layer of the one account at its boundaries: tables of facts, no database."""

import dataclasses
import datetime
from decimal import Decimal as D

import pytest

from monitoring.engine import layers
from monitoring.engine.layers import Standard
from monitoring.engine.rules import Facts

# Dibao 6,000 a person a year, tekun 7,800, the dibao edge at 1.5 times: 9,000.
STANDARD = Standard(dibao=D("6000"), tekun=D("7800"), edge_multiple=D("1.50"), year=2026)


def facts(**changes) -> Facts:
    """Four people well above every line, no spending, nobody on dibao or tekun."""
    base = Facts(
        household_id=1,
        poverty_status="lifted_out",
        last_visit_on=datetime.date(2026, 6, 1),
        per_capita_income=D("12000"),
        total_net_income=D("48000"),
        rigid_spending=D("0"),
        household_size=4,
        active_members=4,
    )
    return dataclasses.replace(base, **changes)


def layer(facts_: Facts, standard: Standard | None = STANDARD) -> str:
    return layers.assess(facts_, standard)[0]


def codes(facts_: Facts, standard: Standard | None = STANDARD) -> list[str]:
    return [reason["code"] for reason in layers.assess(facts_, standard)[1]]


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        (D("5999.99"), "dibao"),
        (D("6000"), "dibao_edge"),  # at the standard is not below it
        (D("8999.99"), "dibao_edge"),
        (D("9000"), "none"),  # at the edge line is not below it
        (D("0"), "dibao"),
        (D("-500"), "dibao"),  # a failed crop: a loss
    ],
)
def test_income_against_the_dibao_standard_and_its_edge(income, expected):
    assert layer(facts(per_capita_income=income, total_net_income=income * 4)) == expected


@pytest.mark.parametrize(
    ("spending", "expected"),
    [
        # 48,000 for four: after spending, under 9,000 a person is left below the edge.
        (D("11999.99"), "none"),  # 9,000.00 left: at the line
        (D("12000.04"), "rigid_spending"),  # 8,999.99 left
        (D("40000"), "rigid_spending"),
    ],
)
def test_rigid_spending_that_leaves_less_than_the_edge_line(spending, expected):
    assert layer(facts(rigid_spending=spending)) == expected


def test_the_reasons_carry_their_figures():
    _, reasons = layers.assess(facts(rigid_spending=D("20000")), STANDARD)
    assert reasons == [
        {
            "code": "rigid_spending",
            "spending": "20000.00",
            "left": "7000.00",
            "line": "9000.00",
            "income": "12000.00",
            "year": 2026,
        }
    ]
    _, below = layers.assess(facts(per_capita_income=D("7000")), STANDARD)
    assert below == [
        {
            "code": "below_edge",
            "line": "9000.00",
            "multiple": "1.50",
            "income": "7000.00",
            "year": 2026,
        }
    ]


def test_tekun_comes_first_then_dibao_whatever_the_income():
    assert layer(facts(tekun_members=1, dibao_members=2)) == "tekun"
    assert codes(facts(tekun_members=1, dibao_members=2)) == ["tekun_member", "dibao_member"]
    assert layer(facts(dibao_members=1)) == "dibao"


def test_a_monitored_household_is_monitored_unless_a_social_assistance_layer_comes_first():
    monitored = facts(monitored=True, monitored_category="unstable")
    assert layer(monitored) == "monitored"
    assert layers.assess(monitored, STANDARD)[1] == [{"code": "monitored", "category": "unstable"}]
    in_dibao = dataclasses.replace(monitored, per_capita_income=D("5000"))
    assert layer(in_dibao) == "dibao"
    assert codes(in_dibao) == ["below_dibao", "monitored"]  # both said, the first decides


def test_without_a_standard_or_a_visit_only_the_members_status_and_monitoring_count():
    poor = facts(per_capita_income=D("100"), total_net_income=D("400"))
    assert layer(poor, None) == "none"
    never_visited = facts(per_capita_income=None, total_net_income=None, rigid_spending=None)
    assert layer(never_visited) == "none"
    assert layer(dataclasses.replace(never_visited, dibao_members=1)) == "dibao"


def test_spending_without_anyone_sharing_the_income_is_not_judged():
    assert layer(facts(rigid_spending=D("40000"), household_size=0)) == "none"


def test_a_standard_with_another_multiple_moves_the_edge():
    twice = dataclasses.replace(STANDARD, edge_multiple=D("2"))
    assert twice.edge_line == D("12000.00")
    assert layer(facts(per_capita_income=D("11000")), twice) == "dibao_edge"
