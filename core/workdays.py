"""Working days as the State Council's holiday notices define them, and deadlines counted in them.

A working day is a weekday that is no official holiday, or a weekend day made a working day in
exchange (调休). The notices of past and current years come from the `chinese-calendar` package;
a year the package does not know yet (each notice is published in the autumn before its year)
is filled in from data a county keeps (`assistance.CalendarDay`, passed in as `overrides`),
which also wins over the package where both speak. Without either, a year falls back to plain
weekdays, and `known_years` lets a page warn about it.

Periods are counted as Chinese administrative law counts them: the day the period starts is not
counted (期间开始的日不计算在内), so a step opened on Monday with a limit of 5 working days is due
on the fifth working day after Monday; a limit in calendar days whose last day is a holiday ends
on the first working day after it (期间届满的最后一日是节假日的，以节假日后的第一日为届满日期).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)


def package_knows(year: int) -> bool:
    """Whether the holiday package carries the State Council's notice for `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    # Days set by data: True a working day (a make-up Saturday), False a day off (a holiday).
    overrides: Mapping[datetime.date, bool] = field(default_factory=dict)
    # Years whose notice the data carries in full, beside the package's own.
    years_in_data: frozenset[int] = frozenset()

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def knows(self, year: int) -> bool:
        """Whether `year`'s holidays are known, from the package or the data."""
        return year in self.years_in_data or package_knows(year)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The `days`-th working day after `start` (`start` itself is not counted)."""
        if days < 0:
            raise ValueError("a limit is a number of days from 0 up")
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return day

    def add_calendar_days(self, start: datetime.date, days: int) -> datetime.date:
        """`days` calendar days after `start`, moved to the next working day when the last day
        falls on a day off."""
        day = start + datetime.timedelta(days=days)
        while days and not self.is_working_day(day):
            day += ONE_DAY
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not later)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def previous_working_day(self, day: datetime.date) -> datetime.date:
        day -= ONE_DAY
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day
