"""Reads of users and their API tokens."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import FIELD_STAFF_ROLES, SavedFilter, User
from core.scope import Scope


def users_visible_to(user) -> QuerySet[User]:
    """Users whose region lies within the viewer's or above it: those who may visit, be assigned
    or act in the viewer's region. A user of another region is as unknown as no user at all."""
    scope = Scope.of(user)
    if scope.sees_nothing:
        return User.objects.none()
    if scope.sees_everything:
        return User.objects.all()
    return User.objects.filter(scope.q("region__code") | Q(region_id__in=scope.regions_above()))


def users_managed_by(user, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Accounts of the user's region and the regions under it: those a county officer manages
    in the admin (not the accounts above it, nor those of another county)."""
    queryset = User.objects.all() if queryset is None else queryset
    scope = Scope.of(user)
    if scope.sees_nothing:
        return queryset.none()
    if scope.sees_everything:
        return queryset
    return queryset.filter(scope.q("region__code"))


def users_covering(code: str) -> QuerySet[User]:
    """Users whose scope covers the region `code`: those of the region itself or of a region
    above it, and superusers (who see everything) given a region."""
    return User.objects.filter(
        Q(region_id__in=[*Scope.under(code).regions_above(), code])
        | Q(is_superuser=True, region__isnull=False)
    )


def users_overlapping(prefixes: Iterable[str]) -> QuerySet[User]:
    """Users whose region covers one of the regions given (as code prefixes) or lies under one:
    those who see at least part of them. Superusers with a region see them all."""
    condition = Q(is_superuser=True, region__isnull=False)
    above: set[str] = set()
    for prefix in prefixes:
        region = Scope.under(prefix)
        condition |= region.q("region__code")
        above.update(region.regions_above())
    return User.objects.filter(condition | Q(region_id__in=above))


def field_staff_covering(village_code: str) -> list[User]:
    """Active field staff whose region covers the village: those who may take a warning or be
    responsible for a case or a measure there. The village's own workers come first: they are
    the ones who go and look."""
    rank: dict[str, int] = {role: n for n, role in enumerate(FIELD_STAFF_ROLES)}
    nearby = users_covering(village_code).filter(is_active=True, role__in=FIELD_STAFF_ROLES)
    return sorted(
        nearby,
        key=lambda user: (rank[user.role], -len(Scope.of(user).prefix or ""), user.username),
    )


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """The user's API tokens that still work, newest first. An expired one is deleted at its next
    use or by the nightly sweep (accounts/services.py), and is not shown meanwhile."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(live, user=user).order_by("-created")


def saved_filters_of(user, list_key: str) -> QuerySet[SavedFilter]:
    """The filters a user saved on a list: their own only."""
    if not user.is_authenticated:
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user=user, list_key=list_key).order_by("name", "id")
