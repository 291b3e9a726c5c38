"""The household page as the hub: what the apps above contribute to it, registered from their
ready(), so that households (below them) imports none of them (docs/architecture.md).

Each app that owns something about a household registers a `HubSource` with readers of its own
selectors, scoped to the viewer as every read is:

- `entries(user, household, limit)`: its entries on the household's one timeline, newest first,
  at most `limit`, and how many there are in all (a kind the viewer may not read gives none);
- `actions(user, household)`: the buttons of what the viewer may do here now (录入走访, 农户申报 …),
  decided by the owner's permissions and the household's state, never by the template;
- `risk(user, household)`: the current risk and why (monitoring's warnings);
- `trend(user, household)`: the per-capita income of the latest visits (monitoring's visits);
- `panel(user, household)`: a section of its own (development's self-development capacity).

`household_hub` asks every source once and merges the answers: a few queries a kind, whatever
the household's history (each reader slices its rows and counts them in the same query).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise

# The timeline shows this many entries at first; a kind picked alone shows up to KIND_LIMIT.
TIMELINE_LIMIT = 50
KIND_LIMIT = 200


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    on: datetime.date
    title: str
    detail: str = ""
    url: str = ""  # the entry's own page, "" when it has none or the viewer may not open it
    badge: str = ""  # a risk level's name, shown as its badge
    badge_class: str = ""  # "risk risk-high" …
    outcome: str = ""  # where it stands, in words: a status, a decision
    outcome_class: str = ""  # "state state-ok" for what is done …
    at: datetime.datetime | None = None  # orders entries of the same day
    amount: Decimal | None = None  # money, shown with |money after its label
    amount_label: str = ""
    kind_label: str = ""  # the kind's name, filled in by household_hub


@dataclass(frozen=True)
class EntryPage:
    entries: list[TimelineEntry]
    total: int


@dataclass(frozen=True)
class HubAction:
    key: str
    label: str
    url: str
    order: int = 50
    primary: bool = False


@dataclass(frozen=True)
class RiskReason:
    label: str
    severity: str


@dataclass(frozen=True)
class RiskSummary:
    level: str
    level_label: str
    reasons: list[RiskReason]
    url: str = ""  # the open warning's page
    status: str = ""  # the open warning's state, in words
    opened_on: datetime.date | None = None


@dataclass(frozen=True)
class TrendPoint:
    on: datetime.date
    value: Decimal


@dataclass(frozen=True)
class HubPanel:
    """A section of its own on the household's page (the capacity and its components): its
    owner's template, included with `panel`, and what that template reads."""

    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class HubSource:
    key: str
    label: Promise | str
    order: int
    entries: Callable[..., EntryPage] | None = None
    actions: Callable[..., list[HubAction]] | None = None
    risk: Callable[..., RiskSummary | None] | None = None
    trend: Callable[..., list[TrendPoint]] | None = None
    panel: Callable[..., HubPanel | None] | None = None


SOURCES: dict[str, HubSource] = {}


def register(source: HubSource) -> None:
    """Add a source (call it from the owning app's AppConfig.ready())."""
    if SOURCES.get(source.key, source) != source:
        raise ValueError(f"household hub source {source.key!r} is taken")
    SOURCES[source.key] = source


@dataclass(frozen=True)
class KindCount:
    key: str
    label: str
    total: int
    shown: int


@dataclass
class Hub:
    actions: list[HubAction] = field(default_factory=list)
    risk: RiskSummary | None = None
    trend: list[TrendPoint] = field(default_factory=list)
    panels: list[HubPanel] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    kinds: list[KindCount] = field(default_factory=list)
    kind: str = ""  # the one kind shown, "" for all
    more: bool = False  # entries left out of the timeline


