"""The demo county's history of assistance outcomes (帮扶成效): cases whose risk was eliminated 6 to
18 months ago, with visits at enrolment, at elimination, 6 and 12 months after (incomes rising for
most, falling for a few), two households back under monitoring within the year, and job measures
whose members' work is recorded 3 and 6 months after they started.

Written as the records those months would have left (no service can act in the past), as
demo/assistance.py writes its older case.
"""

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assistance import steps
from assistance.models import (
    CATEGORY_FOR_STATUS,
    Case,
    CaseStatus,
    CaseStep,
    Decision,
    Measure,
    MeasureStatus,
    Partner,
    Phase,
)
from households.models import Household
from livelihoods.models import WorkRecord, WorkSource, WorkStatus
from monitoring.models import Visit

COUNTY_PREFIX = "620423"
CASES = 14
# Households (by their place in the list) whose income falls after the elimination, and those
# whose household comes back under monitoring within the year.
FALLING = {4, 9}
REENTERING = {3, 10}
# Job measures: the members' work in the 3rd and 6th months after the start, by case; a member
# missing from the tuple has no record that month.
JOB_PARTNERS = ("景泰县恒达农业有限公司", "白银市国投物流有限公司", "景泰县人力资源和社会保障局")
OTHER_PARTNERS = ("景泰县医疗保障局", "景泰县慈善协会", "景泰县民政局")


