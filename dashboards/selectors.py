"""Reads of the dashboards: the pre-counted figures of one region and of its children.

A dashboard is a handful of indexed reads of `Figure` rows, whatever the number of households
under the region; the labels are made here, in the reader's language.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistance.models import (
    CaseCategory,
    CaseStatus,
    MeasureKind,
    MeasureStatus,
    NeedStatus,
    Partner,
    ReferralStatus,
    RiskType,
    StepKind,
)
from core import regions
from core.regions import PARENT_LEVEL
from core.scope import Scope
from dashboards.charts import Chart, Row, Share, Tile
from dashboards.models import Figure, FigureRefresh
from dashboards.refresh import NO_PARTNER, TREND_MONTHS, trend_start
from households.models import PovertyStatus, Region, RiskLevel
from households.selectors import households_visible_to
from monitoring.labels import RULE_LABELS

CHILD_LEVEL = {child: parent for parent, child in PARENT_LEVEL.items() if child}
FUNNEL_MONTHS = 12
NO_CASE = "none"
TRENDS = (
    ("trend_signals", gettext_lazy("Department signals matched to households")),
    ("trend_alerts", gettext_lazy("Risk warnings opened")),
    ("trend_confirmed", gettext_lazy("Warnings confirmed")),
    ("trend_enrolled", gettext_lazy("Households enrolled")),
    ("trend_eliminated", gettext_lazy("Risks eliminated")),
    ("trend_delivered", gettext_lazy("Measures delivered")),
)


@dataclass
class Dashboard:
    region: Region
    breadcrumbs: list[Region]
    child_level: str | None
    refreshed: FigureRefresh | None
    tiles: list[Tile] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    children: Chart | None = None


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


class _Figures:
    """One region's figures, looked up by metric, key and month."""

    def __init__(self, rows):
        self.values: dict[str, dict] = defaultdict(dict)
        self.amounts: dict[str, dict] = defaultdict(dict)
        for metric, key, month, value, amount in rows:
            self.values[metric][(key, month)] = value
            if amount is not None:
                self.amounts[metric][(key, month)] = amount

    def get(self, metric: str, key: str = "", month=None) -> int:
        return self.values[metric].get((key, month), 0)

    def total(self, metric: str) -> int:
        return sum(self.values[metric].values())

    def keys(self, metric: str) -> set[str]:
        return {key for key, _month in self.values[metric]}

    def by_key(self, metric: str) -> dict[str, int]:
        """A figure of the day by key (its monthly values left out)."""
        return {key: value for (key, month), value in self.values[metric].items() if month is None}

    def amount(self, metric: str, key: str) -> Decimal:
        return self.amounts[metric].get((key, None), Decimal(0))


