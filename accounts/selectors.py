"""Reads of users and their API tokens."""

from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import FIELD_STAFF_ROLES, User


def users_visible_to(user) -> QuerySet[User]:
    """Users whose region lies within the viewer's or above it: those who may visit, be assigned
    or act in the viewer's region. A user of another region is as unknown as no user at all."""
    prefix = user.scope_prefix if user.is_authenticated else None
    if prefix is None:
        return User.objects.none()
    if not prefix:
        return User.objects.all()
    # The 12-digit codes of the province, city, county and township above the viewer's region.
    above = [prefix[:n].ljust(12, "0") for n in (2, 4, 6, 9) if n < len(prefix)]
    return User.objects.filter(Q(region__code__startswith=prefix) | Q(region_id__in=above))


def field_staff_covering(village_code: str) -> list[User]:
    """Active field staff whose region covers the village: those who may take a warning or be
    responsible for a case or a measure there. The village's own workers come first: they are
    the ones who go and look."""
    candidates = User.objects.filter(
        is_active=True, role__in=FIELD_STAFF_ROLES, region__isnull=False
    ).select_related("region")
    rank: dict[str, int] = {role: n for n, role in enumerate(FIELD_STAFF_ROLES)}
    nearby = [
        (user, prefix)
        for user in candidates
        if (prefix := user.scope_prefix) is not None and village_code.startswith(prefix)
    ]
    nearby.sort(key=lambda pair: (rank[pair[0].role], -len(pair[1]), pair[0].username))
    return [user for user, _ in nearby]


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """The user's API tokens that still work, newest first. An expired one is deleted at its next
    use or by the nightly sweep (accounts/services.py), and is not shown meanwhile."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(live, user=user).order_by("-created")
