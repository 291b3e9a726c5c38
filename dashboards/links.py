"""The lists behind the dashboard's figures: each figure links to the rows it counts, filtered
by the same region, key and period, so the list shows the figure's number."""

import datetime

from django.urls import reverse
from django.utils.http import urlencode


def _link(name: str, **params) -> str:
    query = urlencode(
        [(key, item) for key, value in params.items() for item in _items(value)], doseq=False
    )
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _items(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    return [str(value)]


def households(region: str, **filters) -> str:
    return _link("household-list", region=region, **filters)


def alerts(region: str, **filters) -> str:
    """Open warnings (the queue), or with closed=1 every warning (a period's)."""
    return _link("alert-queue", region=region, **filters)


def cases(region: str, **filters) -> str:
    return _link("case-list", show="all", region=region, **filters)


def overdue_steps(region: str, **filters) -> str:
    return _link("case-overdue", region=region, **filters)


def measures(region: str, **filters) -> str:
    return _link("measure-list", region=region, **filters)


def in_months(metric: str, region: str, first: datetime.date, end: datetime.date) -> str:
    """The list behind a monthly figure summed over the months first..end; "" when there is no
    such list (department signals, confirmations, visits)."""
    if metric == "trend_alerts":
        return alerts(region, closed=1, opened_from=first, opened_to=end)
    if metric == "trend_enrolled":
        return cases(region, enrolled_from=first, enrolled_to=end)
    if metric == "trend_eliminated":
        return cases(region, eliminated_from=first, eliminated_to=end)
    if metric == "trend_delivered":
        return measures(region, status="delivered", delivered_from=first, delivered_to=end)
    return ""
