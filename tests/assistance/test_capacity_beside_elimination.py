"""The elimination check on the case page shows the household's self-development capacity
beside the income test, read through the viewer's scope."""

import datetime

import pytest
from django.urls import reverse

from assistance.models import CaseStatus
from monitoring.models import CapacityReading
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def reading(household, *, score: int) -> CapacityReading:
    return CapacityReading.objects.create(
        household=household,
        measured_on=datetime.date(2026, 2, 28),
        score=score,
        working_age=2,
        components=[
            {
                "code": "work",
                "value": None,
                "weight": 25,
                "share": 0.0,
                "points": 0.0,
                "reason": "not_recorded",
                "details": {},
            },
            {
                "code": "labour",
                "value": 0.75,
                "weight": 25,
                "share": 50.0,
                "points": 37.5,
                "reason": "some_able",
                "details": {"working_age": 2, "able": 2},
            },
        ],
    )


@pytest.fixture
def enrolled(case):
    type(case).objects.filter(pk=case.pk).update(
        status=CaseStatus.ENROLLED, enrolled_on=datetime.date(2025, 8, 1)
    )
    case.refresh_from_db()
    return case


def _section(page: str) -> str:
    return page.split('id="capacity"', 1)[1].split("</div>", 1)[0]


def test_the_case_page_shows_capacity_beside_the_income_test(enrolled, township_cadre):
    reading(enrolled.household, score=47)
    page = client_for(township_cadre).get(reverse("case-detail", args=[enrolled.pk]))
    assert page.status_code == 200
    section = _section(page.content.decode())
    assert "<strong>47</strong> / 100" in section
    assert "稳定就业: 未记录" in section
    assert "劳动能力: 75%" in section
    # The reason says "in part", never which illness or whose.
    assert "部分劳动年龄成员有劳动能力" in section
    assert "不是消除风险的条件" in section


def test_a_household_never_measured_says_so(enrolled, township_cadre):
    page = client_for(township_cadre).get(reverse("case-detail", args=[enrolled.pk]))
    assert "尚未测算" in _section(page.content.decode())


def test_an_outsider_reads_neither_the_case_nor_its_capacity(enrolled, other_township_cadre):
    reading(enrolled.household, score=47)
    page = client_for(other_township_cadre).get(reverse("case-detail", args=[enrolled.pk]))
    assert page.status_code in (403, 404)
