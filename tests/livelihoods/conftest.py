import datetime

import pytest
from django.utils import timezone

from households import services as household_services
from tests.conftest import day_held_fixture
from tests.idgen import make_id_number

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)

# TODAY and THIS_MONTH are taken at collection (tests.conftest.day_held).
_day_held = day_held_fixture(TODAY)


def months_ago(count: int) -> datetime.date:
    index = THIS_MONTH.year * 12 + THIS_MONTH.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def head(household):
    return household.members.get(relation="head")


@pytest.fixture
def spouse(household):
    return household.members.get(relation="spouse")


@pytest.fixture
def child(household, township_cadre):
    """A ten-year-old: not of working age."""
    born = TODAY.replace(year=TODAY.year - 10, day=1).strftime("%Y%m%d")
    return household_services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="张小明",
        id_number=make_id_number("620423", born, 7),
        relation="child",
        labour="none",
        education="primary",
    )


@pytest.fixture
def cooperative(db):
    from assistance.models import Partner, PartnerKind

    return Partner.objects.create(
        name="水源村种植专业合作社",
        kind=PartnerKind.COOPERATIVE,
        area_id="620423000000",
        contact_name="赵社长",
        contact_phone="0943-5520000",
    )
