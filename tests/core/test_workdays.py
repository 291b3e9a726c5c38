"""Working days by the State Council's notices, with a county's data for years not yet known."""

import datetime

import pytest

from core.workdays import WorkCalendar, package_knows

D = datetime.date
CALENDAR = WorkCalendar()


def test_national_day_and_its_make_up_saturday_2026():
    # 2026: 1–7 October off for National Day, Saturday 10 October worked in exchange.
    assert not CALENDAR.is_working_day(D(2026, 10, 1))
    assert not CALENDAR.is_working_day(D(2026, 10, 7))
    assert CALENDAR.is_working_day(D(2026, 10, 10))  # a Saturday, worked (调休)
    assert CALENDAR.is_working_day(D(2026, 10, 8))
    assert not CALENDAR.is_working_day(D(2026, 10, 11))


def test_five_working_days_across_the_national_day_holiday():
    # Opened Wednesday 30 September: the holiday does not count; Thursday 8 October is day 1,
    # then 9, Saturday 10 October (调休), 12 and 13 October.
    assert CALENDAR.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_the_start_day_is_not_counted_and_zero_days_is_the_same_day():
    assert CALENDAR.add_working_days(D(2026, 11, 2), 1) == D(2026, 11, 3)
    assert CALENDAR.add_working_days(D(2026, 11, 2), 0) == D(2026, 11, 2)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(D(2026, 11, 2), -1)


def test_a_calendar_limit_ending_on_a_holiday_ends_on_the_next_working_day():
    # 15 calendar days from 20 September 2026 is 5 October, inside the holiday: 8 October.
    assert CALENDAR.add_calendar_days(D(2026, 9, 20), 15) == D(2026, 10, 8)
    assert CALENDAR.add_calendar_days(D(2026, 11, 2), 15) == D(2026, 11, 17)


def test_a_year_the_package_does_not_know_comes_from_the_countys_data():
    year = 2040
    assert not package_knows(year)
    bare = WorkCalendar()
    assert not bare.knows(year)
    assert bare.is_working_day(D(year, 1, 2))  # a Monday: weekdays only, without data
    data = WorkCalendar(
        overrides={D(year, 1, 1): False, D(year, 1, 2): False, D(year, 1, 7): True},
        years_in_data=frozenset({year}),
    )
    assert data.knows(year)
    assert not data.is_working_day(D(year, 1, 2))
    assert data.is_working_day(D(year, 1, 7))  # a Saturday worked in exchange


def test_working_days_between_and_the_working_day_before():
    assert CALENDAR.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert CALENDAR.working_days_between(D(2026, 10, 13), D(2026, 10, 13)) == 0
    assert CALENDAR.previous_working_day(D(2026, 10, 8)) == D(2026, 9, 30)
