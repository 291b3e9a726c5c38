"""What a dashboard draws: tables of numbers, each with the chart made from it."""

from dataclasses import dataclass
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


def display(value) -> str:
    """12345 -> 12,345; money with two decimals; a share as a percentage."""
    if isinstance(value, Share):
        return str(value)
    if isinstance(value, Decimal):
        return intcomma(f"{value:.2f}")
    return intcomma(value)


@dataclass
class Row:
    label: str
    values: list
    link: str = ""

    @property
    def cells(self) -> list[str]:
        return [display(value) for value in self.values]


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

    def as_data(self) -> dict:
        series = self.headers[1:]
        columns = self.plotted if self.plotted is not None else range(len(series))
        return {
            "kind": self.kind,
            "stacked": self.stacked,
            "labels": [row.label for row in self.rows],
            "datasets": [
                {"label": series[i], "data": [float(row.values[i]) for row in self.rows]}
                for i in columns
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

    @property
    def display(self) -> str:
        return display(self.value)
