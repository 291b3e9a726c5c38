from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("zh-hans", Decimal("7600"), "7,600.00 元"),
        ("zh-hans", 1234567.5, "1,234,567.50 元"),
        ("zh-hans", 0, "0.00 元"),
        ("zh-hans", Decimal("-12.345"), "-12.35 元"),
        ("en", Decimal("7600"), "¥7,600.00"),
        ("zh-hans", None, "—"),
        ("zh-hans", "", "—"),
        ("zh-hans", "not a number", "—"),
    ],
)
def test_money_reads_as_people_write_it(language, value, expected):
    with translation.override(language):
        assert render("{{ value|money }}", value=value) == expected


def test_money_places():
    with translation.override("zh-hans"):
        assert render("{{ value|money:0 }}", value=Decimal("7600.4")) == "7,600 元"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.125, "12.5%"), (Decimal("1"), "100.0%"), (0, "0.0%"), (None, "—")],
)
def test_ratios_read_as_percentages(value, expected):
    with translation.override("zh-hans"):
        assert render("{{ value|percent }}", value=value) == expected


def test_percent_places():
    assert render("{{ value|percent:0 }}", value=0.333) == "33%"
