import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Case
from households import services
from households.models import Household
from monitoring.models import Alert, AlertStatus, IncomeLine, Visit
from tests.conftest import HOME_VILLAGE

TODAY = datetime.date(2026, 6, 30)
REGISTERED = datetime.datetime(2025, 1, 1, 1, 0, tzinfo=datetime.UTC)


def make_household(actor, village=HOME_VILLAGE) -> Household:
    created = services.household_create(
        actor=actor, village_code=village, poverty_status="lifted_out", poverty_exit_year=2019
    )
    Household.objects.filter(pk=created.pk).update(created_at=REGISTERED)
    return created


def visit(actor, household, on: datetime.date, *, income: int) -> Visit:
    """A visit of 4 people with a yearly net income of `income` (per person: income / 4)."""
    total = Decimal(income)
    return Visit.objects.create(
        household=household,
        visited_on=on,
        visitor=actor,
        client_uuid=uuid.uuid4(),
        wage_income=total,
        business_income=0,
        property_income=0,
        transfer_income=0,
        medical_spending=0,
        education_spending=0,
        disaster_loss=0,
        household_size=4,
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
        total_net_income=total,
        per_capita_income=total / 4,
        rigid_spending=0,
    )


def enrol(actor, household, on: datetime.date) -> Case:
    return Case.objects.create(
        household=household,
        origin="alert",
        category="unstable",
        risk_types=["income"],
        situation="—",
        status="enrolled",
        proposed_by=actor,
        proposed_on=on - datetime.timedelta(days=10),
        enrolled_on=on,
    )


def dismissed_alert(household, on: datetime.date) -> Alert:
    opened = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
    return Alert.objects.create(
        household=household,
        status=AlertStatus.DISMISSED,
        source="rules",
        level="high",
        opened_at=opened - datetime.timedelta(days=5),
        closed_at=opened,
    )


GOOD, POOR = 48000, 20000  # 12,000 and 5,000 yuan a person; the line is 6,000


@pytest.fixture
def history(township_cadre):
    """Six households of the home village over a period of eight month-ends (July 2025 to
    February 2026), with a known answer:

    - h1: a poor visit on 10 September 2025, enrolled on 30 November: flagged at the end of
      September and October, a hit 61 days ahead;
    - h2: never poor, enrolled on 15 December: a miss;
    - h3: poor from 5 October, a warning dismissed on 10 November, never enrolled: a false alarm;
    - h4: poor only on 5 March 2026, after the period: never flagged in it;
    - h5: nothing happens;
    - h6: enrolled in May 2025, before the period: left out.
    """
    actor = township_cadre
    # The national floor (a migration's row; written here too, so that a flush by a committed
    # test before this one cannot take it away).
    IncomeLine.objects.get_or_create(region=None, year=2021, defaults={"amount": Decimal(6000)})
    h = {name: make_household(actor) for name in ("h1", "h2", "h3", "h4", "h5", "h6")}
    for household in h.values():
        visit(actor, household, datetime.date(2025, 6, 15), income=GOOD)
    visit(actor, h["h1"], datetime.date(2025, 9, 10), income=POOR)
    enrol(actor, h["h1"], datetime.date(2025, 11, 30))
    enrol(actor, h["h2"], datetime.date(2025, 12, 15))
    visit(actor, h["h3"], datetime.date(2025, 10, 5), income=POOR)
    dismissed_alert(h["h3"], datetime.date(2025, 11, 10))
    visit(actor, h["h4"], datetime.date(2026, 3, 5), income=POOR)
    visit(actor, h["h6"], datetime.date(2025, 4, 1), income=POOR)
    enrol(actor, h["h6"], datetime.date(2025, 5, 1))
    return h
