"""Reads of the dashboards: the pre-counted figures of one region and of its children.

A dashboard is a handful of indexed reads of `Figure` rows, whatever the number of households
under the region; the labels are made here, in the reader's language.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
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
from core.regions import PARENT_LEVEL
from core.scope import Scope
from dashboards import links
from dashboards.charts import Chart, Rate, Row, Share, Tile
from dashboards.models import Figure, FigureRefresh
from dashboards.periods import PERIOD_CHOICES, Period, period_of
from dashboards.refresh import MONITORED_STATUSES, NO_PARTNER, TREND_MONTHS, trend_start
from households.models import PovertyStatus, Region, RiskLevel
from households.selectors import households_visible_to
from monitoring.labels import RULE_LABELS

CHILD_LEVEL = {child: parent for parent, child in PARENT_LEVEL.items() if child}
FUNNEL_MONTHS = 12
NO_CASE = "none"
# The colour of a key by what it means (dashboards.charts.MEANING_TONES).
RISK_TONES = {RiskLevel.HIGH: "high", RiskLevel.MEDIUM: "medium", RiskLevel.LOW: "low"}
CASE_TONES = {
    NO_CASE: "none",
    CaseStatus.IDENTIFYING: "open",
    CaseStatus.ENROLLED: "medium",
    CaseStatus.ELIMINATING: "low",
    CaseStatus.ELIMINATED: "ok",
    CaseStatus.REJECTED: "muted",
}
MEASURE_TONES = {
    MeasureStatus.PLANNED: "open",
    MeasureStatus.IN_PROGRESS: "low",
    MeasureStatus.DELIVERED: "ok",
    MeasureStatus.STOPPED: "muted",
}
TREND_TONES = {
    "trend_signals": "s2",
    "trend_alerts": "high",
    "trend_confirmed": "medium",
    "trend_enrolled": "open",
    "trend_eliminated": "ok",
    "trend_delivered": "s5",
    "trend_visits": "s1",
}
# A long table of children shows this many rows (the highest warning rates), the rest folded.
CHILDREN_SHOWN = 10
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


def dashboard_get(*, user, region: Region, params=None) -> Dashboard:
    """One region's dashboard from one count of the figures; the period figures over the period
    the parameters ask for (this year unless said)."""
    refreshed = FigureRefresh.objects.order_by("-finished_at").first()
    figures = _Figures(
        Figure.objects.filter(region_code=region.code).values_list(
            "metric", "key", "month", "value", "amount"
        )
    )
    as_of = refreshed.as_of if refreshed else timezone.localdate()
    months = _months(as_of)
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
        *_household_charts(figures, households, code),
        *_alert_charts(figures, code),
        *_measure_charts(figures, monitored, covered, code),
        *_funnel_and_trends(figures, months, period, code),
    ]
    if dashboard.child_level:
        dashboard.children = _children_chart(
            region, dashboard.child_level, period=period, in_period=in_period, as_of=as_of
        )
    return dashboard


def _household_charts(figures: _Figures, households: int, code: str) -> list[Chart]:
    with_case = figures.total("case_state")
    states = [(NO_CASE, _("No case"), households - with_case)] + [
        (value, label, figures.get("case_state", value)) for value, label in CaseStatus.choices
    ]
    monitored = list(MONITORED_STATUSES)
    return [
        Chart(
            "risk-level",
            _("Households by risk level"),
            "doughnut",
            [_("Risk level"), _("Households"), _("Per 100 households")],
            [
                Row(
                    str(label),
                    [n := figures.get("households_risk", value), Rate(n, households)],
                    links=[links.households(code, risk_level=value), ""],
                    tone=RISK_TONES.get(value, "none"),
                )
                for value, label in reversed(RiskLevel.choices)
            ],
            plotted=(0,),
        ),
        Chart(
            "poverty-status",
            _("Households by poverty status"),
            "doughnut",
            [_("Poverty status"), _("Households")],
            [
                Row(
                    str(label),
                    [figures.get("households", value)],
                    links=[links.households(code, poverty_status=value)],
                )
                for value, label in PovertyStatus.choices
            ],
        ),
        Chart(
            "case-state",
            _("Households by case state"),
            "bar",
            [_("Case state"), _("Households")],
            [
                Row(
                    str(label),
                    [n],
                    links=["" if value == NO_CASE else links.cases(code, status=value)],
                    tone=CASE_TONES[value],
                )
                for value, label, n in states
            ],
        ),
        Chart(
            "monitored-category",
            _("Monitored households by category"),
            "doughnut",
            [_("Category"), _("Households")],
            [
                Row(
                    str(label),
                    [figures.get("monitored_category", value)],
                    links=[links.cases(code, status=monitored, category=value)],
                )
                for value, label in CaseCategory.choices
            ],
        ),
        Chart(
            "monitored-risk-type",
            _("Monitored households by risk type"),
            "hbar",
            [_("Risk type"), _("Households")],
            [
                Row(
                    str(label),
                    [figures.get("monitored_risk_type", value)],
                    links=[links.cases(code, status=monitored, risk_type=value)],
                    tone="s1",
                )
                for value, label in RiskType.choices
            ],
            note=_("A household with several risk types is counted under each."),
        ),
    ]


def _alert_charts(figures: _Figures, code: str) -> list[Chart]:
    reasons = sorted(
        figures.keys("open_alert_reasons"),
        key=lambda reason: -figures.get("open_alert_reasons", reason),
    )
    return [
        Chart(
            "alert-level",
            _("Open risk warnings by level"),
            "doughnut",
            [_("Level"), _("Warnings")],
            [
                Row(
                    str(label),
                    [figures.get("open_alerts", value)],
                    links=[links.alerts(code, level=value)],
                    tone=RISK_TONES[value],
                )
                for value, label in reversed(RiskLevel.choices)
                if value != RiskLevel.NONE
            ],
        ),
        Chart(
            "alert-reason",
            _("Open risk warnings by reason"),
            "hbar",
            [_("Reason"), _("Warnings")],
            [
                Row(
                    str(RULE_LABELS.get(reason, reason)),
                    [figures.get("open_alert_reasons", reason)],
                    links=[links.alerts(code, reason=reason)],
                    tone="high",
                )
                for reason in reasons
            ],
            note=_("A warning with several reasons is counted under each."),
        ),
        Chart(
            "overdue-steps",
            _("Overdue case steps by step"),
            "hbar",
            [_("Step"), _("Overdue")],
            [
                Row(
                    str(label),
                    [figures.get("overdue_steps", value)],
                    links=[links.overdue_steps(code, kind=value)],
                    tone="high",
                )
                for value, label in StepKind.choices
                if figures.get("overdue_steps", value)
            ],
        ),
    ]


def _split(key: str) -> tuple[str, str]:
    first, _sep, second = key.partition("|")
    return first, second


def _measure_charts(figures: _Figures, monitored: int, covered: int, code: str) -> list[Chart]:
    statuses = MeasureStatus.choices
    status_tones = tuple(MEASURE_TONES[value] for value, _label in statuses)
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for key in figures.keys("measure_kind_status"):
        kind, status = _split(key)
        by_kind[kind][status] = figures.get("measure_kind_status", key)
    kind_rows = [
        Row(
            str(label),
            [by_kind[value].get(status, 0) for status, _label in statuses],
            links=[links.measures(code, kind=value, status=status) for status, _l in statuses],
        )
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

    def partner_links(partner: str) -> list[str]:
        if partner == NO_PARTNER:
            return []
        return [links.measures(code, partner=partner, status=status) for status, _l in statuses]

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
                links=partner_links(partner),
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
                Row(_("With a measure"), [covered], tone="ok"),
                Row(_("Without a measure yet"), [max(monitored - covered, 0)], tone="none"),
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
            series_tones=status_tones,
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
            series_tones=status_tones,
        ),
    ]


def _funnel_and_trends(
    figures: _Figures, months: list[datetime.date], period: Period, code: str
) -> list[Chart]:
    in_period = period.months(months)

    def period_total(metric: str) -> int:
        return sum(figures.get(metric, "", month) for month in in_period)

    funnel = Chart(
        "funnel",
        _("From signal to enrolment, %(period)s") % {"period": period.label},
        "hbar",
        [_("Stage"), _("Count")],
        [
            Row(
                str(label),
                [period_total(metric)],
                links=[links.in_months(metric, code, period.first, period.end)],
                tone=TREND_TONES[metric],
            )
            for metric, label in TRENDS[:5]
        ],
    )

    def month_end(month: datetime.date) -> datetime.date:
        return Period("month", month, month).end

    trends = Chart(
        "trends",
        _("By month, last 24 months"),
        "line",
        [_("Month"), *(str(label) for _metric, label in TRENDS)],
        [
            Row(
                date_format(month, "YEAR_MONTH_FORMAT"),
                [figures.get(metric, "", month) for metric, _label in TRENDS],
                links=[
                    links.in_months(metric, code, month, month_end(month))
                    for metric, _label in TRENDS
                ],
            )
            for month in months
        ],
        series_tones=tuple(TREND_TONES[metric] for metric, _label in TRENDS),
        note=_("The whole 24 months, whatever the period chosen."),
    )
    visits = Chart(
        "visits",
        _("Monitoring visits by month, %(period)s") % {"period": period.label},
        "bar",
        [_("Month"), _("Visits")],
        [
            Row(
                date_format(month, "YEAR_MONTH_FORMAT"),
                [figures.get("trend_visits", "", month)],
                tone="s1",
            )
            for month in in_period
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


def _children_chart(
    region: Region,
    child_level: str,
    *,
    period: Period,
    in_period: list[datetime.date],
    as_of: datetime.date,
) -> Chart:
    """A row per child region, the highest rate of open warnings per 100 households first; the
    chart draws that rate (the regions differ in size, so counts alone mislead) for the first
    CHILDREN_SHOWN, the table folds the rest."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Figure.objects.filter(
            Q(metric__in=CHILD_METRICS) | Q(metric="trend_alerts", month__in=in_period),
            Scope.under(region.code).q("region_code"),
            level=child_level,
        )
        .values("region_code", "metric")
        .annotate(total=Sum("value"))
        .values_list("region_code", "metric", "total")
    )
    for code, metric, total in rows:
        totals[code][metric] += total
    children = Region.objects.filter(parent=region).order_by("code")
    level_label = Region.Level(child_level).label
    headers = [
        str(level_label),
        _("Open warnings per 100 households"),
        _("Households"),
        _("Monitored households"),
        _("Monitored per 100 households"),
        _("Open risk warnings"),
        _("Warnings opened, %(period)s") % {"period": period.label},
        _("Overdue visits"),
        _("Overdue case steps"),
        _("Measure coverage"),
    ]
    chart_rows = []
    for child in children:
        counts = totals.get(child.code, {})
        households = counts.get("households", 0)
        monitored = counts.get("monitored_category", 0)
        open_alerts = counts.get("open_alerts", 0)
        chart_rows.append(
            Row(
                child.short_name,
                [
                    Rate(open_alerts, households),
                    households,
                    monitored,
                    Rate(monitored, households),
                    open_alerts,
                    counts.get("trend_alerts", 0),
                    counts.get("overdue_visits", 0),
                    counts.get("overdue_steps", 0),
                    Share(counts.get("monitored_covered", 0), monitored),
                ],
                link=child.code,
                links=[
                    links.alerts(child.code),
                    links.households(child.code),
                    links.cases(child.code, status=list(MONITORED_STATUSES)),
                    "",
                    links.alerts(child.code),
                    links.in_months("trend_alerts", child.code, period.first, period.end),
                    links.households(child.code, due_before=as_of),
                    links.overdue_steps(child.code),
                    "",
                ],
                tone="high",
            )
        )
    chart_rows.sort(key=lambda row: (-float(row.values[0]), row.link))
    return Chart(
        "children",
        _("By %(level)s: open warnings per 100 households") % {"level": level_label},
        "bar",
        headers,
        chart_rows,
        plotted=(0,),
        drawn=CHILDREN_SHOWN,
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
