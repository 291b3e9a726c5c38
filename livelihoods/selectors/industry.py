"""Reads of industry support (产业奖补, 联农带农) and what the partners paid."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Role
from core.scope import Scope
from livelihoods.models import IndustryPayment, IndustrySupport
from livelihoods.models.industry import LINK_KINDS


def supports_visible_to(user) -> QuerySet[IndustrySupport]:
    """Field staff and auditors: their region's; a partner's users: their partner's links only."""
    if not user.is_authenticated or not user.has_perm("livelihoods.view_industrysupport"):
        return IndustrySupport.objects.none()
    scope = Scope.of(user)
    if user.role == Role.PARTNER:
        return IndustrySupport.objects.filter(partner_id=scope.partner or 0)
    if scope.sees_nothing:
        return IndustrySupport.objects.none()
    return IndustrySupport.objects.filter(scope.q("household__village__code"))


def support_get(*, user, pk) -> IndustrySupport:
    try:
        return supports_visible_to(user).select_related("household", "partner").get(pk=pk)
    except (IndustrySupport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def industry_payments_of(support: IndustrySupport) -> QuerySet[IndustryPayment]:
    return support.payments.order_by("-paid_on", "-id")


def enterprise_links(household_ids: list[int], as_of: datetime.date) -> dict[int, int]:
    """Per household, its 联农带农 links with an enterprise or cooperative running on `as_of`.
    Pure read, no scoping: the caller passes ids it may see. Every id given is a key."""
    rows = (
        IndustrySupport.objects.filter(
            household_id__in=household_ids, kind__in=LINK_KINDS, starts_on__lte=as_of
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        .values("household_id")
        .annotate(links=Count("pk"))
    )
    result = dict.fromkeys(household_ids, 0)
    for row in rows:
        result[row["household_id"]] = row["links"]
    return result
