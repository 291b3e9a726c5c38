"""Count everything the dashboards show, once per village, and roll it up to every region above.

Each figure is defined as an ORM query over the same models and selectors the pages use, grouped
by village, and inserted with one `INSERT … SELECT` so the rows never travel through Python. The
whole refresh is one transaction: a dashboard read during it sees the previous figures, never a
half-written set. An advisory lock keeps two refreshes from running at once.
"""

import datetime
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from assistance.models import OPEN_CASE_STATUSES, Case, CaseStatus, Measure, MeasureStatus, Need
from assistance.selectors import current_steps
from core.regions import LEVEL_PREFIX_LENGTHS
from dashboards.models import Figure, FigureRefresh
from households.models import Household
from monitoring.models import ACTIVE_STATUSES, Alert, AlertEvent, Signal, Visit

# Any number the refresh is known by to PostgreSQL's advisory locks.
REFRESH_LOCK = 0x4458_4442  # "DXDB"
TREND_MONTHS = 24
# Enrolled households are monitored until their risk is eliminated.
MONITORED_STATUSES = (CaseStatus.ENROLLED, CaseStatus.ELIMINATING)
NO_PARTNER = "none"

COLUMNS = ("region_code", "level", "metric", "key", "month", "value", "amount")


@dataclass(frozen=True)
class RefreshResult:
    as_of: datetime.date
    rows: int
    seconds: float
    skipped: bool = False


class _Unnest(Func):
    function = "unnest"
    output_field = CharField()


class _JsonbElements(Func):
    function = "jsonb_array_elements_text"
    output_field = CharField()


def _null_month():
    return Value(None, output_field=DateField())


def _null_amount():
    return Value(None, output_field=DecimalField())


def _figures(
    queryset: QuerySet, *, metric: str, village: str, key, month=None, value=None, amount=None
) -> QuerySet:
    """A query giving (village, 'village', metric, key, month, value, amount) rows."""
    return (
        queryset.annotate(
            f_region=F(village),
            f_level=Value("village", output_field=CharField()),
            f_metric=Value(metric, output_field=CharField()),
            f_key=key if not isinstance(key, str) else Value(key, output_field=CharField()),
            f_month=month if month is not None else _null_month(),
        )
        .values("f_region", "f_level", "f_metric", "f_key", "f_month")
        .annotate(f_value=value if value is not None else Count("pk"))
        .annotate(f_amount=amount if amount is not None else _null_amount())
        .values_list("f_region", "f_level", "f_metric", "f_key", "f_month", "f_value", "f_amount")
        .order_by()
    )


def _state_figures(as_of: datetime.date) -> list[QuerySet]:
    """Figures of the day: how things stand at the refresh."""
    households = Household.objects.all()
    monitored = Case.objects.filter(status__in=MONITORED_STATUSES)
    active_alerts = Alert.objects.filter(status__in=ACTIVE_STATUSES)
    # The case that describes a household now: its open one, else its latest.
    latest_case = Case.objects.filter(
        pk__in=Case.objects.order_by(
            "household_id",
            Choose(When(status__in=OPEN_CASE_STATUSES, then=0), default=1),
            "-proposed_on",
            "-id",
        )
        .distinct("household_id")
        .values("pk")
    )
    measures = Measure.objects.all()
    return [
        _figures(households, metric="households", village="village_id", key=F("poverty_status")),
        _figures(households, metric="households_risk", village="village_id", key=F("risk_level")),
        _figures(households, metric="households_layer", village="village_id", key=F("layer")),
        _figures(
            latest_case, metric="case_state", village="household__village_id", key=F("status")
        ),
        _figures(
            monitored,
            metric="monitored_category",
            village="household__village_id",
            key=F("category"),
        ),
        _figures(
            monitored,
            metric="monitored_risk_type",
            village="household__village_id",
            key=_Unnest(F("risk_types")),
        ),
        _figures(
            monitored.filter(
                Exists(
                    Measure.objects.filter(case=OuterRef("pk")).exclude(
                        status=MeasureStatus.STOPPED
                    )
                )
            ),
            metric="monitored_covered",
            village="household__village_id",
            key="",
        ),
        _figures(
            active_alerts, metric="open_alerts", village="household__village_id", key=F("level")
        ),
        _figures(
            active_alerts,
            metric="open_alert_reasons",
            village="household__village_id",
            key=_JsonbElements(F("reason_codes")),
        ),
        _figures(
            households.filter(next_visit_due__lt=as_of),
            metric="overdue_visits",
            village="village_id",
            key=Choose(
                When(is_monitored=True, then=Value("monitored")),
                default=Value("other"),
                output_field=CharField(),
            ),
        ),
        _figures(
            current_steps().filter(due_on__lt=as_of),
            metric="overdue_steps",
            village="case__household__village_id",
            key=F("kind"),
        ),
        _figures(
            measures,
            metric="measure_kind_status",
            village="case__household__village_id",
            key=_pair(F("kind"), F("status")),
        ),
        _figures(
            measures,
            metric="measure_partner_status",
            village="case__household__village_id",
            key=_pair(Coalesce(Cast("partner_id", CharField()), Value(NO_PARTNER)), F("status")),
            amount=Sum(
                Choose(
                    When(status=MeasureStatus.DELIVERED, then=F("delivered_amount")),
                    default=F("planned_amount"),
                )
            ),
        ),
        # Each partner's record: how it answered its referrals, and what became of its claims.
        _figures(
            measures.filter(partner__isnull=False).exclude(referral_status=""),
            metric="partner_referrals",
            village="case__household__village_id",
            key=_pair(Cast("partner_id", CharField()), F("referral_status")),
        ),
        _figures(
            Need.objects.filter(claimed_by__isnull=False),
            metric="partner_claims",
            village="village_id",
            key=_pair(Cast("claimed_by_id", CharField()), F("status")),
        ),
        _figures(
            measures.filter(status=MeasureStatus.DELIVERED, partner__isnull=False),
            metric="partner_households",
            village="case__household__village_id",
            key=Cast("partner_id", CharField()),
            value=Count("case__household_id", distinct=True),
        ),
    ]


