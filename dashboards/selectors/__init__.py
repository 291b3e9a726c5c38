"""Reads of the dashboards: the pre-counted figures of one region and of its children.

A dashboard is a handful of indexed reads of `Figure` rows, whatever the number of households
under the region; the labels are made here, in the reader's language.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scope import Scope
from dashboards import links
from dashboards.charts import Chart, Rate, Row, Share, Tile
from dashboards.models import Figure, FigureRefresh
from dashboards.periods import PERIOD_CHOICES, Period, period_of
from dashboards.refresh import MONITORED_STATUSES
from dashboards.selectors import boards
from dashboards.selectors.figures import CHILD_LEVEL, TREND_TONES, TRENDS, Figures, months_counted
from households.models import PovertyStatus, Region, RiskLevel
from households.selectors import households_visible_to


@dataclass
class Dashboard:
    region: Region
    breadcrumbs: list[Region]
    child_level: str | None
    refreshed: FigureRefresh | None
    period: Period
    tiles: list[Tile] = field(default_factory=list)  # how things stand at the count
    period_tiles: list[Tile] = field(default_factory=list)  # what happened in the period
    charts: list[Chart] = field(default_factory=list)
    children: Chart | None = None
    period_choices: tuple = PERIOD_CHOICES
    # The months a range may be chosen from (<input type=month> min and max).
    months_min: str = ""
    months_max: str = ""


def dashboard_region(*, user, code: str | None) -> Region:
    """The region a dashboard shows: the user's own, or one under it; a 404 otherwise."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("dashboards.view_dashboard"):
        raise Http404
    code = code or user.region_id
    if not code or not code.isascii() or not code.isdigit():  # a region code is 12 digits
        raise Http404
    region = Region.objects.filter(scope.q("code"), code=code).select_related("parent").first()
    if region is None:
        raise Http404
    return region


def _breadcrumbs(region: Region, user) -> list[Region]:
    """The regions from the user's own down to this one, each a link back up."""
    scope = Scope.of(user)
    above = [code for code in Scope.under(region.code).regions_above() if scope.covers(code)]
    return [*Region.objects.filter(code__in=above).order_by("code"), region]


def dashboard_get(*, user, region: Region, params=None) -> Dashboard:
    """One region's dashboard from one count of the figures; the period figures over the period
    the parameters ask for (this year unless said)."""
    refreshed = FigureRefresh.objects.order_by("-finished_at").first()
    figures = Figures(
        Figure.objects.filter(region_code=region.code).values_list(
            "metric", "key", "month", "value", "amount"
        )
    )
    as_of = refreshed.as_of if refreshed else timezone.localdate()
    months = months_counted(as_of)
    period = period_of(params or {}, as_of=as_of, earliest=months[0])
    dashboard = Dashboard(
        region=region,
        breadcrumbs=_breadcrumbs(region, user),
        child_level=CHILD_LEVEL.get(region.level),
        refreshed=refreshed,
        period=period,
        months_min=f"{months[0]:%Y-%m}",
        months_max=f"{months[-1]:%Y-%m}",
    )
    code = region.code
    households = figures.total("households")
    monitored = figures.total("monitored_category")
    covered = figures.get("monitored_covered")
    open_alerts = figures.total("open_alerts")
    dashboard.tiles = [
        Tile(_("Households"), households, link=links.households(code), key="households"),
        Tile(
            PovertyStatus.LIFTED_OUT.label,
            figures.get("households", PovertyStatus.LIFTED_OUT),
            link=links.households(code, poverty_status=PovertyStatus.LIFTED_OUT),
            key="lifted_out",
        ),
        Tile(
            _("Monitored households"),
            monitored,
            link=links.cases(code, status=list(MONITORED_STATUSES)),
            rate=Rate(monitored, households),
            key="monitored",
        ),
        Tile(
            _("Open risk warnings"),
            open_alerts,
            link=links.alerts(code),
            rate=Rate(open_alerts, households),
            tone="high" if open_alerts else "",
            key="open_alerts",
        ),
        Tile(
            _("Overdue visits"),
            figures.total("overdue_visits"),
            link=links.households(code, due_before=as_of),
            key="overdue_visits",
        ),
        Tile(
            _("Overdue case steps"),
            figures.total("overdue_steps"),
            link=links.overdue_steps(code),
            key="overdue_steps",
        ),
        Tile(
            _("Measure coverage"),
            Share(covered, monitored),
            _("%(covered)s of %(monitored)s monitored households have a measure")
            % {"covered": covered, "monitored": monitored},
        ),
    ]
    in_period = period.months(months)

    def period_total(metric: str) -> int:
        return sum(figures.get(metric, "", month) for month in in_period)

    dashboard.period_tiles = [
        Tile(
            label,
            period_total(metric),
            link=links.in_months(metric, code, period.first, period.end),
            rate=Rate(period_total(metric), households) if metric == "trend_alerts" else None,
            tone=TREND_TONES[metric],
            key=metric,
        )
        for metric, label in (*TRENDS[1:], ("trend_visits", _("Monitoring visits")))
    ]
    dashboard.charts = [
        *boards.household_charts(figures, households, code),
        *boards.alert_charts(figures, code),
        *boards.measure_charts(figures, monitored, covered, code),
        *boards.funnel_and_trends(figures, months, period, code),
    ]
    if dashboard.child_level:
        dashboard.children = boards.children_chart(
            region, dashboard.child_level, period=period, in_period=in_period, as_of=as_of
        )
    return dashboard


