"""The outcomes of assistance (帮扶成效), read from the records: nothing is stored.

What each figure means is written for county officers in docs/outcomes.md; in short:

- enrolment is the case's `enrolled_on` (the county's approval of the identification), and
  elimination its `eliminated_on` (the county's approval of risk elimination);
- the income at enrolment is the per-capita net income of the latest visit in the 90 days up to
  the enrolment; at elimination, 6 months (182 days) and 12 months (365 days) after it, that of
  the visit nearest the day within 45 days either side (the later visit on a tie). No such visit:
  "not yet" while the window is still open, "no visit" once it has closed;
- re-entry: the household's case enrolled again within 365 days after the elimination;
- jobs held: the members a job measure (employment or public-welfare post) was for whose work
  record of the third (sixth) month after the month the measure actually started says working;
  a member without a record that month is "not recorded", never counted as out of work.

Every figure is computed by PostgreSQL: one query over the cases gives each case's incomes and
re-entry (each a probe of the visits' or cases' index), and the summaries, the areas, the
partners and the measure kinds are aggregates over it. A county's whole population of cases is
read in a handful of queries, whatever its size.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assistance.models import Case, Measure, MeasureKind, MeasureStatus
from assistance.selectors import cases_visible_to, household_cases_for
from core.regions import PREFIX_LENGTH
from households.models import Region
from households.selectors import region_within, under_region
from livelihoods.models import WorkRecord, WorkStatus
from monitoring.models import Visit

VIEW_OUTCOMES = "outcomes.view_outcomes"

# The windows of docs/outcomes.md.
BEFORE_ENROLMENT_DAYS = 90
WINDOW_DAYS = 45
SIX_MONTHS_DAYS = 182
TWELVE_MONTHS_DAYS = 365
REENTRY_DAYS = 365
JOB_KINDS = (MeasureKind.EMPLOYMENT, MeasureKind.PUBLIC_POST)
JOB_MONTHS = (3, 6)

# The states of a figure that has no value.
KNOWN = "known"
NOT_YET = "not_yet"
NO_VISIT = "no_visit"
# The states of re-entry.
REENTERED = "yes"
NOT_REENTERED = "no"
NOT_ELIMINATED = "not_eliminated"
# The child level of each level, and the length of its code's prefix.
CHILD_LEVEL = {"province": "city", "city": "county", "county": "township", "township": "village"}


class DaysAfter(Func):
    """A date `days` days after another (PostgreSQL: date + integer is a date)."""

    output_field = DateField()

    def __init__(self, expression, days: int):
        super().__init__(expression, template="(%(expressions)s + %(days)d)", days=int(days))


class MonthsAfter(Func):
    """The first day of the month `months` months after the month of a date."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        super().__init__(
            expression,
            template=(
                "(DATE_TRUNC('month', %(expressions)s) + MAKE_INTERVAL(months => %(months)d))::date"
            ),
            months=int(months),
        )


class DaysBetween(Func):
    """The number of days between two dates, either way round."""

    output_field = IntegerField()
    template = "ABS(%(expressions)s)"
    arg_joiner = " - "


def _income_near(target, days: int) -> Subquery:
    """The per-capita income of the household's visit nearest `days` after `target` (a field of
    the case), within WINDOW_DAYS either side; the later visit on a tie."""
    day = DaysAfter(OuterRef(target), days)
    visits = (
        Visit.objects.filter(
            household_id=OuterRef("household_id"),
            visited_on__gte=DaysAfter(OuterRef(target), days - WINDOW_DAYS),
            visited_on__lte=DaysAfter(OuterRef(target), days + WINDOW_DAYS),
        )
        .annotate(distance=DaysBetween(F("visited_on"), day))
        .order_by("distance", "-visited_on", "-id")
        .values("per_capita_income")[:1]
    )
    return Subquery(visits)


def _income_at_enrolment() -> Subquery:
    """The latest visit in the BEFORE_ENROLMENT_DAYS up to the enrolment, the day included."""
    visits = (
        Visit.objects.filter(
            household_id=OuterRef("household_id"),
            visited_on__gte=DaysAfter(OuterRef("enrolled_on"), -BEFORE_ENROLMENT_DAYS),
            visited_on__lte=OuterRef("enrolled_on"),
        )
        .order_by("-visited_on", "-id")
        .values("per_capita_income")[:1]
    )
    return Subquery(visits)


