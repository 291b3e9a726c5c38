"""A household walked from warning to case, with time pinned and moved by hand.

The clock starts on Monday 2 March 2026, 10:00 in Shanghai, and stands still until a test moves
it, so that every due date and every notice period is exact.
"""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from assistance.models import Case, CaseOrigin, Partner, PartnerKind
from assistance.services import cases as case_services
from households.models import Household
from monitoring.engine.evaluation import evaluate_households
from monitoring.models import Alert
from monitoring.services import alerts as alert_services
from monitoring.services.visits import visit_record
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
REGISTERED = datetime.datetime(2021, 1, 1, 9, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, traveller):
        self._traveller = traveller

    def today(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localdate()

    def advance(self, days: int) -> datetime.date:
        self._traveller.shift(datetime.timedelta(days=days))
        return self.today()

    def set(self, day: datetime.date) -> None:
        self._traveller.move_to(datetime.datetime.combine(day, datetime.time(10), SHANGHAI))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture
def household(household):
    Household.objects.filter(pk=household.pk).update(created_at=REGISTERED)
    household.refresh_from_db()
    return household


def visit(actor, household, *, on: datetime.date, per_person: Decimal, **checks):
    """A visit of the two-person household with the given per-capita income."""
    figures = {
        "food_clothing_ok": True,
        "compulsory_education_ok": True,
        "basic_medical_ok": True,
        "safe_housing_ok": True,
        "safe_water_ok": True,
        **checks,
    }
    recorded, _ = visit_record(
        actor=actor,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        events=[],
        visited_on=on,
        household_size=2,
        wage_income=per_person * 2,
        business_income=Decimal("0"),
        property_income=Decimal("0"),
        transfer_income=Decimal("0"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        **figures,
    )
    return recorded


@pytest.fixture
def confirmed_alert(household, village_worker, township_cadre, clock) -> Alert:
    """A poor visit (2,500 yuan a person), judged at once, verified and confirmed."""
    visit(village_worker, household, on=clock.today(), per_person=Decimal("2500"))
    evaluate_households(Household.objects.filter(pk=household.pk), as_of=clock.today())
    alert = Alert.objects.get(household=household)
    alert = alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    alert = alert_services.alert_verify(
        actor=village_worker, alert=alert, version=alert.version, result="true"
    )
    return alert_services.alert_confirm(actor=township_cadre, alert=alert, version=alert.version)


@pytest.fixture
def case(confirmed_alert, township_cadre) -> Case:
    return case_services.case_propose(
        actor=township_cadre,
        household_id=confirmed_alert.household_id,
        origin=CaseOrigin.ALERT,
        alert_id=confirmed_alert.pk,
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
        responsible_id=township_cadre.pk,
    )


def step(actor, case, kind, decision="approved", **extra) -> Case:
    case.refresh_from_db()
    return case_services.case_step_record(
        actor=actor, case=case, version=case.version, kind=kind, decision=decision, **extra
    )


def walk_identification(case, clock, *, village_worker, township_cadre, county_officer) -> Case:
    """Every identification step passed, each on its own day, within the 15 days."""
    clock.advance(1)
    step(village_worker, case, "consent")
    clock.advance(1)
    step(township_cadre, case, "info_check", info_check_result="consistent")
    clock.advance(1)
    step(village_worker, case, "deliberation", comment="村民代表一致同意")
    case.refresh_from_db()
    starts = clock.advance(1)
    case_services.case_notice_post(
        actor=village_worker,
        case=case,
        version=case.version,
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=4),
    )
    clock.advance(5)
    step(village_worker, case, "notice", objections="")
    clock.advance(1)
    step(township_cadre, case, "township_review")
    clock.advance(1)
    return step(county_officer, case, "county_approval")


@pytest.fixture
def other_partner(db) -> Partner:
    return Partner.objects.create(
        name="景泰县民政局",
        kind=PartnerKind.DEPARTMENT,
        department="civil_affairs",
        area_id=HOME_COUNTY,
        contact_name="王科长",
        contact_phone="0943-5520000",
    )


@pytest.fixture
def township_partner(db) -> Partner:
    return Partner.objects.create(
        name="一条山镇志愿服务队",
        kind=PartnerKind.VOLUNTEER_GROUP,
        area_id=HOME_TOWNSHIP,
        contact_name="赵队长",
        contact_phone="13800001111",
    )


@pytest.fixture
def national_deadlines(db):
    """Only the national profile (15 calendar days): for tests of the national counting, whose
    home county lies in Gansu (working days by its own profile)."""
    from assistance.models import DeadlineProfile

    DeadlineProfile.objects.exclude(region_code="").delete()
