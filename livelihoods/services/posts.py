"""Writes of the public-welfare posts (公益岗位) and their monthly pay."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.models import MeasureKind
from core.errors import EditConflict
from livelihoods.models import PostPayment, WelfarePost
from livelihoods.selectors.common import add_months, first_of_month
from livelihoods.services.common import (
    UNCHANGED,
    active_member,
    check_money,
    household_measure,
    not_in_future,
    require,
    visible_household,
)

# A post is recorded at most this many days before it starts.
STARTS_WITHIN_DAYS = 366


def _check_period(starts_on, ends_on, renewed: bool) -> None:
    if not isinstance(starts_on, datetime.date) or not isinstance(ends_on, datetime.date):
        raise ValidationError({"ends_on": _("Enter when the post starts and ends.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The post cannot end before it starts.")})
    year_later = add_months(first_of_month(starts_on), 12) + (starts_on - first_of_month(starts_on))
    if not renewed and ends_on >= year_later:
        raise ValidationError(
            {"ends_on": _("A post runs for a year at most unless it was renewed.")}
        )


def post_create(
    *,
    actor: User,
    household_id: int,
    member_id: int,
    title: str,
    employer: str,
    monthly_pay: Decimal,
    starts_on: datetime.date,
    ends_on: datetime.date,
    renewed: bool = False,
    measure_id: int | None = None,
) -> WelfarePost:
    require(actor, "livelihoods.add_welfarepost")
    title, employer = (title or "").strip(), (employer or "").strip()
    if not title or len(title) > 100:
        raise ValidationError({"title": _("Name the post, in under 100 characters.")})
    if not employer or len(employer) > 100:
        raise ValidationError(
            {"employer": _("Name the employing department or village, in under 100 characters.")}
        )
    check_money(monthly_pay, "monthly_pay")
    if isinstance(
        starts_on, datetime.date
    ) and starts_on > timezone.localdate() + datetime.timedelta(days=STARTS_WITHIN_DAYS):
        # A post is recorded when it is given; a start years ahead is a typing slip (and one in
        # the year 9999 once made a 500 of the year's end).
        raise ValidationError({"starts_on": _("A post starts within the coming year.")})
    _check_period(starts_on, ends_on, renewed)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = visible_household(actor, household_id)
        member = active_member(household, member_id)
        measure = household_measure(household, measure_id, MeasureKind.PUBLIC_POST)
        # A form sent twice: the same post of the same member from the same day is one post.
        existing = WelfarePost.objects.filter(
            member=member, title=title, starts_on=starts_on
        ).first()
        if existing is not None:
            return existing
        return WelfarePost.objects.create(
            household=household,
            member=member,
            title=title,
            employer=employer,
            monthly_pay=monthly_pay,
            starts_on=starts_on,
            ends_on=ends_on,
            renewed=renewed,
            measure=measure,
            recorded_by=actor,
        )


def post_change(
    *,
    actor: User,
    post: WelfarePost,
    version: int,
    ends_on: datetime.date | None = None,
    renewed: bool | None = None,
    monthly_pay: Decimal | None = None,
    confirm_end: bool = False,
    measure_id: int | None = UNCHANGED,
) -> WelfarePost:
    """Renew, end early or change the pay of a post, made on `version`. `confirm_end`: the post
    ends on its end date (its task in the task list is done); a later end date (a renewal) opens
    it again. `measure_id`: the public-welfare-post measure of the household's case it is
    given under (None: none); left out, it stays."""
    require(actor, "livelihoods.change_welfarepost")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = visible_household(actor, post.household_id)
        locked = WelfarePost.objects.select_for_update().get(pk=post.pk)
        if locked.version != version:
            raise EditConflict()
        if renewed is not None:
            locked.renewed = renewed
        if ends_on is not None:
            if ends_on != locked.ends_on:
                locked.end_confirmed_on = None
            locked.ends_on = ends_on
        if confirm_end:
            locked.end_confirmed_on = timezone.localdate()
        if monthly_pay is not None:
            locked.monthly_pay = check_money(monthly_pay, "monthly_pay")
        if measure_id is not UNCHANGED:
            locked.measure = household_measure(household, measure_id, MeasureKind.PUBLIC_POST)
        _check_period(locked.starts_on, locked.ends_on, locked.renewed)
        last_paid = locked.payments.order_by("-month").values_list("month", flat=True).first()
        if last_paid is not None and last_paid > locked.ends_on:
            raise ValidationError({"ends_on": _("The post has pay recorded after this date.")})
        locked.version += 1
        locked.save()
        return locked


def post_payment_record(
    *,
    actor: User,
    post: WelfarePost,
    month: datetime.date,
    amount: Decimal,
    paid_on: datetime.date,
) -> tuple[PostPayment, bool]:
    """Record a month's pay of a post; (payment, created). The same month sent again with the
    same amount and day answers the stored payment; with others, it is refused."""
    require(actor, "livelihoods.add_postpayment")
    if not isinstance(month, datetime.date) or not isinstance(paid_on, datetime.date):
        raise ValidationError({"month": _("Enter the month and the day it was paid.")})
    month = first_of_month(month)
    check_money(amount, "amount")
    not_in_future(paid_on, "paid_on")
    with transaction.atomic(), pghistory.context(user=actor.pk):
        visible_household(actor, post.household_id)
        locked = WelfarePost.objects.select_for_update().get(pk=post.pk)
        if not first_of_month(locked.starts_on) <= month <= locked.ends_on:
            raise ValidationError({"month": _("The month is outside the post's period.")})
        if paid_on < month:
            raise ValidationError(
                {"paid_on": _("The pay cannot have been paid before its month began.")}
            )
        existing = locked.payments.filter(month=month).first()
        if existing is not None:
            if existing.amount == amount and existing.paid_on == paid_on:
                return existing, False
            raise ValidationError({"month": _("The pay of this month is already recorded.")})
        payment = PostPayment.objects.create(
            post=locked, month=month, amount=amount, paid_on=paid_on, recorded_by=actor
        )
        return payment, True