def _pair(first, second):
    return Func(first, Value("|"), second, function="concat", output_field=CharField())


def _trend_figures(since: datetime.date) -> list[QuerySet]:
    """Monthly series over the last TREND_MONTHS months."""
    zone = timezone.get_current_timezone()

    def month_of(field: str, *, is_datetime: bool):
        if is_datetime:
            return TruncMonth(field, tzinfo=zone, output_field=DateField())
        return TruncMonth(field, output_field=DateField())

    since_start = timezone.make_aware(datetime.datetime.combine(since, datetime.time()), zone)
    return [
        _figures(
            Visit.objects.filter(visited_on__gte=since),
            metric="trend_visits",
            village="household__village_id",
            key="",
            month=month_of("visited_on", is_datetime=False),
        ),
        _figures(
            Signal.objects.filter(household__isnull=False, received_at__gte=since_start),
            metric="trend_signals",
            village="household__village_id",
            key="",
            month=month_of("received_at", is_datetime=True),
        ),
        _figures(
            Alert.objects.filter(opened_at__gte=since_start),
            metric="trend_alerts",
            village="household__village_id",
            key="",
            month=month_of("opened_at", is_datetime=True),
        ),
        _figures(
            AlertEvent.objects.filter(action="confirm", at__gte=since_start),
            metric="trend_confirmed",
            village="alert__household__village_id",
            key="",
            month=month_of("at", is_datetime=True),
        ),
        _figures(
            Case.objects.filter(enrolled_on__gte=since),
            metric="trend_enrolled",
            village="household__village_id",
            key="",
            month=month_of("enrolled_on", is_datetime=False),
        ),
        _figures(
            Case.objects.filter(eliminated_on__gte=since),
            metric="trend_eliminated",
            village="household__village_id",
            key="",
            month=month_of("eliminated_on", is_datetime=False),
        ),
        _figures(
            Measure.objects.filter(status=MeasureStatus.DELIVERED)
            .annotate(delivered_on=Coalesce("actual_end", "actual_start"))
            .filter(delivered_on__gte=since),
            metric="trend_delivered",
            village="case__household__village_id",
            key="",
            month=month_of("delivered_on", is_datetime=False),
        ),
    ]


def trend_start(as_of: datetime.date) -> datetime.date:
    """The first day of the month TREND_MONTHS - 1 months before as_of's month."""
    months = as_of.year * 12 + as_of.month - 1 - (TREND_MONTHS - 1)
    return datetime.date(months // 12, months % 12 + 1, 1)


def _insert(cursor, queryset: QuerySet) -> None:
    sql, params = queryset.query.sql_with_params()
    cursor.execute(f"INSERT INTO {Figure._meta.db_table} ({', '.join(COLUMNS)}) {sql}", params)


def _roll_up(cursor) -> None:
    """Sum the village rows into every level above, from the township to the province."""
    table = Figure._meta.db_table
    for level, length in LEVEL_PREFIX_LENGTHS[1:]:
        cursor.execute(
            f"""
            INSERT INTO {table} ({", ".join(COLUMNS)})
            SELECT rpad(left(region_code, %s), 12, '0'), %s, metric, key, month,
                   sum(value), sum(amount)
            FROM {table} WHERE level = 'village'
            GROUP BY 1, metric, key, month
            """,
            [length, level],
        )


def figures_refresh(*, as_of: datetime.date | None = None) -> RefreshResult:
    """Count everything again. Skips (and says so) if another refresh is running."""
    as_of = as_of or timezone.localdate()
    started_at = timezone.now()
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return RefreshResult(as_of=as_of, rows=0, seconds=0.0, skipped=True)
        cursor.execute(f"DELETE FROM {Figure._meta.db_table}")
        for queryset in [*_state_figures(as_of), *_trend_figures(trend_start(as_of))]:
            _insert(cursor, queryset)
        _roll_up(cursor)
        rows = Figure.objects.count()
        seconds = time.monotonic() - started
        FigureRefresh.objects.create(
            as_of=as_of,
            started_at=started_at,
            finished_at=timezone.now(),
            seconds=seconds,
            rows=rows,
        )
        # Keep a short record of refreshes, not one row every ten minutes forever.
        keep = FigureRefresh.objects.order_by("-finished_at").values("pk")[:50]
        FigureRefresh.objects.exclude(pk__in=keep).delete()
    return RefreshResult(as_of=as_of, rows=rows, seconds=seconds)
