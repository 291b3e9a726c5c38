"""Reads of the public-welfare posts and their pay."""

import datetime

from django.db.models import QuerySet
from django.http import Http404

from core.scope import Scope
from livelihoods.models import PostPayment, WelfarePost


def posts_visible_to(user) -> QuerySet[WelfarePost]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("livelihoods.view_welfarepost"):
        return WelfarePost.objects.none()
    return WelfarePost.objects.filter(scope.q("household__village__code"))


def post_get(*, user, pk) -> WelfarePost:
    try:
        return posts_visible_to(user).select_related("household", "member").get(pk=pk)
    except (WelfarePost.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def post_payments_of(post: WelfarePost) -> QuerySet[PostPayment]:
    return post.payments.order_by("-month")


def posts_ending(user, *, as_of: datetime.date, within_days: int) -> QuerySet[WelfarePost]:
    """The user's posts that end within the days given (or have ended) and whose end nobody
    has seen to yet: renewed (a later end) or confirmed."""
    return posts_visible_to(user).filter(
        ends_on__lte=as_of + datetime.timedelta(days=within_days), end_confirmed_on__isnull=True
    )
