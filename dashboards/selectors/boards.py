"""The charts of a dashboard, each with the table of its numbers and the list behind each."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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
from core.scope import Scope
from dashboards import links
from dashboards.charts import Chart, Rate, Row, Share
from dashboards.models import Figure
from dashboards.periods import Period
from dashboards.refresh import MONITORED_STATUSES, NO_PARTNER
from dashboards.selectors.figures import (
    CASE_TONES,
    CHILDREN_SHOWN,
    MEASURE_TONES,
    NO_CASE,
    RISK_TONES,
    TREND_TONES,
    TRENDS,
    Figures,
)
from households.models import Layer, PovertyStatus, Region, RiskLevel
from monitoring.labels import RULE_LABELS


def household_charts(figures: Figures, households: int, code: str) -> list[Chart]:
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
            "layer",
            _("Households by layer"),
            "hbar",
            [_("Layer"), _("Households"), _("Per 100 households")],
            [
                Row(
                    str(label),
                    [n := figures.get("households_layer", value), Rate(n, households)],
                    links=[links.households(code, layer=value), ""],
                    tone="s1",
                )
                for value, label in Layer.choices
                if value != Layer.NONE
            ],
            plotted=(0,),
            note=_(
                "Each household is counted in its first layer: tekun before dibao, dibao before "
                "the dibao edge, and so on."
            ),
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


def alert_charts(figures: Figures, code: str) -> list[Chart]:
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


def measure_charts(figures: Figures, monitored: int, covered: int, code: str) -> list[Chart]:
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


def funnel_and_trends(
    figures: Figures, months: list[datetime.date], period: Period, code: str
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


def children_chart(
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
