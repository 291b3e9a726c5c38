"""What the livelihood selectors share: months, who counts as being of working age, and the
measures of a household a record may be given under."""

import datetime

from django.db.models import QuerySet

from assistance.models import Measure
from assistance.selectors import measures_visible_to
from core.masking import age_this_year

WORKING_AGE = (16, 64)  # inclusive, in whole years


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """The age reached in `day`'s calendar year (core.masking.age_this_year), not the age to the
    day: a check or a list that changed on the birthday would tell whoever tried dates one by one
    the birth date, the 8 digits the ID mask hides."""
    return age_this_year(birth_date, today=day)


def of_working_age(birth_date: datetime.date, day: datetime.date) -> bool:
    low, high = WORKING_AGE
    return low <= age_on(birth_date, day) <= high


def household_measures(user, household, kind: str) -> QuerySet[Measure]:
    """The measures of a kind of the household's cases the user may see: what a loan, a post or
    an industry support of the household may be linked to."""
    return measures_visible_to(user).filter(case__household=household, kind=kind)