def _months(as_of: datetime.date) -> list[datetime.date]:
    first = trend_start(as_of)
    months = []
    for n in range(TREND_MONTHS):
        index = first.year * 12 + first.month - 1 + n
        months.append(datetime.date(index // 12, index % 12 + 1, 1))
    return months


def _breadcrumbs(region: Region, user) -> list[Region]:
    """The regions from the user's own down to this one, each a link back up."""
    scope = Scope.of(user)
    above = [code for code in Scope.under(region.code).regions_above() if scope.covers(code)]
    return [*Region.objects.filter(code__in=above).order_by("code"), region]


def dashboard_get(*, user, region: Region) -> Dashboard:
    refreshed = FigureRefresh.objects.order_by("-finished_at").first()
    figures = _Figures(
        Figure.objects.filter(region_code=region.code).values_list(
            "metric", "key", "month", "value", "amount"
        )
    )
    as_of = refreshed.as_of if refreshed else timezone.localdate()
    dashboard = Dashboard(
        region=region,
        breadcrumbs=_breadcrumbs(region, user),
        child_level=CHILD_LEVEL.get(region.level),
        refreshed=refreshed,
    )
    households = figures.total("households")
    monitored = figures.total("monitored_category")
    covered = figures.get("monitored_covered")
    dashboard.tiles = [
        Tile(_("Households"), households),
        Tile(PovertyStatus.LIFTED_OUT.label, figures.get("households", PovertyStatus.LIFTED_OUT)),
        Tile(_("Monitored households"), monitored),
        Tile(_("Open risk warnings"), figures.total("open_alerts")),
        Tile(_("Overdue visits"), figures.total("overdue_visits")),
        Tile(_("Overdue case steps"), figures.total("overdue_steps")),
        Tile(
            _("Measure coverage"),
            Share(covered, monitored),
            _("%(covered)s of %(monitored)s monitored households have a measure")
            % {"covered": covered, "monitored": monitored},
        ),
    ]
    dashboard.charts = [
        *_household_charts(figures, households),
        *_alert_charts(figures),
        *_measure_charts(figures, monitored, covered),
        *_funnel_and_trends(figures, as_of),
    ]
    if dashboard.child_level:
        dashboard.children = _children_chart(region, dashboard.child_level)
    return dashboard


def _household_charts(figures: _Figures, households: int) -> list[Chart]:
    with_case = figures.total("case_state")
    states = [(NO_CASE, _("No case"), households - with_case)] + [
        (value, label, figures.get("case_state", value)) for value, label in CaseStatus.choices
    ]
    return [
        Chart(
            "poverty-status",
            _("Households by poverty status"),
            "doughnut",
            [_("Poverty status"), _("Households")],
            [
                Row(str(label), [figures.get("households", value)])
                for value, label in PovertyStatus.choices
            ],
        ),
        Chart(
            "case-state",
            _("Households by case state"),
            "bar",
            [_("Case state"), _("Households")],
            [Row(str(label), [n]) for _value, label, n in states],
        ),
        Chart(
            "monitored-category",
            _("Monitored households by category"),
            "doughnut",
            [_("Category"), _("Households")],
            [
                Row(str(label), [figures.get("monitored_category", value)])
                for value, label in CaseCategory.choices
            ],
        ),
        Chart(
            "monitored-risk-type",
            _("Monitored households by risk type"),
            "hbar",
            [_("Risk type"), _("Households")],
            [
                Row(str(label), [figures.get("monitored_risk_type", value)])
                for value, label in RiskType.choices
            ],
            note=_("A household with several risk types is counted under each."),
        ),
    ]


def _alert_charts(figures: _Figures) -> list[Chart]:
    reasons = sorted(
        figures.keys("open_alert_reasons"),
        key=lambda code: -figures.get("open_alert_reasons", code),
    )
    return [
        Chart(
            "alert-level",
            _("Open risk warnings by level"),
            "doughnut",
            [_("Level"), _("Warnings")],
            [
                Row(str(label), [figures.get("open_alerts", value)])
                for value, label in RiskLevel.choices
                if value != RiskLevel.NONE
            ],
        ),
        Chart(
            "alert-reason",
            _("Open risk warnings by reason"),
            "hbar",
            [_("Reason"), _("Warnings")],
            [
                Row(str(RULE_LABELS.get(code, code)), [figures.get("open_alert_reasons", code)])
                for code in reasons
            ],
            note=_("A warning with several reasons is counted under each."),
        ),
        Chart(
            "overdue-steps",
            _("Overdue case steps by step"),
            "hbar",
            [_("Step"), _("Overdue")],
            [
                Row(str(label), [figures.get("overdue_steps", value)])
                for value, label in StepKind.choices
                if figures.get("overdue_steps", value)
            ],
        ),
    ]


def _split(key: str) -> tuple[str, str]:
    first, _sep, second = key.partition("|")
    return first, second


def _measure_charts(figures: _Figures, monitored: int, covered: int) -> list[Chart]:
    statuses = MeasureStatus.choices
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for key in figures.keys("measure_kind_status"):
        kind, status = _split(key)
        by_kind[kind][status] = figures.get("measure_kind_status", key)
    kind_rows = [
        Row(str(label), [by_kind[value].get(status, 0) for status, _label in statuses])
        for value, label in MeasureKind.choices
        if value in by_kind
    ]
    by_partner: dict[str, dict[str, int]] = defaultdict(dict)
    delivered_amount: dict[str, Decimal] = defaultdict(Decimal)
    for key in figures.keys("measure_partner_status"):
        partner, status = _split(key)
        by_partner[partner][status] = figures.get("measure_partner_status", key)
        if status == MeasureStatus.DELIVERED:
            delivered_amount[partner] += figures.amount("measure_partner_status", key)
    # Each partner's record: referrals it declined or let expire, needs it claimed and how many
    # of those claims the cadres confirmed.
    returned: dict[str, int] = defaultdict(int)
    for key in figures.keys("partner_referrals"):
        partner, answer = _split(key)
        if answer in (ReferralStatus.DECLINED, ReferralStatus.EXPIRED):
            returned[partner] += figures.get("partner_referrals", key)
        by_partner.setdefault(partner, {})
    claimed: dict[str, int] = defaultdict(int)
    confirmed: dict[str, int] = defaultdict(int)
    for key in figures.keys("partner_claims"):
        partner, need_status = _split(key)
        claimed[partner] += figures.get("partner_claims", key)
        if need_status == NeedStatus.CONFIRMED:
            confirmed[partner] += figures.get("partner_claims", key)
        by_partner.setdefault(partner, {})
    names = dict(
        Partner.objects.filter(pk__in=[k for k in by_partner if k != NO_PARTNER]).values_list(
            "pk", "name"
        )
    )
    partner_rows = sorted(
        (
            Row(
                names.get(int(partner), "?") if partner != NO_PARTNER else _("No partner"),
                [
                    *(counts.get(status, 0) for status, _label in statuses),
                    figures.get("partner_households", partner),
                    delivered_amount[partner],
                    returned[partner],
                    claimed[partner],
                    confirmed[partner],
                ],
            )
            for partner, counts in by_partner.items()
        ),
        key=lambda row: (-row.values[2], row.label),
    )
    status_headers = [str(label) for _value, label in statuses]
    return [
        Chart(
            "coverage",
            _("Measure coverage of monitored households"),
            "doughnut",
            [_("Monitored households"), _("Households")],
            [
                Row(_("With a measure"), [covered]),
                Row(_("Without a measure yet"), [max(monitored - covered, 0)]),
            ],
            note=_("Coverage: %(rate)s") % {"rate": Share(covered, monitored)},
        ),
        Chart(
            "measure-kind",
            _("Measures by kind"),
            "hbar",
            [_("Kind"), *status_headers],
            kind_rows,
            stacked=True,
        ),
        Chart(
            "partner-contributions",
            _("Partner contributions"),
            "hbar",
            [
                _("Partner"),
                *status_headers,
                _("Households reached"),
                _("Amount delivered (yuan)"),
                _("Referrals declined or not answered"),
                _("Needs claimed"),
                _("Claims confirmed"),
            ],
            partner_rows,
            stacked=True,
            note=_("The chart shows measures by status; households and amounts are in the table."),
            plotted=tuple(range(len(statuses))),
        ),
    ]


def _funnel_and_trends(figures: _Figures, as_of: datetime.date) -> list[Chart]:
    months = _months(as_of)
    recent = months[-FUNNEL_MONTHS:]

    def recent_total(metric: str) -> int:
        return sum(figures.get(metric, "", month) for month in recent)

    funnel = Chart(
        "funnel",
        _("From signal to enrolment, last 12 months"),
        "hbar",
        [_("Stage"), _("Count")],
        [Row(str(label), [recent_total(metric)]) for metric, label in TRENDS[:5]],
    )
    trends = Chart(
        "trends",
        _("By month, last 24 months"),
        "line",
        [_("Month"), *(str(label) for _metric, label in TRENDS)],
        [
            Row(
                date_format(month, "YEAR_MONTH_FORMAT"),
                [figures.get(metric, "", month) for metric, _label in TRENDS],
            )
            for month in months
        ],
    )
    visits = Chart(
        "visits",
        _("Monitoring visits by month"),
        "bar",
        [_("Month"), _("Visits")],
        [
            Row(date_format(month, "YEAR_MONTH_FORMAT"), [figures.get("trend_visits", "", month)])
            for month in months
        ],
    )
    return [funnel, trends, visits]


CHILD_METRICS = (
    "households",
    "monitored_category",
    "monitored_covered",
    "open_alerts",
    "overdue_visits",
    "overdue_steps",
)


def _children_chart(region: Region, child_level: str) -> Chart:
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        Figure.objects.filter(
            Scope.under(region.code).q("region_code"),
            level=child_level,
            metric__in=CHILD_METRICS,
        )
        .values("region_code", "metric")
        .annotate(total=Sum("value"))
        .values_list("region_code", "metric", "total")
    )
    for code, metric, total in rows:
        totals[code][metric] = total
    children = Region.objects.filter(parent=region).order_by("code")
    headers = [
        str(Region.Level(child_level).label),
        _("Households"),
        _("Monitored households"),
        _("Open risk warnings"),
        _("Overdue visits"),
        _("Overdue case steps"),
        _("Measure coverage"),
    ]
    chart_rows = []
    for child in children:
        counts = totals.get(child.code, {})
        monitored = counts.get("monitored_category", 0)
        chart_rows.append(
            Row(
                child.short_name,
                [
                    counts.get("households", 0),
                    monitored,
                    counts.get("open_alerts", 0),
                    counts.get("overdue_visits", 0),
                    counts.get("overdue_steps", 0),
                    Share(counts.get("monitored_covered", 0), monitored),
                ],
                link=child.code,
            )
        )
    return Chart(
        "children",
        _("By %(level)s") % {"level": Region.Level(child_level).label},
        "bar",
        headers,
        chart_rows,
        stacked=True,
        plotted=(2, 3, 4),
    )


def region_counts(region_code: str) -> tuple[dict[str, int], dict[str, int], FigureRefresh | None]:
    """Households of a region by poverty status and by risk level, as last counted."""
    figures = _Figures(
        Figure.objects.filter(
            region_code=region_code, metric__in=("households", "households_risk")
        ).values_list("metric", "key", "month", "value", "amount")
    )
    refreshed = FigureRefresh.objects.order_by("-finished_at").first()
    return figures.by_key("households"), figures.by_key("households_risk"), refreshed


# Levels whose home page counts households live; above them the pre-counted figures serve.
LIVE_LEVELS = ("village", "township")


def home_counts(user) -> dict:
    """The user's region at a glance, for the home page.

    A township or a village is counted live (tens of thousands of households at most, a few
    milliseconds); a county and above read the dashboards' figures, counted every few minutes,
    because counting a county of 300,000 households on each login takes seconds."""
    refreshed = None
    if user.region_id and regions.level_of(user.region_id) not in LIVE_LEVELS:
        by_status, by_risk, refreshed = region_counts(user.region_id)
    if refreshed is None:  # a township, or nothing counted yet
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
    return {
        "status_counts": [
            (label, by_status.get(value, 0)) for value, label in PovertyStatus.choices
        ],
        "risk_counts": [
            (value, label, by_risk.get(value, 0)) for value, label in RiskLevel.choices
        ],
        "total": sum(by_status.values()),
        "refreshed": refreshed,
    }
