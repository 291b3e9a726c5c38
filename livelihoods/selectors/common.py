"""What the livelihood selectors share: months, and who counts as being of working age."""

import datetime

WORKING_AGE = (16, 64)  # inclusive, in whole years


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def of_working_age(birth_date: datetime.date, day: datetime.date) -> bool:
    low, high = WORKING_AGE
    return low <= age_on(birth_date, day) <= high
