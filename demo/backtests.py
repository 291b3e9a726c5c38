"""The demo county's backtest: a few households monitored in the past, and a finished run a
county officer can open at /backtests/ (the replay runs here, synchronously: a few seconds)."""

import datetime

from django.utils import timezone

from accounts.models import User
from assistance.models import Case, CaseStatus
from backtests import replay
from backtests.models import BacktestRun
from backtests.services import backtest_run, backtest_start
from households.models import Household
from households.selectors import under_region
from monitoring.models import IncomeLine, Visit

COUNTY = "620423000000"
PAST_CASES = 8
# Configuration B of the demo run: the near-line rule made a warning of its own.
PROPOSED = {"income_near_line": {"severity": "medium", "params": {"factor": "1.2"}}}


def _past_cases(users: dict[str, User], today: datetime.date) -> int:
    """Households whose visit fell below the line 4 to 16 months ago, monitored from 30 to 100
    days after that visit and since out of risk: what the backtest measures the rules against."""
    lines = dict(IncomeLine.objects.filter(region_id="620000000000").values_list("year", "amount"))
    with_cases = Case.objects.values("household_id")
    made = 0
    seen: set[int] = set()
    visits = (
        under_region(Visit.objects.all(), COUNTY, path="household__village__code")
        .filter(
            visited_on__gte=today - datetime.timedelta(days=480),
            visited_on__lte=today - datetime.timedelta(days=120),
        )
        .exclude(household_id__in=with_cases)
        .order_by("household_id", "visited_on")
        .values_list("household_id", "visited_on", "per_capita_income")
    )
    for number, (household_id, visited_on, income) in enumerate(visits):
        line = lines.get(visited_on.year)
        if household_id in seen or line is None or income >= line:
            continue
        seen.add(household_id)
        household = Household.objects.get(pk=household_id)
        # One in four is enrolled without a warning of the rules first (a cadre's screening).
        lead = 30 + (number * 7) % 70
        enrolled = visited_on + datetime.timedelta(days=lead if made % 4 else 5)
        Case.objects.create(
            household=household,
            origin="alert",
            category="unstable" if household.poverty_status == "lifted_out" else "marginal",
            risk_types=["illness"],
            situation="收入低于监测标准，已帮扶",
            status=CaseStatus.ELIMINATED,
            proposed_by=users["village"],
            proposed_on=enrolled - datetime.timedelta(days=12),
            responsible=users["township"],
            enrolled_on=enrolled,
            eliminated_on=min(enrolled + datetime.timedelta(days=180), today),
        )
        made += 1
        if made == PAST_CASES:
            break
    return made


def seed_backtest(users: dict[str, User]) -> BacktestRun:
    """Twelve month-ends of the demo county ending seven months ago, A beside B, a six-month
    horizon that has passed for every flag (none undecided)."""
    today = timezone.localdate()
    _past_cases(users, today)
    last = replay.add_months(today, -7)
    run = backtest_start(
        actor=users["county"],
        region_code=COUNTY,
        period_start=replay.add_months(last, -11),
        period_end=last,
        horizon_months=6,
        proposed=PROPOSED,
        queue=False,
    )
    return backtest_run(run.pk)
