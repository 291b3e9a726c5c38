"""What the household's card (明白卡) says: only what the household already knows, and nothing
that a visitor reading it on the household's wall could use to rebuild what the registry masks.

Kept off it: ID numbers (whole or masked), phones, bank accounts, birth dates and ages, and
health: a health goal is shown by its area only, without its words or its commitments, and a
health measure by its kind only, without its title (which may name an illness)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from assistance.models import Measure, MeasureKind, MeasureStatus
from development.models import DevelopmentPlan, GoalArea, Party, PlanStatus
from development.selectors.plans import with_contents
from households.models import Household
from livelihoods.models import MicroLoan, WelfarePost
from livelihoods.models.credit import OPEN_STATUSES
from pairings.selectors import open_pairing_of

HOTLINE = "12317"


@dataclass(frozen=True)
class CardMeasure:
    kind: str
    title: str
    amount: Decimal | None
    in_kind: str
    ends_on: datetime.date | None


@dataclass(frozen=True)
class CardGoal:
    area: str
    description: str  # "" for a health goal
    target: str
    target_date: datetime.date | None
    household: list[str] = field(default_factory=list)
    assistance: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Card:
    head_name: str
    township: str
    village: str
    village_code: str
    cadre_name: str
    cadre_since: datetime.date | None
    measures: list[CardMeasure]
    plan_agreed_on: datetime.date | None
    next_review_due: datetime.date | None
    goals: list[CardGoal]
    hotline: str = HOTLINE


def measures_received(household: Household, today: datetime.date):
    """The measures of the household's cases that it receives now: in progress, or delivered
    and running on after the case (a loan, a post, schooling aid) until their end date."""
    running_on = Q(continues_after_case=True, status=MeasureStatus.DELIVERED) & (
        Q(planned_end__isnull=True) | Q(planned_end__gte=today)
    )
    return (
        Measure.objects.filter(case__household=household)
        .filter(Q(status=MeasureStatus.IN_PROGRESS) | running_on)
        .order_by("planned_end", "id")
    )


def _card_measure(measure: Measure) -> CardMeasure:
    health = measure.kind == MeasureKind.HEALTH
    return CardMeasure(
        kind=measure.get_kind_display(),
        title="" if health else measure.title,
        amount=measure.delivered_amount
        if measure.delivered_amount is not None
        else measure.planned_amount,
        in_kind="" if health else measure.in_kind,
        ends_on=measure.planned_end,
    )


def livelihood_measures(
    household: Household, today: datetime.date, *, shown: set[int]
) -> list[CardMeasure]:
    """Loans still being repaid and welfare posts still held, recorded in livelihoods without a
    measure among those `shown`: the household receives them as much as a case's measures. A
    loan by its bank, principal and maturity; a post by its title and monthly pay."""
    loans = MicroLoan.objects.filter(household=household, status__in=OPEN_STATUSES).order_by(
        "matures_on", "id"
    )
    posts = WelfarePost.objects.filter(
        household=household, starts_on__lte=today, ends_on__gte=today
    ).order_by("ends_on", "id")
    found = [
        CardMeasure(
            kind=str(MeasureKind.MICRO_CREDIT.label),
            title=loan.lender,
            amount=loan.principal,
            in_kind="",
            ends_on=loan.matures_on,
        )
        for loan in loans
        if loan.measure_id not in shown
    ]
    found += [
        CardMeasure(
            kind=str(MeasureKind.PUBLIC_POST.label),
            title=post.title,
            amount=None,
            in_kind=_("%(pay)s yuan a month") % {"pay": post.monthly_pay},
            ends_on=post.ends_on,
        )
        for post in posts
        if post.measure_id not in shown
    ]
    return found


def _card_goals(plan: DevelopmentPlan | None) -> list[CardGoal]:
    if plan is None:
        return []
    commitments = list(plan.commitments.all())
    goals = []
    for goal in plan.goals.all():
        health = goal.area == GoalArea.HEALTH
        mine = [c for c in commitments if c.goal_id == goal.pk]
        goals.append(
            CardGoal(
                area=goal.get_area_display(),
                description="" if health else goal.description,
                target="" if health else goal.target,
                target_date=goal.target_date,
                household=[]
                if health
                else [c.description for c in mine if c.party == Party.HOUSEHOLD],
                assistance=[]
                if health
                else [c.description for c in mine if c.party == Party.ASSISTANCE],
            )
        )
    return goals


def household_card(household: Household, today: datetime.date) -> Card:
    """The card of a household the caller has already found in the viewer's scope."""
    pairing = open_pairing_of(household)
    plan = with_contents(household.development_plans.filter(status=PlanStatus.AGREED)).first()
    village = household.village
    received = list(measures_received(household, today))
    measures = [_card_measure(m) for m in received]
    measures += livelihood_measures(household, today, shown={m.pk for m in received})
    return Card(
        head_name=household.head_name,
        township=village.parent.short_name if village.parent is not None else "",
        village=village.short_name,
        village_code=village.code,
        cadre_name=pairing.cadre.display_name if pairing else "",
        cadre_since=pairing.started_on if pairing else None,
        measures=measures,
        plan_agreed_on=plan.agreed_on if plan else None,
        next_review_due=plan.next_review_due if plan else None,
        goals=_card_goals(plan),
    )
