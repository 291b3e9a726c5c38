"""Whether a monitored household's risk may be declared eliminated, explained item by item.

`judge` is pure: it reads what `eligibility_inputs` gathered and the as-of date passed in, so the
rule table can be tested without a database, and the case page, the API and the approval step
all give the same answer with the same reasons. What a verdict says, item by item, and how it
reads is `assistance.eligibility_items` (the case step keeps it, so the model reads it too).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from assistance.eligibility_items import Item
from assistance.models import Case, MeasureStatus
from households.models import Household
from monitoring.engine import rules
from monitoring.engine.facts import load_facts
from monitoring.engine.policy import Policy

MIN_MONTHS_ENROLLED = 6


@dataclass(frozen=True)
class VisitIncome:
    visited_on: datetime.date
    per_capita_income: Decimal


@dataclass(frozen=True)
class EligibilityInputs:
    enrolled_on: datetime.date | None
    delivered_measures: int
    visits: tuple[VisitIncome, ...]  # visits of the last six months
    income_line: Decimal | None
    latest_visit_on: datetime.date | None
    failed_checks: tuple[str, ...]  # of the latest visit
    rigid_spending: dict | None  # the rigid-spending rule's evidence, if it still fires
    members_with_labour: int


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or the month's last day when it has no such day."""
    return _months_shift(day, -months)


def months_after(day: datetime.date, months: int) -> datetime.date:
    return _months_shift(day, months)


def _months_shift(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def judge(inputs: EligibilityInputs, as_of: datetime.date) -> list[Item]:
    six_months_ago = months_before(as_of, MIN_MONTHS_ENROLLED)
    enrolled = inputs.enrolled_on
    line = inputs.income_line
    below = [v for v in inputs.visits if line is not None and v.per_capita_income < line]
    return [
        Item(
            "enrolled_six_months",
            enrolled is not None and enrolled <= six_months_ago,
            {
                "enrolled_on": _iso(enrolled),
                "complete_on": _iso(months_after(enrolled, MIN_MONTHS_ENROLLED))
                if enrolled
                else None,
            },
        ),
        Item(
            "measure_delivered",
            inputs.delivered_measures > 0,
            {"count": inputs.delivered_measures},
        ),
        Item(
            "income_above_line",
            line is not None and bool(inputs.visits) and not below,
            {
                "line": str(line) if line is not None else None,
                "visits": len(inputs.visits),
                "lowest": str(min(v.per_capita_income for v in inputs.visits))
                if inputs.visits
                else None,
                "below": [[_iso(v.visited_on), str(v.per_capita_income)] for v in below],
            },
        ),
        Item(
            "guarantees_met",
            inputs.latest_visit_on is not None and not inputs.failed_checks,
            {
                "latest_visit_on": _iso(inputs.latest_visit_on),
                "failed_checks": list(inputs.failed_checks),
            },
        ),
        Item(
            "rigid_spending_resolved",
            inputs.rigid_spending is None,
            {
                "spending": (inputs.rigid_spending or {}).get("rigid_spending"),
                "after": (inputs.rigid_spending or {}).get("per_capita_after_spending"),
            },
        ),
        # A household with no labour at all cannot stand on its own income: it stays under the
        # social-security safety net rather than leaving monitoring.
        Item(
            "has_labour",
            inputs.members_with_labour > 0,
            {"count": inputs.members_with_labour},
        ),
    ]


def eligibility_inputs(case: Case, as_of: datetime.date) -> EligibilityInputs:
    policy = Policy()
    household = case.household
    loaded = load_facts(
        Household.objects.filter(pk=household.pk), as_of=as_of, policy=policy, lock=False
    )
    facts = loaded[0][1]
    rigid = rules.RULES_BY_CODE["rigid_spending"]
    params = policy.rule_settings(household.village_id)["rigid_spending"].params
    visits = tuple(
        VisitIncome(visited_on, per_capita)
        for visited_on, per_capita in household.visits.filter(
            visited_on__gt=months_before(as_of, MIN_MONTHS_ENROLLED), visited_on__lte=as_of
        )
        .order_by("visited_on")
        .values_list("visited_on", "per_capita_income")
    )
    return EligibilityInputs(
        enrolled_on=case.enrolled_on,
        delivered_measures=case.measures.filter(status=MeasureStatus.DELIVERED).count(),
        visits=visits,
        income_line=facts.income_line,
        latest_visit_on=facts.last_visit_on,
        failed_checks=facts.failed_checks,
        rigid_spending=rigid.check(facts, as_of, params),
        members_with_labour=facts.members_with_labour,
    )


def case_eligibility(case: Case, as_of: datetime.date) -> list[Item]:
    return judge(eligibility_inputs(case, as_of), as_of)


def is_eligible(items: list[Item]) -> bool:
    return all(item.passed for item in items)
