"""The period a dashboard's period figures cover: this month, this quarter, this year or a range
of months, within the months the figures are counted for (the last TREND_MONTHS)."""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

PERIOD_CHOICES = (
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("year", _("This year")),
    ("range", _("Months chosen")),
)
DEFAULT_PERIOD = "year"


@dataclass(frozen=True)
class Period:
    key: str
    first: datetime.date  # the first day of its first month
    last: datetime.date  # the first day of its last month

    @property
    def end(self) -> datetime.date:
        """The last day of the period."""
        days = calendar.monthrange(self.last.year, self.last.month)[1]
        return self.last.replace(day=days)

    @property
    def label(self) -> str:
        first = date_format(self.first, "YEAR_MONTH_FORMAT")
        if self.first == self.last:
            return first
        return f"{first} – {date_format(self.last, 'YEAR_MONTH_FORMAT')}"

    def months(self, months: list[datetime.date]) -> list[datetime.date]:
        return [month for month in months if self.first <= month <= self.last]

    @property
    def month_value_first(self) -> str:
        """The <input type=month> value of the first month."""
        return f"{self.first:%Y-%m}"

    @property
    def month_value_last(self) -> str:
        return f"{self.last:%Y-%m}"

    @property
    def query(self) -> str:
        """The period as query parameters, to keep it across the page's own links."""
        if self.key == "range":
            return f"&period=range&from={self.month_value_first}&to={self.month_value_last}"
        return f"&period={self.key}"


def _month(value: str) -> datetime.date | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, OverflowError):  # "10000000000000000000-1" overflows the C int
        return None


def period_of(params, *, as_of: datetime.date, earliest: datetime.date) -> Period:
    """The period the parameters ask for, kept within the months counted; this year unless
    said (or said in a way that cannot be read)."""
    key = params.get("period", DEFAULT_PERIOD)
    this_month = as_of.replace(day=1)
    if key == "month":
        first = this_month
    elif key == "quarter":
        first = this_month.replace(month=(as_of.month - 1) // 3 * 3 + 1)
    elif key == "range":
        start = _month(str(params.get("from") or ""))
        stop = _month(str(params.get("to") or ""))
        if start and stop:
            start, stop = min(start, stop), max(start, stop)
            start = min(max(start, earliest), this_month)
            stop = min(max(stop, earliest), this_month)
            return Period("range", start, stop)
        key, first = DEFAULT_PERIOD, this_month.replace(month=1)
    else:
        key, first = DEFAULT_PERIOD, this_month.replace(month=1)
    return Period(key, max(first, earliest), this_month)
