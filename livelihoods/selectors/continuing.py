"""What runs on after a household's case, with its end date: measures marked to continue
(schooling aid to the end of the stage…), public-welfare posts, and (from the credit part of
this app) loans maturing. Each source returns rows of one shape, `Continuing`; the page lists
them all, soonest end first."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from assistance.models import MeasureStatus
from assistance.selectors import measures_visible_to
from livelihoods.models.credit import OPEN_STATUSES
from livelihoods.selectors.credit import loans_visible_to
from livelihoods.selectors.posts import posts_visible_to


@dataclass(frozen=True)
class Continuing:
    kind: str  # "measure", "post", "loan"
    kind_label: str
    ref: int  # the measure's, post's or loan's id
    household_id: int
    household_number: str
    head_name: str
    title: str
    ends_on: datetime.date


def continuing_measures(user, as_of: datetime.date) -> list[Continuing]:
    measures = (
        measures_visible_to(user)
        .filter(continues_after_case=True, planned_end__gte=as_of)
        .exclude(status=MeasureStatus.STOPPED)
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=as_of))
        .select_related("case__household")
    )
    return [
        Continuing(
            kind="measure",
            kind_label=_("Assistance measure"),
            ref=measure.pk,
            household_id=measure.case.household_id,
            household_number=measure.case.household.number,
            head_name=measure.case.household.head_name,
            title=measure.title,
            ends_on=measure.planned_end,
        )
        for measure in measures
        if measure.planned_end is not None
    ]


def continuing_posts(user, as_of: datetime.date) -> list[Continuing]:
    posts = posts_visible_to(user).filter(ends_on__gte=as_of).select_related("household")
    return [
        Continuing(
            kind="post",
            kind_label=_("Public-welfare post"),
            ref=post.pk,
            household_id=post.household_id,
            household_number=post.household.number,
            head_name=post.household.head_name,
            title=post.title,
            ends_on=post.ends_on,
        )
        for post in posts
    ]


def continuing_loans(user, as_of: datetime.date) -> list[Continuing]:
    """Loans being repaid (active, extended or overdue), their maturity as `ends_on`: a loan
    past its maturity and still unpaid is listed too, since it has not ended."""
    loans = loans_visible_to(user).filter(status__in=OPEN_STATUSES).select_related("household")
    return [
        Continuing(
            kind="loan",
            kind_label=_("Micro-credit loan"),
            ref=loan.pk,
            household_id=loan.household_id,
            household_number=loan.household.number,
            head_name=loan.household.head_name,
            title=_("Micro-credit ¥%(principal)s from %(lender)s")
            % {"principal": f"{loan.principal:,.0f}", "lender": loan.lender},
            ends_on=loan.matures_on,
        )
        for loan in loans
    ]


SOURCES: list[Callable[..., list[Continuing]]] = [
    continuing_measures,
    continuing_posts,
    continuing_loans,
]


def running_after_case(user, as_of: datetime.date, *, limit: int = 500) -> list[Continuing]:
    """Every source's rows still running on `as_of`, soonest end first."""
    rows = [row for source in SOURCES for row in source(user, as_of)]
    rows.sort(key=lambda row: (row.ends_on, row.household_number, row.kind, row.ref))
    return rows[:limit]