def region_counts(region_code: str) -> tuple[dict[str, int], dict[str, int], FigureRefresh | None]:
    """Households of a region by poverty status and by risk level, as last counted."""
    figures = Figures(
        Figure.objects.filter(
            region_code=region_code, metric__in=("households", "households_risk")
        ).values_list("metric", "key", "month", "value", "amount")
    )
    refreshed = FigureRefresh.objects.order_by("-finished_at").first()
    return figures.by_key("households"), figures.by_key("households_risk"), refreshed


def home_counts(user) -> dict:
    """The user's region at a glance, for the home page: the same count as the dashboard's, so
    the two pages show the same numbers as of the same time (`snapshot`). Before the first
    count the households are counted live, and the snapshot is now."""
    refreshed = None
    if user.region_id:
        by_status, by_risk, refreshed = region_counts(user.region_id)
    if refreshed is None:  # nothing counted yet, or a user without a region
        households = households_visible_to(user)
        by_status = dict(
            households.values_list("poverty_status")
            .annotate(n=Count("id"))
            .values_list("poverty_status", "n")
        )
        by_risk = dict(
            households.values_list("risk_level")
            .annotate(n=Count("id"))
            .values_list("risk_level", "n")
        )
    code = user.region_id or ""
    total = sum(by_status.values())
    return {
        "status_counts": [
            (label, by_status.get(value, 0)) for value, label in PovertyStatus.choices
        ],
        "risk_counts": [
            (value, label, by_risk.get(value, 0)) for value, label in RiskLevel.choices
        ],
        "total": total,
        "refreshed": refreshed,
        "snapshot": refreshed.finished_at if refreshed else timezone.now(),
        "live": refreshed is None,
        "tiles": [
            Tile(_("households in total"), total, link=links.households(code)),
            *(
                Tile(
                    label,
                    by_status.get(value, 0),
                    link=links.households(code, poverty_status=value),
                    rate=Rate(by_status.get(value, 0), total),
                )
                for value, label in PovertyStatus.choices
            ),
        ],
        "risk_rows": [
            Row(
                str(label),
                [by_risk.get(value, 0), Rate(by_risk.get(value, 0), total)],
                links=[links.households(code, risk_level=value), ""],
                tone=value,
            )
            for value, label in reversed(RiskLevel.choices)
        ],
    }