def _reentered_on() -> Subquery:
    """The enrolment of the household's next case within REENTRY_DAYS after the elimination."""
    later = (
        Case.objects.filter(
            household_id=OuterRef("household_id"),
            enrolled_on__gt=OuterRef("eliminated_on"),
            enrolled_on__lte=DaysAfter(OuterRef("eliminated_on"), REENTRY_DAYS),
        )
        .order_by("enrolled_on")
        .values("enrolled_on")[:1]
    )
    return Subquery(later)


def with_outcomes(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Enrolled cases, each with its incomes and re-entry (one query; each a probe of an index)."""
    return cases.filter(enrolled_on__isnull=False).annotate(
        income_enrolled=_income_at_enrolment(),
        income_eliminated=_income_near("eliminated_on", 0),
        income_6=_income_near("eliminated_on", SIX_MONTHS_DAYS),
        income_12=_income_near("eliminated_on", TWELVE_MONTHS_DAYS),
        reentered_on=_reentered_on(),
    )


# --- One case ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Income:
    day: datetime.date | None  # the day it is measured around
    value: Decimal | None
    state: str  # KNOWN, NOT_YET or NO_VISIT

    @property
    def label(self) -> str:
        return {NOT_YET: pgettext("outcome", "not yet"), NO_VISIT: _("no visit")}.get(
            self.state, ""
        )


@dataclass(frozen=True)
class Jobs:
    """The members of a case's job measures, the month 3 (or 6) months after each started."""

    months: int
    members: int = 0  # whose month has come
    working: int = 0
    not_working: int = 0
    not_recorded: int = 0
    not_yet: int = 0  # whose month has not come


@dataclass(frozen=True)
class CaseOutcome:
    case_id: int
    household_id: int
    village_code: str
    enrolled_on: datetime.date
    eliminated_on: datetime.date | None
    at_enrolment: Income
    at_elimination: Income
    after_6_months: Income
    after_12_months: Income
    change_12_months: Decimal | None  # 12 months after, less at enrolment
    reentry: str  # REENTERED, NOT_REENTERED, NOT_YET or NOT_ELIMINATED
    reentered_on: datetime.date | None
    jobs: list[Jobs] = field(default_factory=list)

    @property
    def reentry_label(self) -> str:
        return {
            REENTERED: _("yes"),
            NOT_REENTERED: _("no"),
            NOT_YET: _("not yet known"),
            NOT_ELIMINATED: _("risk not yet eliminated"),
        }[self.reentry]


def _income(value, day: datetime.date | None, *, today: datetime.date, after: int) -> Income:
    if value is not None:
        return Income(day, value, KNOWN)
    if day is None or day + datetime.timedelta(days=after) > today:
        return Income(day, None, NOT_YET)
    return Income(day, None, NO_VISIT)


def case_outcome_of(
    row: Case, *, today: datetime.date, jobs: list[Jobs] | None = None
) -> CaseOutcome:
    """The outcome of a case annotated by `with_outcomes`."""
    eliminated = row.eliminated_on
    enrolled = row.enrolled_on
    assert enrolled is not None

    def after(days: int) -> datetime.date | None:
        return eliminated + datetime.timedelta(days=days) if eliminated else None

    annotated = vars(row)  # the annotations of with_outcomes

    def income(name: str, days: int) -> Income:
        return _income(annotated[name], after(days), today=today, after=WINDOW_DAYS)

    at_enrolment = _income(annotated["income_enrolled"], enrolled, today=today, after=0)
    after_12 = income("income_12", TWELVE_MONTHS_DAYS)
    reentered_on = annotated["reentered_on"]
    if eliminated is None:
        reentry = NOT_ELIMINATED
    elif reentered_on is not None:
        reentry = REENTERED
    elif eliminated + datetime.timedelta(days=REENTRY_DAYS) > today:
        reentry = NOT_YET
    else:
        reentry = NOT_REENTERED
    change = (
        after_12.value - at_enrolment.value
        if after_12.value is not None and at_enrolment.value is not None
        else None
    )
    return CaseOutcome(
        case_id=row.pk,
        household_id=row.household_id,
        village_code=row.village_id or "",
        enrolled_on=enrolled,
        eliminated_on=eliminated,
        at_enrolment=at_enrolment,
        at_elimination=income("income_eliminated", 0),
        after_6_months=income("income_6", SIX_MONTHS_DAYS),
        after_12_months=after_12,
        change_12_months=change,
        reentry=reentry,
        reentered_on=reentered_on,
        jobs=jobs if jobs is not None else [Jobs(months) for months in JOB_MONTHS],
    )


def case_outcome(*, user, case: Case, today: datetime.date) -> CaseOutcome | None:
    """One case's outcome, for a user who may see outcomes and the case; None otherwise (or for
    a case never enrolled)."""
    if not user.has_perm(VIEW_OUTCOMES):
        return None
    row = with_outcomes(cases_visible_to(user).filter(pk=case.pk)).first()
    if row is None:
        return None
    return case_outcome_of(row, today=today, jobs=case_jobs([row.pk], today=today)[row.pk])


def household_outcome(*, user, household, today: datetime.date) -> CaseOutcome | None:
    """The outcome of the household's latest enrolled case (the household page's block). The
    page has read the household's cases already; only an enrolled one is measured."""
    if not user.has_perm(VIEW_OUTCOMES):
        return None
    enrolled = [case for case in household_cases_for(user, household) if case.enrolled_on]
    if not enrolled:
        return None
    latest = max(enrolled, key=lambda case: (case.enrolled_on, case.pk))
    row = with_outcomes(Case.objects.filter(pk=latest.pk)).first()
    if row is None:
        return None
    return case_outcome_of(row, today=today, jobs=case_jobs([row.pk], today=today)[row.pk])


def case_outcomes_page(user, rows: list[Case], *, today: datetime.date) -> list[CaseOutcome]:
    """The outcomes of a page of cases annotated by `with_outcomes` (one query for their jobs)."""
    jobs = case_jobs([row.pk for row in rows], today=today)
    return [case_outcome_of(row, today=today, jobs=jobs[row.pk]) for row in rows]


# --- Raw aggregates over a queryset ----------------------------------------------------------


def _date(day: datetime.date) -> str:
    """A date of ours (never a user's text) as an SQL literal."""
    return f"DATE '{day.isoformat()}'"


def _over(queryset: QuerySet, select: str, group: str = "") -> list[dict]:
    """`SELECT <select> FROM (<queryset>) rows GROUP BY <group>`, as dicts."""
    try:
        inner, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (`pk__in=[]`)
        return []
    sql = f"SELECT {select} FROM ({inner}) AS rows"  # noqa: S608 (our own column names)
    if group:
        sql += f" GROUP BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _case_figures_sql(today: datetime.date) -> str:
    due_12 = _date(today - datetime.timedelta(days=TWELVE_MONTHS_DAYS + WINDOW_DAYS))
    old_enough = _date(today - datetime.timedelta(days=REENTRY_DAYS))
    return (
        "COUNT(*) AS cases,"
        " COUNT(*) FILTER (WHERE eliminated_on IS NOT NULL) AS eliminated,"
        f" COUNT(*) FILTER (WHERE eliminated_on <= {due_12}) AS due_12,"
        f" COUNT(*) FILTER (WHERE eliminated_on <= {due_12} AND income_12 IS NOT NULL)"
        " AS known_12,"
        " COUNT(income_12 - income_enrolled) AS changes_12,"
        " PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY income_12 - income_enrolled)"
        " AS median_change_12,"
        f" COUNT(*) FILTER (WHERE eliminated_on <= {old_enough}) AS old_enough,"
        f" COUNT(*) FILTER (WHERE eliminated_on <= {old_enough} AND reentered_on IS NOT NULL)"
        " AS reentered"
    )


def _job_rows(cases: QuerySet[Case]) -> QuerySet:
    """One row per member of a job measure of these cases that actually started, with the
    status of the member's work record 3 and 6 months after."""
    through = Measure.members.through
    annotations: dict[str, Func | Subquery] = {}
    for months in JOB_MONTHS:
        annotations[f"month_{months}"] = MonthsAfter(F("measure__actual_start"), months)
        annotations[f"status_{months}"] = Subquery(
            WorkRecord.objects.filter(
                member_id=OuterRef("member_id"),
                month=MonthsAfter(OuterRef("measure__actual_start"), months),
            ).values("status")[:1]
        )
    return (
        through.objects.filter(
            measure__case__in=cases.order_by(),
            measure__kind__in=JOB_KINDS,
            measure__actual_start__isnull=False,
        )
        .annotate(**annotations)
        .values(
            "member_id",
            "measure_id",
            job_case=F("measure__case_id"),
            job_village=F("measure__case__village_id"),
            job_partner=F("measure__partner_id"),
            job_kind=F("measure__kind"),
            **{name: F(name) for name in annotations},
        )
    )


def _jobs_sql(today: datetime.date) -> str:
    month = _date(today.replace(day=1))
    parts = []
    for months in JOB_MONTHS:
        come = f"month_{months} <= {month}"
        status = f"status_{months}"
        parts += [
            f"COUNT(*) FILTER (WHERE {come}) AS members_{months}",
            f"COUNT(*) FILTER (WHERE {come} AND {status} = '{WorkStatus.WORKING}')"
            f" AS working_{months}",
            f"COUNT(*) FILTER (WHERE {come} AND {status} <> '{WorkStatus.WORKING}')"
            f" AS not_working_{months}",
            f"COUNT(*) FILTER (WHERE {come} AND {status} IS NULL) AS not_recorded_{months}",
            f"COUNT(*) FILTER (WHERE NOT ({come})) AS not_yet_{months}",
        ]
    return ", ".join(parts)


def _jobs_of(row: dict | None) -> list[Jobs]:
    if row is None:
        return [Jobs(months) for months in JOB_MONTHS]
    return [
        Jobs(
            months,
            members=row[f"members_{months}"],
            working=row[f"working_{months}"],
            not_working=row[f"not_working_{months}"],
            not_recorded=row[f"not_recorded_{months}"],
            not_yet=row[f"not_yet_{months}"],
        )
        for months in JOB_MONTHS
    ]


def case_jobs(case_ids: list[int], *, today: datetime.date) -> dict[int, list[Jobs]]:
    """The jobs held after the job measures of these cases, per case (one query)."""
    if not case_ids:
        return {}
    rows = _over(
        _job_rows(Case.objects.filter(pk__in=case_ids)),
        f"job_case AS key, {_jobs_sql(today)}",
        group="job_case",
    )
    by_case = {row["key"]: row for row in rows}
    return {pk: _jobs_of(by_case.get(pk)) for pk in case_ids}


# --- The figures of a population of cases -------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    cases: int = 0  # enrolled cases
    eliminated: int = 0
    due_12: int = 0  # eliminated long enough ago for the 12-month visit's window to have closed
    known_12: int = 0  # of those, with a 12-month income
    changes_12: int = 0  # cases with both the income at enrolment and at 12 months
    median_change_12: Decimal | None = None
    old_enough: int = 0  # eliminated at least REENTRY_DAYS ago
    reentered: int = 0  # of those, back within REENTRY_DAYS
    jobs: list[Jobs] = field(default_factory=lambda: [Jobs(months) for months in JOB_MONTHS])

    @property
    def known_12_share(self) -> float | None:
        return self.known_12 / self.due_12 if self.due_12 else None

    @property
    def reentry_rate(self) -> float | None:
        return self.reentered / self.old_enough if self.old_enough else None


def _figures(row: dict | None, jobs: dict | None) -> Figures:
    if row is None:
        return Figures(jobs=_jobs_of(jobs))
    median = row["median_change_12"]
    return Figures(
        cases=row["cases"],
        eliminated=row["eliminated"],
        due_12=row["due_12"],
        known_12=row["known_12"],
        changes_12=row["changes_12"],
        median_change_12=None if median is None else Decimal(str(median)).quantize(Decimal("0.01")),
        old_enough=row["old_enough"],
        reentered=row["reentered"],
        jobs=_jobs_of(jobs),
    )


@dataclass(frozen=True)
class Delivery:
    """A partner's or a kind's measures: planned (all) against delivered."""

    planned: int = 0
    delivered: int = 0
    stopped: int = 0
    planned_amount: Decimal = Decimal("0.00")
    delivered_amount: Decimal = Decimal("0.00")
    with_deadline: int = 0  # delivered, with a planned end and an actual end
    on_time: int = 0  # of those, ended on or before the planned end

    @property
    def delivered_share(self) -> float | None:
        return self.delivered / self.planned if self.planned else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.with_deadline if self.with_deadline else None


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class GroupRow:
    """A partner (`key` its id, "" for measures without one) or a kind of measure."""

    key: str
    name: str
    delivery: Delivery
    figures: Figures  # of the households served


@dataclass(frozen=True)
class Outcomes:
    region: Region
    eliminated_from: datetime.date | None
    eliminated_to: datetime.date | None
    as_of: datetime.date
    summary: Figures
    child_level: str | None
    areas: list[AreaRow]
    partners: list[GroupRow]
    kinds: list[GroupRow]


def outcomes_region(*, user, code: str | None) -> Region | None:
    """The region the outcomes are read for: the user's own, or one under it; None when the
    user may not see outcomes or the region is not within theirs."""
    if not user.has_perm(VIEW_OUTCOMES):
        return None
    code = code or user.region_id
    if not code:
        return None
    return region_within(user=user, code=code)


def outcome_cases(
    user,
    *,
    region: Region,
    eliminated_from: datetime.date | None = None,
    eliminated_to: datetime.date | None = None,
) -> QuerySet[Case]:
    """The enrolled cases the outcomes count: visible to the user, under the region, and when a
    period is given, whose risk was eliminated in it (both days included)."""
    if not user.has_perm(VIEW_OUTCOMES):
        return Case.objects.none()
    cases = under_region(cases_visible_to(user), region.code, path="village__code").filter(
        enrolled_on__isnull=False
    )
    if eliminated_from:
        cases = cases.filter(eliminated_on__gte=eliminated_from)
    if eliminated_to:
        cases = cases.filter(eliminated_on__lte=eliminated_to)
    return cases


def _delivery_sql() -> str:
    delivered = f"status = '{MeasureStatus.DELIVERED}'"
    return (
        "COUNT(*) AS planned,"
        f" COUNT(*) FILTER (WHERE {delivered}) AS delivered,"
        f" COUNT(*) FILTER (WHERE status = '{MeasureStatus.STOPPED}') AS stopped,"
        " COALESCE(SUM(planned_amount), 0) AS planned_amount,"
        f" COALESCE(SUM(delivered_amount) FILTER (WHERE {delivered}), 0) AS delivered_amount,"
        f" COUNT(*) FILTER (WHERE {delivered} AND planned_end IS NOT NULL"
        " AND actual_end IS NOT NULL) AS with_deadline,"
        f" COUNT(*) FILTER (WHERE {delivered} AND actual_end <= planned_end) AS on_time"
    )


def _delivery(row: dict) -> Delivery:
    return Delivery(
        planned=row["planned"],
        delivered=row["delivered"],
        stopped=row["stopped"],
        planned_amount=row["planned_amount"],
        delivered_amount=row["delivered_amount"],
        with_deadline=row["with_deadline"],
        on_time=row["on_time"],
    )


def _grouped_case_figures(per_case: QuerySet, key: str, today: datetime.date) -> dict:
    return {
        row["key"]: row for row in _over(per_case, f"{key} AS key, {_case_figures_sql(today)}", key)
    }


def _served(cases: QuerySet[Case], key: str) -> QuerySet:
    """The cases with outcomes, one row per case and partner (or kind) that served it."""
    return (
        with_outcomes(cases)
        .order_by()
        .filter(measures__isnull=False)
        .annotate(served_by=F(f"measures__{key}"))
        .values(
            "id",
            "served_by",
            "eliminated_on",
            "income_enrolled",
            "income_12",
            "reentered_on",
        )
        .distinct()
    )


def outcomes_get(
    user,
    *,
    region: Region,
    today: datetime.date,
    eliminated_from: datetime.date | None = None,
    eliminated_to: datetime.date | None = None,
) -> Outcomes:
    """The summary and its breakdowns by area, partner and kind of measure: what the page and
    `GET /api/v1/outcomes/` show (the one definition)."""
    cases = outcome_cases(
        user, region=region, eliminated_from=eliminated_from, eliminated_to=eliminated_to
    )
    columns = ("id", "village_id", "eliminated_on", "income_enrolled", "income_12", "reentered_on")
    per_case = with_outcomes(cases).order_by().values(*columns)
    figures_sql = _case_figures_sql(today)
    jobs_sql = _jobs_sql(today)
    jobs = _job_rows(cases)

    summary_row = next(iter(_over(per_case, figures_sql)), None)
    summary_jobs = next(iter(_over(jobs, jobs_sql)), None)
    summary = _figures(summary_row, summary_jobs)

    # The areas one level down.
    child_level = CHILD_LEVEL.get(region.level)
    areas: list[AreaRow] = []
    if child_level:
        length = PREFIX_LENGTH[child_level]
        by_area = _grouped_case_figures(per_case, f"SUBSTRING(village_id, 1, {length})", today)
        jobs_by_area = {
            row["key"]: row
            for row in _over(jobs, f"SUBSTRING(job_village, 1, {length}) AS key, {jobs_sql}", "1")
        }
        children = Region.objects.filter(parent=region).order_by("code")
        areas = [
            AreaRow(
                child.code,
                child.name,
                _figures(by_area.get(child.code[:length]), jobs_by_area.get(child.code[:length])),
            )
            for child in children
        ]

    # Partners and kinds: the measures of these cases, and the outcomes of the cases served.
    measures = Measure.objects.filter(case__in=cases.order_by()).order_by()
    groups: dict[str, list[GroupRow]] = {}
    for key, labels in (
        ("partner", None),
        ("kind", dict(MeasureKind.choices)),
    ):
        delivery_rows = _over(
            measures.values(
                "status",
                "planned_amount",
                "delivered_amount",
                "planned_end",
                "actual_end",
                group=F(f"{key}_id" if key == "partner" else key),
                group_name=F("partner__name") if key == "partner" else F("kind"),
            ),
            f'"group" AS key, MIN(group_name) AS name, {_delivery_sql()}',
            '"group"',
        )
        served = {
            row["key"]: row
            for row in _over(_served(cases, key), f"served_by AS key, {figures_sql}", "served_by")
        }
        served_jobs = {
            row["key"]: row for row in _over(jobs, f"job_{key} AS key, {jobs_sql}", f"job_{key}")
        }
        rows = [
            GroupRow(
                key="" if row["key"] is None else str(row["key"]),
                name=(
                    str(labels.get(row["key"], row["key"]))
                    if labels
                    else row["name"] or _("No partner named")
                ),
                delivery=_delivery(row),
                figures=_figures(served.get(row["key"]), served_jobs.get(row["key"])),
            )
            for row in delivery_rows
        ]
        rows.sort(key=lambda row: (-row.delivery.planned, row.name))
        groups[key] = rows

    return Outcomes(
        region=region,
        eliminated_from=eliminated_from,
        eliminated_to=eliminated_to,
        as_of=today,
        summary=summary,
        child_level=child_level,
        areas=areas,
        partners=groups["partner"],
        kinds=groups["kind"],
    )


def outcome_case_rows(
    user,
    *,
    region: Region,
    eliminated_from: datetime.date | None = None,
    eliminated_to: datetime.date | None = None,
) -> QuerySet[Case]:
    """The cases of `outcomes_get`, each annotated with its outcomes (a page at a time: the API's
    keyset pages; `case_outcomes_page` turns a page into `CaseOutcome`s)."""
    return with_outcomes(
        outcome_cases(
            user, region=region, eliminated_from=eliminated_from, eliminated_to=eliminated_to
        )
    ).order_by("id")
