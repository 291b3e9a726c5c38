"""A township's history of cases with known figures (docs/outcomes.md), as of 1 December 2026.

- Case A (the `household` fixture, 张建国's): enrolled 10 March 2025 at 4,000 yuan a person,
  risk eliminated 1 September 2025 at 6,500, 7,000 six months after, 8,200 twelve months after
  (+4,200). An employment measure of 恒达 for both members started 15 April 2025: in July 2025
  the head works and his wife does not; in October 2025 the head works and she has no record.
- Case B: enrolled 5 January 2025 at 3,000, eliminated 1 June 2025, no visit since; the
  household's case C was enrolled again on 1 February 2026: a re-entry.
- Case D: eliminated 1 October 2026, too recent for anything after; its public-welfare post
  started 10 October 2026 (the third month after is January 2027: not yet).
- Case E, in another township (芦阳镇): enrolled 1 February 2025 at 3,500, eliminated 1 July
  2025, 3,300 twelve months after (−200).
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest

from assistance.models import Case, CaseStatus, Measure, MeasureStatus
from households import services as household_services
from livelihoods.models import WorkRecord, WorkSource, WorkStatus
from monitoring.models import Visit
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE
from tests.idgen import make_id_number

TODAY = datetime.date(2026, 12, 1)
D = datetime.date


def add_visit(household, on: datetime.date, per_person: str, actor) -> Visit:
    income = Decimal(per_person)
    return Visit.objects.create(
        household=household,
        visited_on=on,
        visitor=actor,
        client_uuid=uuid.uuid4(),
        wage_income=income * 2,
        business_income=Decimal("0"),
        property_income=Decimal("0"),
        transfer_income=Decimal("0"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        household_size=2,
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
        total_net_income=income * 2,
        per_capita_income=income,
        rigid_spending=Decimal("0"),
    )


def add_case(household, actor, *, enrolled, eliminated=None, status=None) -> Case:
    return Case.objects.create(
        household=household,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="测试",
        status=status or (CaseStatus.ELIMINATED if eliminated else CaseStatus.ENROLLED),
        proposed_by=actor,
        proposed_on=enrolled - datetime.timedelta(days=15),
        enrolled_on=enrolled,
        eliminated_on=eliminated,
    )


def add_measure(case, actor, *, kind, partner=None, members=(), **fields) -> Measure:
    measure = Measure.objects.create(
        case=case,
        kind=kind,
        title=f"{kind} measure",
        partner=partner,
        responsible=actor,
        created_by=actor,
        **fields,
    )
    measure.members.set(members)
    return measure


def work(member, month: datetime.date, status: str, actor) -> WorkRecord:
    return WorkRecord.objects.create(
        household_id=member.household_id,
        member=member,
        month=month,
        status=status,
        source=WorkSource.VISIT,
        recorded_by=actor,
    )


def new_household(actor, village: str, serial: int, birth: str = "19800101"):
    created = household_services.household_create(
        actor=actor, village_code=village, poverty_status="ordinary"
    )
    household_services.member_create(
        actor=actor,
        household_id=created.pk,
        name=f"户主{serial}",
        id_number=make_id_number("620423", birth, serial),
        relation="head",
        labour="ordinary",
        education="junior",
    )
    created.refresh_from_db()
    return created


@dataclass
class History:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case


@pytest.fixture
def history(household, township_cadre, county_officer, partner_org) -> History:
    cadre = township_cadre
    # Case A.
    a = add_case(household, cadre, enrolled=D(2025, 3, 10), eliminated=D(2025, 9, 1))
    add_visit(household, D(2024, 11, 1), "2000", cadre)  # more than 90 days before: not it
    add_visit(household, D(2025, 2, 20), "4000", cadre)
    add_visit(household, D(2025, 8, 20), "6500", cadre)
    add_visit(household, D(2026, 2, 10), "6900", cadre)  # 20 days from 2 March 2026
    add_visit(household, D(2026, 3, 5), "7000", cadre)  # 3 days from it: the 6-month visit
    add_visit(household, D(2026, 9, 10), "8200", cadre)
    head, spouse = household.members.order_by("pk")
    add_measure(
        a,
        cadre,
        kind="employment",
        partner=partner_org,
        members=[head, spouse],
        planned_start=D(2025, 4, 1),
        planned_end=D(2025, 6, 30),
        actual_start=D(2025, 4, 15),
        actual_end=D(2025, 6, 20),
        planned_amount=Decimal("1000.00"),
        delivered_amount=Decimal("900.00"),
        status=MeasureStatus.DELIVERED,
    )
    add_measure(
        a,
        cadre,
        kind="housing",
        partner=partner_org,
        planned_start=D(2025, 5, 1),
        planned_amount=Decimal("500.00"),
    )
    work(head, D(2025, 7, 1), WorkStatus.WORKING, cadre)
    work(spouse, D(2025, 7, 1), WorkStatus.NOT_WORKING, cadre)
    work(head, D(2025, 10, 1), WorkStatus.WORKING, cadre)
    work(spouse, D(2025, 11, 1), WorkStatus.WORKING, cadre)  # not the sixth month

    # Cases B and C: a re-entry.
    second = new_household(cadre, HOME_VILLAGE, 31)
    b = add_case(second, cadre, enrolled=D(2025, 1, 5), eliminated=D(2025, 6, 1))
    add_visit(second, D(2024, 12, 20), "3000", cadre)
    add_measure(
        b,
        cadre,
        kind="health",
        planned_start=D(2025, 1, 10),
        planned_end=D(2025, 3, 1),
        actual_start=D(2025, 1, 10),
        actual_end=D(2025, 3, 10),
        status=MeasureStatus.DELIVERED,
    )
    c = add_case(second, cadre, enrolled=D(2026, 2, 1))

    # Case D: too recent.
    third = new_household(cadre, HOME_VILLAGE, 32)
    d = add_case(third, cadre, enrolled=D(2026, 4, 1), eliminated=D(2026, 10, 1))
    add_measure(
        d,
        cadre,
        kind="public_post",
        members=[third.members.get()],
        planned_start=D(2026, 10, 10),
        actual_start=D(2026, 10, 10),
        status=MeasureStatus.IN_PROGRESS,
    )

    # Case E, in the other township.
    fourth = new_household(county_officer, OTHER_TOWNSHIP_VILLAGE, 33)
    e = add_case(fourth, county_officer, enrolled=D(2025, 2, 1), eliminated=D(2025, 7, 1))
    add_visit(fourth, D(2025, 1, 15), "3500", county_officer)
    add_visit(fourth, D(2026, 7, 20), "3300", county_officer)
    return History(a, b, c, d, e)
