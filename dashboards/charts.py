"""What a dashboard draws: tables of numbers, each with the chart made from it."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.humanize.templatetags.humanize import intcomma

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Share:
    """A part of a whole, shown as a percentage ("–" when the whole is empty)."""

    part: int
    whole: int

    def __float__(self) -> float:
        return 100 * self.part / self.whole if self.whole else 0.0

    def __str__(self) -> str:
        return f"{float(self):.1f}%" if self.whole else "–"


@dataclass(frozen=True)
class Rate:
    """How many per 100 households, with one decimal ("–" when there are no households)."""

    part: int
    households: int

    def __float__(self) -> float:
        return 100 * self.part / self.households if self.households else 0.0

    def __str__(self) -> str:
        return f"{float(self):.1f}" if self.households else "–"


# The colours of the charts, by meaning: each name is a CSS variable `--chart-<name>` defined
# once in dixian.css, which dashboard.js reads. A risk level, a warning and a case state take
# the colour of what they mean; other categories take the neutral series, in order.
MEANING_TONES = ("high", "medium", "low", "none", "ok", "open", "muted")
SERIES_TONES = ("s1", "s2", "s3", "s4", "s5", "s6")


def series_tone(index: int) -> str:
    return SERIES_TONES[index % len(SERIES_TONES)]


def display(value) -> str:
    """12345 -> 12,345; money with two decimals; a share as a percentage; a rate per 100."""
    if isinstance(value, Share | Rate):
        return str(value)
    if isinstance(value, Decimal):
        return intcomma(f"{value:.2f}")
    return intcomma(value)


@dataclass
class Row:
    label: str
    values: list
    link: str = ""  # the region a row of the children's table drills down to
    # The list behind each value (same length as values; "" where there is none).
    links: list[str] = field(default_factory=list)
    tone: str = ""  # the row's colour when the chart draws one series

    @property
    def cells(self) -> list[tuple[str, str]]:
        links = self.links or [""] * len(self.values)
        return [(display(value), link) for value, link in zip(self.values, links, strict=False)]


@dataclass
class Chart:
    """A table of numbers and the chart drawn from it: the chart never shows what the table
    does not."""

    slug: str
    title: str
    kind: str  # bar, hbar, doughnut, line
    headers: list[str]
    rows: list[Row]
    stacked: bool = False
    note: str = ""
    # The value columns the chart draws (all of them unless said); the table shows every one.
    plotted: tuple[int, ...] | None = None
    # The colour of each plotted series when the chart draws several (by meaning or in order).
    series_tones: tuple[str, ...] | None = None
    # The rows the chart draws (the table may hold more, folded): all unless said.
    drawn: int | None = None

    @property
    def columns(self) -> list[int]:
        series = self.headers[1:]
        return list(self.plotted if self.plotted is not None else range(len(series)))

    @property
    def drawn_rows(self) -> list[Row]:
        return self.rows if self.drawn is None else self.rows[: self.drawn]

    @property
    def tones(self) -> list[str]:
        """One colour per row when one series is drawn, else one per series."""
        if len(self.columns) == 1:
            return [row.tone or series_tone(j) for j, row in enumerate(self.drawn_rows)]
        given = self.series_tones or ()
        return [given[n] if n < len(given) else series_tone(n) for n in range(len(self.columns))]

    def as_data(self) -> dict:
        series = self.headers[1:]
        rows = self.drawn_rows
        columns = self.columns
        return {
            "kind": self.kind,
            "stacked": self.stacked,
            "labels": [row.label for row in rows],
            "datasets": [
                {"label": series[i], "data": [float(row.values[i]) for row in rows]}
                for i in columns
            ],
            "tones": self.tones,
            "toneBy": "row" if len(columns) == 1 else "series",
            # The list behind each drawn value: links[row][series].
            "links": [
                [row.links[i] if i < len(row.links) else "" for i in columns] for row in rows
            ],
        }

    @property
    def data_id(self) -> str:
        return f"{self.slug}-data"

    @property
    def is_empty(self) -> bool:
        return not any(float(value) for row in self.rows for value in row.values)


@dataclass
class Tile:
    label: "StrOrPromise"  # often a lazy translation
    value: object
    hint: str = ""
    link: str = ""  # the list behind the figure
    rate: Rate | None = None  # per 100 households, beside the count
    tone: str = ""
    key: str = ""  # what the figure is, whatever the language (the metric's name)

    @property
    def display(self) -> str:
        return display(self.value)