def shared_read(user, household, key: str, read: Callable[[], object]):
    """What `read()` returns, read once for this viewer and this household object: the blocks
    of one page (the hub's sources, the sections its template includes) ask for the same rows
    (the visits of the timeline, of the income trend and of this month's work; the cadre's
    contacts), and each asking again cost a statement. Kept on the household object that the
    view read for this request, so it never outlives the request."""
    memo = household.__dict__.setdefault("_hub_shared", {})
    memo_key = (key, getattr(user, "pk", None))
    if memo_key not in memo:
        memo[memo_key] = read()
    return memo[memo_key]


def _sorted_sources() -> list[HubSource]:
    return sorted(SOURCES.values(), key=lambda source: (source.order, source.key))


def _newest_first(entry: TimelineEntry) -> tuple:
    moment = entry.at or datetime.datetime.combine(entry.on, datetime.time.min)
    if timezone.is_aware(moment):
        moment = timezone.make_naive(moment)
    return (entry.on, moment)


def household_hub(*, user, household, kind: str = "") -> Hub:
    """Everything the apps contribute to the household's page, for this viewer."""
    hub = Hub(kind=kind if kind in SOURCES else "")
    limit = KIND_LIMIT if hub.kind else TIMELINE_LIMIT
    entries: list[TimelineEntry] = []
    for source in _sorted_sources():
        if source.actions is not None:
            hub.actions.extend(source.actions(user, household))
        if source.risk is not None and hub.risk is None:
            hub.risk = source.risk(user, household)
        if source.trend is not None and not hub.trend:
            hub.trend = source.trend(user, household)
        if source.panel is not None:
            panel = source.panel(user, household)
            if panel is not None:
                hub.panels.append(panel)
        if source.entries is not None and (not hub.kind or source.key == hub.kind):
            page = source.entries(user, household, limit)
            label = str(source.label)
            entries.extend(replace(entry, kind_label=label) for entry in page.entries)
            if page.total:
                hub.kinds.append(KindCount(source.key, str(source.label), page.total, 0))
    entries.sort(key=_newest_first, reverse=True)
    hub.timeline = entries[:limit]
    shown: dict[str, int] = {}
    for entry in hub.timeline:
        shown[entry.kind] = shown.get(entry.kind, 0) + 1
    hub.kinds = [
        KindCount(count.key, count.label, count.total, shown.get(count.key, 0))
        for count in hub.kinds
    ]
    hub.more = any(count.shown < count.total for count in hub.kinds)
    hub.actions.sort(key=lambda action: (action.order, action.key))
    return hub


@dataclass(frozen=True)
class TrendBar:
    x: int
    y: int
    width: int
    height: int
    point: TrendPoint
    latest: bool


@dataclass(frozen=True)
class TrendChart:
    """The income trend drawn as bars of an inline SVG (no script, no style attribute: the
    page's content security policy allows neither), oldest visit on the left."""

    bars: list[TrendBar]
    width: int
    height: int
    first: TrendPoint
    last: TrendPoint
    change: Decimal | None  # the last against the first, as a ratio; None when the first is 0
    rising: bool


def trend_chart(points: list[TrendPoint], *, slot: int = 20, height: int = 48) -> TrendChart | None:
    """A bar of `slot` pixels a visit, scaled to the highest income; a negative or nil income
    is drawn as a sliver. None for fewer than two visits: no trend to show."""
    if len(points) < 2:
        return None
    gap = max(2, slot // 4)
    top = max(point.value for point in points)
    bars = []
    for index, point in enumerate(points):
        share = point.value / top if top > 0 and point.value > 0 else Decimal(0)
        bar_height = max(2, int(share * (height - 2)))
        bars.append(
            TrendBar(
                x=index * slot + gap // 2,
                y=height - bar_height,
                width=slot - gap,
                height=bar_height,
                point=point,
                latest=index == len(points) - 1,
            )
        )
    width = slot * len(points)
    first, last = points[0], points[-1]
    change = (last.value - first.value) / first.value if first.value > 0 else None
    return TrendChart(bars, width, height, first, last, change, last.value >= first.value)
