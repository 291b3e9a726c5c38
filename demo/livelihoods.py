"""The demo county's livelihoods: a year of monthly work for most working-age members of the
monitored households, some public-welfare posts with their pay (one ending within the month, so
the task list shows it), links with the 恒达 enterprise (the demo partner's own) and a cooperative
with what they paid, a subsidy, and a few prevention insurance claims.

Written through the services, as the county officer entering them would."""

import datetime
import random
from decimal import Decimal

from django.db.models import Case, Q, When
from django.utils import timezone

from accounts.models import User
from assistance.models import Partner
from households.models import Household
from livelihoods.models import WorkRecord
from livelihoods.selectors.common import add_months, first_of_month, of_working_age
from livelihoods.selectors.work import working_age_members
from livelihoods.services import industry, insurance, posts, work

# How a member's year goes: (share of months working, place, sector, employer, income band).
PROFILES = [
    (0.75, "outside", "construction", "新疆昌吉建筑工地", "3000_5000"),
    (0.9, "province", "manufacturing", "兰州新区电子厂", "3000_5000"),
    (1.0, "village", "farming", "", "lt1000"),
    (0.5, "county", "services", "景泰县城餐馆", "1000_3000"),
    (0.0, "", "", "", ""),
]
POSTS = [
    ("村道保洁员", "村委会", Decimal("500")),
    ("生态护林员", "景泰县林业和草原局", Decimal("800")),
    ("孤寡老人看护员", "村委会", Decimal("600")),
]
COOPERATIVE = ("景泰县水源枸杞种植专业合作社", "cooperative", "赵社长", "0943-5520088")


def _year(member, profile, months: list[datetime.date], rng) -> list[work.WorkEntry]:
    share, place, sector, employer, band = profile
    entries = []
    for month in months:
        if not of_working_age(member.birth_date, month):
            continue
        if share and rng.random() < share:
            values = {
                "status": "working",
                "place": place,
                "sector": sector,
                "employer": employer,
                "income_band": band,
            }
        else:
            idle = rng.choice(["seeking", "not_working", "unable"]) if share == 0 else "seeking"
            values = {"status": idle}
        entries.append(work.WorkEntry(row=0, member_id=member.pk, month=month, **values))
    return entries


def seed_livelihoods(users: dict[str, User]) -> dict[str, int]:
    if WorkRecord.objects.exists():
        return {"work_records": WorkRecord.objects.count()}
    rng = random.Random(20)
    actor = users["county"]
    today = timezone.localdate()
    this_month = first_of_month(today)
    months = [add_months(this_month, offset) for offset in range(-11, 0)]
    # The monitored, lifted-out and assisted households, the village worker's own first.
    households = list(
        Household.objects.filter(village__code__startswith="620423")
        .filter(Q(is_monitored=True) | Q(poverty_status="lifted_out") | Q(cases__isnull=False))
        .distinct()
        .order_by(
            Case(When(village_id=users["village"].region_id, then=0), default=1),
            "-is_monitored",
            "-risk_score",
            "id",
        )[:60]
    )
    entries = []
    for household in households:
        for member in working_age_members(household, today):
            if rng.random() < 0.85:
                entries += _year(member, rng.choice(PROFILES), months, rng)
    # As a department's file is imported: one batch (a year of 60 households' work is far
    # below a file's limit), all of it or none.
    records, _unchanged = work.work_records_save_many(actor=actor, entries=entries)
    post_count = 0
    for index, household in enumerate(households[:9]):
        members = working_age_members(household, today) or list(household.members.all()[:1])
        if not members:
            continue
        title, employer, pay = POSTS[index % len(POSTS)]
        # The first ends within the month: the task list shows it to the township and county.
        ends_on = today + datetime.timedelta(days=12) if index == 0 else None
        starts_on = add_months(this_month, -(index % 10) - 2)
        post = posts.post_create(
            actor=actor,
            household_id=household.pk,
            member_id=members[-1].pk,
            title=title,
            employer=employer,
            monthly_pay=pay,
            starts_on=starts_on,
            ends_on=ends_on or starts_on + datetime.timedelta(days=364),
        )
        post_count += 1
        month = starts_on
        while month < this_month and month <= post.ends_on:
            posts.post_payment_record(
                actor=actor,
                post=post,
                month=month,
                amount=pay,
                paid_on=min(add_months(month, 1) + datetime.timedelta(days=9), today),
            )
            month = add_months(month, 1)
    enterprise = Partner.objects.filter(name="景泰县恒达农业有限公司").first()
    name, kind, contact, phone = COOPERATIVE
    cooperative, _ = Partner.objects.get_or_create(
        name=name,
        area_id="620423000000",
        defaults={"kind": kind, "contact_name": contact, "contact_phone": phone},
    )
    links = 0
    for index, household in enumerate(households[9:17]):
        partner = enterprise if index % 2 == 0 and enterprise else cooperative
        link_kind = ["wages", "dividends", "land_rent", "purchase"][index % 4]
        starts_on = add_months(this_month, -8)
        support = industry.support_create(
            actor=actor,
            household_id=household.pk,
            kind=link_kind,
            partner_id=partner.pk,
            amount=Decimal("3600") if link_kind == "wages" else Decimal("800"),
            starts_on=starts_on,
        )
        links += 1
        for back in (6, 3, 1):
            industry.industry_payment_record(
                actor=actor,
                support=support,
                paid_on=add_months(this_month, -back) + datetime.timedelta(days=14),
                amount=Decimal("1200") if link_kind == "wages" else Decimal("300"),
            )
    for household in households[17:19]:
        industry.support_create(
            actor=actor,
            household_id=household.pk,
            kind="subsidy",
            amount=Decimal("3000"),
            starts_on=add_months(this_month, -4),
            note="养殖产业奖补",
        )
    claims = 0
    for index, household in enumerate(households[19:23]):
        claim, _ = insurance.claim_create(
            actor=actor,
            household_id=household.pk,
            insurer="中国人民财产保险景泰支公司",
            cause=["illness", "disaster", "accident", "income_drop"][index],
            claimed_on=today - datetime.timedelta(days=60 - index * 10),
            amount_claimed=Decimal("8000") - index * 1000,
        )
        claims += 1
        if index == 0:
            insurance.claim_decide(
                actor=actor,
                claim=claim,
                version=claim.version,
                status="paid",
                decided_on=today - datetime.timedelta(days=20),
                amount_paid=Decimal("6000"),
            )
        elif index == 1:
            insurance.claim_decide(
                actor=actor,
                claim=claim,
                version=claim.version,
                status="refused",
                decided_on=today - datetime.timedelta(days=15),
            )
    _continuing_measure(users, today)
    return {
        "work_records": records,
        "posts": post_count,
        "links": links,
        "claims": claims,
    }


def _continuing_measure(users: dict[str, User], today: datetime.date) -> None:
    """Schooling aid to the end of the stage: a measure that runs on after its case (延续性帮扶)."""
    from assistance.models import Case as AssistanceCase
    from assistance.services.measures import MeasurePlan, measure_create

    case = next((c for c in AssistanceCase.objects.order_by("id") if c.is_open), None)
    if case is None:
        return
    measure_create(
        actor=users["township"],
        case=case,
        plan=MeasurePlan(
            kind="education",
            title="雨露计划中职教育补助（至毕业）",
            responsible_id=users["township"].pk,
            planned_start=today - datetime.timedelta(days=60),
            planned_end=datetime.date(today.year + 2, 7, 1),
            planned_amount=Decimal("3000"),
            continues_after_case=True,
        ),
    )