def _day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_current_timezone())


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def _visit(household: Household, on: datetime.date, per_person: Decimal, visitor: User) -> None:
    size = max(household.income_sharers, 1)
    total = per_person * size
    Visit.objects.create(
        household=household,
        visited_on=on,
        visitor=visitor,
        client_uuid=uuid.uuid4(),
        wage_income=total * Decimal("0.6"),
        business_income=total * Decimal("0.3"),
        property_income=Decimal("0"),
        transfer_income=total * Decimal("0.1"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        household_size=size,
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
        notes="",
        total_net_income=total,
        per_capita_income=per_person,
        rigid_spending=Decimal("0"),
    )


def _steps(case: Case, phase: str, proposed: datetime.date, users: dict[str, User], round_=0):
    takers = {"village_step": "village", "township": "township", "county": "county"}
    rules = steps.PHASE_STEPS[phase]
    rows = []
    for position, rule in enumerate(rules):
        if rule.permission == "assistance.approve_case":
            actor = users[takers["county"]]
        elif rule.permission in ("assistance.review_case", "assistance.check_case_information"):
            actor = users[takers["township"]]
        else:
            actor = users[takers["village_step"]]
        row = CaseStep(
            case=case,
            phase=phase,
            round=round_,
            position=position,
            kind=rule.kind,
            due_on=steps.due_on(proposed, rule),
            decision=Decision.APPROVED,
            actor=actor,
            decided_at=_day(proposed + datetime.timedelta(days=min(rule.day, 12))),
        )
        if rule.kind == "info_check":
            row.info_check_result = "consistent"
        if rule.kind == "notice":
            row.notice_starts_on = proposed + datetime.timedelta(days=7)
            row.notice_ends_on = proposed + datetime.timedelta(days=11)
            row.notice_posted_by = users["village"]
        rows.append(row)
    CaseStep.objects.bulk_create(rows)


def _case(household, users, *, enrolled_on, eliminated_on=None, risk_types=("illness",)) -> Case:
    proposed = enrolled_on - datetime.timedelta(days=12)
    case = Case.objects.create(
        household=household,
        origin="cadre",
        category=CATEGORY_FOR_STATUS[household.poverty_status],
        risk_types=list(risk_types),
        situation="家庭收入下降，经核实纳入监测",
        status=CaseStatus.ELIMINATED if eliminated_on else CaseStatus.ENROLLED,
        proposed_by=users["village"],
        proposed_on=proposed,
        responsible=users["township"],
        enrolled_on=enrolled_on,
        eliminated_on=eliminated_on,
        closed_on=eliminated_on,
        elimination_round=1 if eliminated_on else 0,
    )
    _steps(case, Phase.IDENTIFICATION, proposed, users)
    if eliminated_on:
        _steps(
            case,
            Phase.ELIMINATION,
            eliminated_on - datetime.timedelta(days=12),
            users,
            round_=1,
        )
    return case


def _work(member, month: datetime.date, status: str, users) -> None:
    WorkRecord.objects.get_or_create(
        member=member,
        month=month,
        defaults={
            "household_id": member.household_id,
            "status": status,
            "source": WorkSource.VISIT,
            "recorded_by": users["village"],
        },
    )


@transaction.atomic
def seed_outcomes(users: dict[str, User]) -> int:
    """Cases eliminated 6 to 18 months ago in households without a case yet; their number."""
    today = timezone.localdate()
    if Case.objects.filter(eliminated_on__isnull=False).exists():
        return 0
    partners = {partner.name: partner for partner in Partner.objects.all()}
    candidates = list(
        Household.objects.filter(
            village__code__startswith=COUNTY_PREFIX, cases__isnull=True, member_count__gte=2
        ).order_by("id")
    )
    if not candidates:
        return 0
    step = max(len(candidates) // CASES, 1)
    chosen = candidates[::step][:CASES]
    visitor = users["village"]
    made = 0
    for index, household in enumerate(chosen):
        months = 6 + index * 12 // max(len(chosen) - 1, 1)  # 6 to 18 months ago
        eliminated_on = today - datetime.timedelta(days=30 * months)
        enrolled_on = eliminated_on - datetime.timedelta(days=210 + 5 * index)
        case = _case(household, users, enrolled_on=enrolled_on, eliminated_on=eliminated_on)
        made += 1

        # Incomes a person: below the line at enrolment, above it at elimination, then rising
        # (or falling for a few).
        start = Decimal(5200 + 150 * index)
        at_elimination = start + Decimal(2300)
        step_after = Decimal(-900) if index in FALLING else Decimal(450 + 40 * index)
        _visit(household, enrolled_on - datetime.timedelta(days=20), start, visitor)
        _visit(household, eliminated_on - datetime.timedelta(days=8), at_elimination, visitor)
        latest = eliminated_on - datetime.timedelta(days=8)
        latest_income = at_elimination
        for days, times in ((182, 1), (365, 2)):
            day = eliminated_on + datetime.timedelta(days=days + index % 7)
            if day <= today and not (index == 7 and days == 365):  # one 12-month visit missed
                latest_income = at_elimination + step_after * times
                _visit(household, day, latest_income, visitor)
                latest = day
        if household.last_visit_on is None or latest > household.last_visit_on:
            Household.objects.filter(pk=household.pk).update(
                last_visit_on=latest, per_capita_income=latest_income
            )
        Household.objects.filter(pk=household.pk).update(risk_eliminated_on=eliminated_on)

        # Measures: a job for every other case, and a health or social one for each.
        measure_start = enrolled_on + datetime.timedelta(days=10)
        other = partners.get(OTHER_PARTNERS[index % len(OTHER_PARTNERS)])
        late = index % 4 == 0
        Measure.objects.create(
            case=case,
            kind="health" if index % 3 else "social_help",
            title="大病医疗救助" if index % 3 else "临时救助金",
            partner=other,
            responsible=users["township"],
            planned_start=measure_start,
            planned_end=measure_start + datetime.timedelta(days=60),
            actual_start=measure_start,
            actual_end=measure_start + datetime.timedelta(days=75 if late else 50),
            planned_amount=Decimal(3000 + 200 * index),
            delivered_amount=Decimal(2800 + 200 * index),
            status=MeasureStatus.DELIVERED,
            result="费用已报销，自付部分明显下降",
            created_by=users["township"],
        )
        if index % 5 == 2:
            Measure.objects.create(
                case=case,
                kind="industry",
                title="庭院养殖奖补",
                partner=partners.get("景泰县恒达农业有限公司"),
                responsible=users["township"],
                planned_start=measure_start,
                planned_end=measure_start + datetime.timedelta(days=90),
                planned_amount=Decimal(2000),
                status=MeasureStatus.STOPPED,
                result="农户改为外出务工",
                created_by=users["township"],
            )
        if index % 2 == 0:
            members = list(household.members.order_by("pk")[:2])
            job = Measure.objects.create(
                case=case,
                kind="public_post" if index % 4 == 2 else "employment",
                title="村级公益岗位" if index % 4 == 2 else "枸杞基地季节工",
                partner=partners.get(JOB_PARTNERS[index % len(JOB_PARTNERS)]),
                responsible=users["township"],
                planned_start=measure_start,
                planned_end=measure_start + datetime.timedelta(days=120),
                actual_start=measure_start,
                actual_end=measure_start + datetime.timedelta(days=115),
                planned_amount=Decimal(1500),
                delivered_amount=Decimal(1500),
                status=MeasureStatus.DELIVERED,
                result="稳定就业",
                created_by=users["township"],
                continues_after_case=True,
            )
            job.members.set(members)
            for months_after in (3, 6):
                month = _months_later(measure_start, months_after)
                for number, member in enumerate(members):
                    if number == 1 and index % 6 == 0:
                        continue  # no record that month: "not recorded"
                    working = not (number == 1 and index % 4 == 2 and months_after == 6)
                    status = WorkStatus.WORKING if working else WorkStatus.NOT_WORKING
                    _work(member, month, status, users)

        # Two households come back under monitoring within the year.
        if index in REENTERING:
            again = eliminated_on + datetime.timedelta(days=120)
            if again <= today:
                _case(household, users, enrolled_on=again, risk_types=("unstable_work",))
                Household.objects.filter(pk=household.pk).update(
                    is_monitored=True,
                    monitored_category=CATEGORY_FOR_STATUS[household.poverty_status],
                    has_open_case=True,
                    risk_eliminated_on=None,
                )
                made += 1
    return made
