"""Reads of the backtest: its runs, and the region's history as it stood on a past date."""

import datetime
from collections import defaultdict

from django.apps import apps
from django.db.models import Min, QuerySet
from django.utils import timezone

from assistance.models import Case
from backtests.models import BacktestRun
from core.scope import Scope
from households.models import Household, LifeEvent
from households.selectors import under_region
from monitoring.engine.rules import REGISTRY_SHOCK_KINDS, SHOCK_KINDS
from monitoring.models import Alert, AlertStatus, RuleConfig, Signal, Visit, VisitEvent


def runs_visible_to(user) -> QuerySet[BacktestRun]:
    """Runs over the user's region or a region inside it."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("backtests.view_backtestrun"):
        return BacktestRun.objects.none()
    return BacktestRun.objects.filter(scope.q("region__code")).select_related("region")


def run_for_update(pk: int) -> BacktestRun:
    return BacktestRun.objects.select_for_update().get(pk=pk)


def rule_configs_as_of(day: datetime.date) -> list[RuleConfig]:
    """The rule settings (every region's) in force at the end of `day`, rebuilt from their
    history: each setting's latest recorded state by then, unless that was its deletion."""
    event_model = apps.get_model("monitoring", "RuleConfigEvent")
    until = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    rows = (
        event_model.objects.filter(pgh_created_at__lt=until)
        .order_by("pgh_obj_id", "-pgh_created_at", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_label", "code", "region_id", "enabled", "severity", "weight", "params")
    )
    return [
        RuleConfig(
            code=row["code"],
            region_id=row["region_id"],
            enabled=row["enabled"],
            severity=row["severity"],
            weight=row["weight"],
            params=row["params"] or {},
        )
        for row in rows
        if row["pgh_label"] != "delete"
    ]


def households_of(prefix: str) -> QuerySet[Household]:
    return under_region(Household.objects.all(), prefix)


def household_ids(prefix: str) -> list[int]:
    return list(households_of(prefix).order_by("id").values_list("id", flat=True))


def earliest_data_on(prefix: str) -> datetime.date | None:
    """The first day the region's history knows anything: its first visit, or failing any, the
    first household's registration."""
    first_visit = under_region(Visit.objects.all(), prefix, path="household__village__code")
    found = first_visit.aggregate(first=Min("visited_on"))["first"]
    if found is not None:
        return found
    first = households_of(prefix).aggregate(first=Min("created_at"))["first"]
    return None if first is None else first.astimezone(datetime.UTC).date()


def first_enrolments(prefix: str) -> dict[int, datetime.date]:
    """Each household's first identification (the day its case was enrolled)."""
    cases = under_region(Case.objects.all(), prefix, path="household__village__code")
    return dict(
        cases.filter(enrolled_on__isnull=False)
        .values("household_id")
        .annotate(first=Min("enrolled_on"))
        .values_list("household_id", "first")
    )


def shock_dates(
    prefix: str, *, after: datetime.date, until: datetime.date
) -> dict[int, datetime.date]:
    """Each household's first shock in (after, until]: an event of a shock kind on a visit, a
    serious illness or disability in the registry, or a matched department signal."""
    first: dict[int, datetime.date] = {}

    def keep(household_id: int, on: datetime.date) -> None:
        if household_id not in first or on < first[household_id]:
            first[household_id] = on

    window = {"occurred_on__gt": after, "occurred_on__lte": until}
    events = under_region(VisitEvent.objects.all(), prefix, path="visit__household__village__code")
    for household_id, on in events.filter(kind__in=SHOCK_KINDS, **window).values_list(
        "visit__household_id", "occurred_on"
    ):
        keep(household_id, on)
    life = under_region(LifeEvent.objects.all(), prefix, path="household__village__code")
    for household_id, on in life.filter(kind__in=REGISTRY_SHOCK_KINDS, **window).values_list(
        "household_id", "occurred_on"
    ):
        keep(household_id, on)
    signals = under_region(Signal.objects.all(), prefix, path="household__village__code")
    for household_id, on in signals.filter(status=Signal.Status.MATCHED, **window).values_list(
        "household_id", "occurred_on"
    ):
        keep(household_id, on)
    return first


def dismissals(prefix: str) -> dict[int, list[datetime.date]]:
    """The days each household's warnings were dismissed (closed as not a risk)."""
    alerts = under_region(Alert.objects.all(), prefix, path="household__village__code")
    found: dict[int, list[datetime.date]] = defaultdict(list)
    for household_id, closed_at in alerts.filter(
        status=AlertStatus.DISMISSED, closed_at__isnull=False
    ).values_list("household_id", "closed_at"):
        found[household_id].append(timezone.localdate(closed_at))
    return found
