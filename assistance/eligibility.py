"""Whether a monitored household's risk may be declared eliminated, explained item by item.

`judge` is pure: it reads what `eligibility_inputs` gathered and the as-of date passed in, so the
rule table can be tested without a database, and the case page, the API and the approval step
all give the same answer with the same reasons.
"""

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assistance.models import Case, MeasureStatus
from households.models import Household
from monitoring import rules
from monitoring.facts import load_facts
from monitoring.labels import CHECK_LABELS
from monitoring.policy import Policy

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


@dataclass(frozen=True)
class Item:
    code: str
    passed: bool
    label: str
    detail: str

    def as_json(self) -> dict:
        return asdict(self)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or the month's last day when it has no such day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def judge(inputs: EligibilityInputs, as_of: datetime.date) -> list[Item]:
    six_months_ago = months_before(as_of, MIN_MONTHS_ENROLLED)
    items = []

    enrolled_long_enough = inputs.enrolled_on is not None and inputs.enrolled_on <= six_months_ago
    items.append(
        Item(
            "enrolled_six_months",
            enrolled_long_enough,
            _("At least six months since enrolment"),
            _("Enrolled on %(date)s; six months are complete on %(due)s.")
            % {
                "date": inputs.enrolled_on or "—",
                "due": (
                    inputs.enrolled_on + (as_of - six_months_ago) if inputs.enrolled_on else "—"
                ),
            },
        )
    )

    items.append(
        Item(
            "measure_delivered",
            inputs.delivered_measures > 0,
            _("At least one measure delivered"),
            _("%(count)d measure(s) delivered.") % {"count": inputs.delivered_measures},
        )
    )

    line = inputs.income_line
    below = [v for v in inputs.visits if line is not None and v.per_capita_income < line]
    if line is None:
        detail = _("No monitoring income line is set for this year.")
    elif not inputs.visits:
        detail = _("No visit in the last six months.")
    elif below:
        detail = _("Below the line of %(line)s yuan on %(dates)s.") % {
            "line": line,
            "dates": ", ".join(f"{v.visited_on} ({v.per_capita_income})" for v in below),
        }
    else:
        detail = _(
            "%(count)d visit(s) in six months, the lowest %(lowest)s yuan; line %(line)s."
        ) % {
            "count": len(inputs.visits),
            "lowest": min(v.per_capita_income for v in inputs.visits),
            "line": line,
        }
    items.append(
        Item(
            "income_above_line",
            line is not None and bool(inputs.visits) and not below,
            _("Per-capita income at or above the line on every visit of the last six months"),
            detail,
        )
    )

    if inputs.latest_visit_on is None:
        checks_detail = _("No visit recorded.")
    elif inputs.failed_checks:
        checks_detail = _("Not secured on the latest visit (%(date)s): %(checks)s.") % {
            "date": inputs.latest_visit_on,
            "checks": ", ".join(str(CHECK_LABELS.get(c, c)) for c in inputs.failed_checks),
        }
    else:
        checks_detail = _("All five secured on the latest visit (%(date)s).") % {
            "date": inputs.latest_visit_on
        }
    items.append(
        Item(
            "guarantees_met",
            inputs.latest_visit_on is not None and not inputs.failed_checks,
            _("Food, clothing, education, medical care, housing and water all secured"),
            checks_detail,
        )
    )

    items.append(
        Item(
            "rigid_spending_resolved",
            inputs.rigid_spending is None,
            _("Rigid spending no longer pushes the household below the line"),
            _("Rigid spending %(spending)s yuan leaves %(after)s yuan per person.")
            % {
                "spending": inputs.rigid_spending.get("rigid_spending"),
                "after": inputs.rigid_spending.get("per_capita_after_spending"),
            }
            if inputs.rigid_spending
            else _("No heavy rigid spending on the latest visit."),
        )
    )

    # A household with no labour at all cannot stand on its own income: it stays under the
    # social-security safety net rather than leaving monitoring.
    items.append(
        Item(
            "has_labour",
            inputs.members_with_labour > 0,
            _("At least one member able to work"),
            _("%(count)d member(s) able to work.") % {"count": inputs.members_with_labour},
        )
    )
    return items


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
