"""Whether a monitored household's risk may be declared eliminated, explained item by item.

`judge` is pure: it reads what `eligibility_inputs` gathered and the as-of date passed in, so the
rule table can be tested without a database, and the case page, the API and the approval step
all give the same answer with the same reasons. What a verdict says, item by item, and how it
reads is `assistance.eligibility_items` (the case step keeps it, so the model reads it too).
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from assistance.eligibility_items import Item
from assistance.models import Case, MeasureStatus, SocialAssistance
from assistance.selectors import tekun_approved
from households.models import Household
from monitoring.engine import rules
from monitoring.engine.facts import load_facts
from monitoring.engine.policy import Policy

MIN_MONTHS_ENROLLED = 6
# "Stable income for half a year": every visit of the last six months at or above the line, and
# at least this many visits in that span, so that one good visit cannot stand for six months.
# A named constant for now: a county setting of it would need a settings table of assistance's
# own (RuleConfig belongs to the warning engine's rules).
MIN_STABLE_VISITS = 2


@dataclass(frozen=True)
class VisitIncome:
    visited_on: datetime.date
    per_capita_income: Decimal


@dataclass(frozen=True)
class EligibilityInputs:
    enrolled_on: datetime.date | None
    delivered_measures: int
    visits: tuple[VisitIncome, ...]  # visits of the last six months (`income_window`)
    income_line: Decimal | None
    latest_visit_on: datetime.date | None
    failed_checks: tuple[str, ...]  # of the latest visit
    rigid_spending: dict | None  # the rigid-spending rule's evidence, if it still fires
    members_with_labour: int
    # In tekun support (a member's flag, the case's label, or civil affairs' approval): such a
    # household is not eliminated, its measures continue (the 2026 policy).
    tekun: bool = False


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or the month's last day when it has no such day."""
    return _months_shift(day, -months)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    return _months_shift(day, months)


def _months_shift(day: datetime.date, months: int) -> datetime.date:
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(day.day, last_day))


def six_months_complete_on(enrolled_on: datetime.date) -> datetime.date:
    """The day six months of monitoring are complete, counted as the law counts a period of
    months (Civil Code art. 201-202): the enrolment day is not counted, and the period ends on
    the same day of the sixth month after, or on that month's last day when it has no such day
    (enrolled 31 August: complete on 28 February, or the 29th in a leap year). The check passes
    from this day on, so the day it names is the day it passes."""
    return months_after(enrolled_on, MIN_MONTHS_ENROLLED)


def income_window(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of "the last six months" before `as_of`, both included."""
    return months_before(as_of, MIN_MONTHS_ENROLLED) + datetime.timedelta(days=1), as_of


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def judge(inputs: EligibilityInputs, as_of: datetime.date) -> list[Item]:
    enrolled = inputs.enrolled_on
    complete_on = six_months_complete_on(enrolled) if enrolled else None
    line = inputs.income_line
    window_from, window_to = income_window(as_of)
    visits = [v for v in inputs.visits if window_from <= v.visited_on <= window_to]
    below = [v for v in visits if line is not None and v.per_capita_income < line]
    return [
        Item(
            "enrolled_six_months",
            complete_on is not None and as_of >= complete_on,
            {"enrolled_on": _iso(enrolled), "complete_on": _iso(complete_on)},
        ),
        Item(
            "measure_delivered",
            inputs.delivered_measures > 0,
            {"count": inputs.delivered_measures},
        ),
        Item(
            "income_above_line",
            line is not None and len(visits) >= MIN_STABLE_VISITS and not below,
            {
                "line": str(line) if line is not None else None,
                "visits": len(visits),
                "needed": MIN_STABLE_VISITS,
                "since": _iso(window_from),
                "until": _iso(window_to),
                "lowest": str(min(v.per_capita_income for v in visits)) if visits else None,
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
        Item("not_in_tekun", not inputs.tekun, {"tekun": inputs.tekun}),
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
    window_from, window_to = income_window(as_of)
    visits = tuple(
        VisitIncome(visited_on, per_capita)
        for visited_on, per_capita in household.visits.filter(
            visited_on__gte=window_from, visited_on__lte=window_to
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
        tekun=bool(facts.tekun_members)
        or case.social_assistance == SocialAssistance.TEKUN
        or tekun_approved(case),
    )


def case_eligibility(case: Case, as_of: datetime.date) -> list[Item]:
    return judge(eligibility_inputs(case, as_of), as_of)


def is_eligible(items: list[Item]) -> bool:
    return all(item.passed for item in items)
