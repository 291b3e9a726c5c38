import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from households.models import Household
from monitoring.services.visits import EventInput, visit_record

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 6, 30)
REGISTERED = datetime.datetime(2021, 1, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def pinned_today():
    """Every monitoring test runs on 30 June 2026, 10:00 in Shanghai."""
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield TODAY


@pytest.fixture
def household(household):
    """The shared household, registered back in 2021 so that it can have a visit history."""
    Household.objects.filter(pk=household.pk).update(created_at=REGISTERED)
    household.refresh_from_db()
    return household


@pytest.fixture
def other_township_household(other_township_household):
    Household.objects.filter(pk=other_township_household.pk).update(created_at=REGISTERED)
    other_township_household.refresh_from_db()
    return other_township_household


def visit_figures(**overrides) -> dict:
    """A visit with nothing wrong: 4 people, 48,000 yuan a year, every check passed."""
    figures = {
        "visited_on": TODAY - datetime.timedelta(days=1),
        "household_size": 4,
        "wage_income": Decimal("30000"),
        "business_income": Decimal("12000"),
        "property_income": Decimal("1000"),
        "transfer_income": Decimal("5000"),
        "medical_spending": Decimal("0"),
        "education_spending": Decimal("0"),
        "disaster_loss": Decimal("0"),
        "food_clothing_ok": True,
        "compulsory_education_ok": True,
        "basic_medical_ok": True,
        "safe_housing_ok": True,
        "safe_water_ok": True,
    }
    figures.update(overrides)
    return figures


def poor_figures(**overrides) -> dict:
    """5,000 yuan a person: below the 6,000 line."""
    return visit_figures(
        wage_income=Decimal("12000"),
        business_income=Decimal("5000"),
        property_income=Decimal("0"),
        transfer_income=Decimal("3000"),
        **overrides,
    )


def record(actor, household, *, events=(), client_uuid=None, **overrides):
    visit, _ = visit_record(
        actor=actor,
        household_id=household.pk,
        client_uuid=client_uuid or uuid.uuid4(),
        events=[EventInput(**event) for event in events],
        **visit_figures(**overrides),
    )
    return visit
