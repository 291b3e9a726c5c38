"""The figures of one region as the dashboards read them, and what their keys mean (colours)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy

from assistance.models import CaseStatus, MeasureStatus
from core.regions import PARENT_LEVEL
from dashboards.refresh import TREND_MONTHS, trend_start
from households.models import RiskLevel

CHILD_LEVEL = {child: parent for parent, child in PARENT_LEVEL.items() if child}
FUNNEL_MONTHS = 12
NO_CASE = "none"
# The colour of a key by what it means (dashboards.charts.MEANING_TONES).
RISK_TONES: dict[str, str] = {
    RiskLevel.HIGH: "high",
    RiskLevel.MEDIUM: "medium",
    RiskLevel.LOW: "low",
}
CASE_TONES: dict[str, str] = {
    NO_CASE: "none",
    CaseStatus.IDENTIFYING: "open",
    CaseStatus.ENROLLED: "medium",
    CaseStatus.ELIMINATING: "low",
    CaseStatus.ELIMINATED: "ok",
    CaseStatus.REJECTED: "muted",
}
MEASURE_TONES: dict[str, str] = {
    MeasureStatus.PLANNED: "open",
    MeasureStatus.IN_PROGRESS: "low",
    MeasureStatus.DELIVERED: "ok",
    MeasureStatus.STOPPED: "muted",
}
TREND_TONES: dict[str, str] = {
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


class Figures:
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


def months_counted(as_of: datetime.date) -> list[datetime.date]:
    first = trend_start(as_of)
    months = []
    for n in range(TREND_MONTHS):
        index = first.year * 12 + first.month - 1 + n
        months.append(datetime.date(index // 12, index % 12 + 1, 1))
    return months
