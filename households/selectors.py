"""Reads of the registry. Region scoping lives here, once, for pages, the API and the admin."""

from django.db.models import QuerySet
from django.http import Http404

from households.models import Household, Member, Region, SensitiveAccess


def _prefix(user) -> str | None:
    if not user.is_authenticated:
        return None
    return user.scope_prefix


def query_text(params, key: str) -> str:
    """A list's text filter from the query string, stripped; "" for a value PostgreSQL cannot
    compare (a NUL byte raises an error rather than matching nothing)."""
    value = params.get(key, "").strip()
    return "" if "\x00" in value else value


def regions_visible_to(user) -> QuerySet[Region]:
    prefix = _prefix(user)
    if prefix is None or not user.has_perm("households.view_region"):
        return Region.objects.none()
    return Region.objects.filter(code__startswith=prefix)


def households_visible_to(user) -> QuerySet[Household]:
    prefix = _prefix(user)
    if prefix is None or not user.has_perm("households.view_household"):
        return Household.objects.none()
    return Household.objects.filter(village__code__startswith=prefix)


def members_visible_to(user) -> QuerySet[Member]:
    prefix = _prefix(user)
    if prefix is None or not user.has_perm("households.view_member"):
        return Member.objects.none()
    return Member.objects.filter(household__village__code__startswith=prefix)


def accesses_visible_to(user) -> QuerySet[SensitiveAccess]:
    prefix = _prefix(user)
    if prefix is None or not user.has_perm("households.view_sensitiveaccess"):
        return SensitiveAccess.objects.none()
    return SensitiveAccess.objects.filter(household__village__code__startswith=prefix)


def household_get(*, user, pk) -> Household:
    """The household if the user may see it; a 404 otherwise, never a 403 that confirms it."""
    try:
        return households_visible_to(user).select_related("village__parent").get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def member_get(*, user, pk) -> Member:
    try:
        return members_visible_to(user).select_related("household").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def village_in_scope(*, user, code: str) -> Region | None:
    return regions_visible_to(user).filter(code=code, level=Region.Level.VILLAGE).first()


def household_history(*, household: Household) -> QuerySet:
    """Every recorded change of the household and of its members, newest first."""
    import pghistory.models

    return pghistory.models.Events.objects.references(household).order_by("-pgh_created_at")
