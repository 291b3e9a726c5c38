"""The household's self-development capacity on its page (households.hub): the latest score with
every component (value, weight, the points it gave, why), and the trend of its readings."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.hub import HubPanel, HubSource, register
from households.models import Household
from monitoring.capacity_selectors import component_rows, household_readings

CAPACITY = "capacity"
TREND_READINGS = 12
BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 20, 6, 64


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    score: int
    on: object


def trend_bars(readings) -> list[Bar]:
    """The readings oldest first as bars of an inline SVG (attributes only: the page's content
    security policy allows no style attribute), 0 to 100 over the chart's height."""
    bars = []
    for index, reading in enumerate(reversed(readings)):
        height = max(1, round(reading.score * CHART_HEIGHT / 100))
        bars.append(
            Bar(
                index * (BAR_WIDTH + BAR_GAP),
                CHART_HEIGHT - height,
                height,
                reading.score,
                reading.measured_on,
            )
        )
    return bars


def capacity_panel(user, household: Household) -> HubPanel | None:
    readings = household_readings(user, household.pk, limit=TREND_READINGS)
    if not readings:
        return None
    latest = readings[0]
    rows = component_rows(latest)
    bars = trend_bars(readings)
    return HubPanel(
        key=CAPACITY,
        title=_("Self-development capacity"),
        template="development/hub_capacity.html",
        context={
            "reading": latest,
            "rows": rows,
            "shared": any(row.percent is None and row.weight for row in rows),
            "no_working_age": latest.working_age == 0,
            "bars": bars,
            "chart_width": max(len(bars) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, BAR_WIDTH),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
            "previous": readings[1] if len(readings) > 1 else None,
        },
    )


def register_sources() -> None:
    register(
        HubSource(
            key=CAPACITY,
            label=gettext_lazy("Self-development capacity"),
            order=80,
            panel=capacity_panel,
        )
    )
