"""Reading the self-development capacity readings, scoped to the viewer as every read is: one
household's latest and its trend, and a region's distribution and monthly mean."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, QuerySet
from django.db.models.functions import TruncMonth

from households.models import Region
from households.selectors import households_visible_to, under_region
from monitoring.labels import CAPACITY_LABELS, CAPACITY_REASONS
from monitoring.models import CapacityReading

# The distribution's bands: 0–19, 20–39, … 80–100.
BAND_WIDTH = 20
BANDS = tuple(range(0, 100, BAND_WIDTH))


def readings_visible_to(user) -> QuerySet[CapacityReading]:
    return CapacityReading.objects.filter(household__in=households_visible_to(user))


def household_readings(user, household_id: int, *, limit: int = 12) -> list[CapacityReading]:
    """The household's latest readings, newest first (none for a household out of scope)."""
    return list(
        readings_visible_to(user).filter(household_id=household_id).order_by("-measured_on")[:limit]
    )


def latest_reading(user, household_id: int) -> CapacityReading | None:
    found = household_readings(user, household_id, limit=1)
    return found[0] if found else None


@dataclass(frozen=True)
class ComponentRow:
    code: str
    label: str
    percent: int | None  # the value as a percentage; None: not recorded
    weight: int
    share: float
    points: float
    reason: str


def component_rows(reading: CapacityReading) -> list[ComponentRow]:
    """A reading's components in words. Only the engine's reason is named: never which member
    is ill or disabled (a reason says "can work only in part")."""
    rows = []
    for item in reading.components or ():
        value = item.get("value")
        rows.append(
            ComponentRow(
                code=item.get("code", ""),
                label=str(CAPACITY_LABELS.get(item.get("code", ""), item.get("code", ""))),
                percent=None if value is None else round(float(value) * 100),
                weight=int(item.get("weight", 0)),
                share=float(item.get("share", 0)),
                points=float(item.get("points", 0)),
                # "Not recorded" is said by the value already.
                reason=""
                if item.get("reason") == "not_recorded"
                else str(CAPACITY_REASONS.get(item.get("reason", ""), "")),
            )
        )
    return rows


def readings_within(user, region: Region | None) -> QuerySet[CapacityReading]:
    """The viewer's readings, of the region's households when one is chosen (a drill-down)."""
    readings = readings_visible_to(user)
    if region is not None:
        readings = under_region(readings, region.code, path="household__village__code")
    return readings


def latest_per_household(
    user, *, as_of: datetime.date, region: Region | None = None
) -> QuerySet[CapacityReading]:
    """Each visible household's latest reading on or before the day (DISTINCT ON)."""
    return (
        readings_within(user, region)
        .filter(measured_on__lte=as_of)
        .order_by("household_id", "-measured_on")
        .distinct("household_id")
    )


def band_of(score: int) -> int:
    return min(score // BAND_WIDTH * BAND_WIDTH, BANDS[-1])


@dataclass(frozen=True)
class AreaBands:
    code: str
    name: str
    counts: list[int]  # one a band, in BANDS' order
    total: int
    mean: float | None


def distribution(user, *, as_of: datetime.date, region: Region | None = None) -> list[AreaBands]:
    """How many households of each township (or, under a township, each village) fall in each
    band of 20 points, on their latest reading: one query, grouped in the database."""
    latest = latest_per_household(user, as_of=as_of, region=region).values("id")
    if region is not None and region.level in (Region.Level.TOWNSHIP, Region.Level.VILLAGE):
        code, name = F("household__village_id"), F("household__village__name")
    else:
        code, name = F("household__village__parent_id"), F("household__village__parent__name")
    rows = (
        CapacityReading.objects.filter(id__in=latest)
        .annotate(area=code, area_name=name)
        .values("area", "area_name", "score")
        .annotate(n=Count("id"))
        .order_by("area")
    )
    areas: dict[str, dict] = {}
    for row in rows:
        area = areas.setdefault(
            row["area"], {"name": row["area_name"], "counts": [0] * len(BANDS), "sum": 0, "n": 0}
        )
        area["counts"][BANDS.index(band_of(row["score"]))] += row["n"]
        area["sum"] += row["score"] * row["n"]
        area["n"] += row["n"]
    return [
        AreaBands(
            code,
            Region(name=area["name"]).short_name,  # 水源村, as people say it
            area["counts"],
            area["n"],
            round(area["sum"] / area["n"], 1) if area["n"] else None,
        )
        for code, area in areas.items()
    ]


def monthly_mean(
    user, *, as_of: datetime.date, region: Region | None = None, months: int = 12
) -> list[tuple[datetime.date, float, int]]:
    """(month, mean score, households measured) of the readings of each of the last months."""
    month_index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    first = datetime.date(month_index // 12, month_index % 12 + 1, 1)
    rows = (
        readings_within(user, region)
        .filter(measured_on__gte=first, measured_on__lte=as_of)
        .annotate(month=TruncMonth("measured_on"))
        .values("month")
        .annotate(mean=Avg("score"), n=Count("household_id", distinct=True))
        .order_by("month")
    )
    return [(row["month"], round(float(row["mean"]), 1), row["n"]) for row in rows]
