"""Reads of the registry, scoped by region (core/scope.py) for pages, the API and the admin."""

import re
from types import SimpleNamespace

from django.contrib.auth import get_permission_codename
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Reverse
from django.http import Http404

from core.scope import Scope
from households.models import Household, LifeEvent, Member, Region, SensitiveAccess


def query_text(params, key: str) -> str:
    """A list's text filter from the query string, stripped; "" for a value PostgreSQL cannot
    compare (a NUL byte raises an error rather than matching nothing)."""
    value = params.get(key, "").strip()
    return "" if "\x00" in value else value


def region_prefix_of(user) -> str | None:
    """The code prefix of the user's region, as services record it on what they write (a
    look-up, an export): "" for everything, None for an account without a region."""
    return Scope.of(user).prefix


def user_covers(user, code: str) -> bool:
    """Whether a region code, or a code prefix (a scan's scope), lies in the user's region."""
    return Scope.of(user).covers(code)


def regions_visible_to(user) -> QuerySet[Region]:
    if not user.has_perm("households.view_region"):
        return Region.objects.none()
    return regions_within(user)


def regions_within(user) -> QuerySet[Region]:
    """The user's region and every region under it, whatever the role: the areas a form offers
    (a partner's area, a warning queue's villages). Nothing for an account without a region."""
    scope = Scope.of(user)
    if scope.sees_nothing:
        return Region.objects.none()
    return Region.objects.filter(scope.q("code"))


def regions_under(region: Region) -> QuerySet[Region]:
    """The region and every region under it."""
    return Region.objects.filter(Scope.under(region.code).q("code"))


def region_within(*, user, code: str) -> Region | None:
    """The region `code` if it lies in the user's region; None otherwise."""
    return regions_within(user).filter(code=code).first()


def under_region(
    queryset: QuerySet, region: str, *, path: str = "village__code", as_range: bool = False
) -> QuerySet:
    """A list filtered to a region given as a full code (everything under it) or a code prefix:
    the region filter of lists whose rows hang from a village (households, warnings). With
    `as_range`, said as a range of codes (Scope.q_range), for a list read in an index's order."""
    scope = Scope.under(region)
    return queryset.filter(scope.q_range(path) if as_range else scope.q(path))


# A household number is the village's 12-digit code and a sequence (16 digits in practice, 12 to
# 20 allowed). Fewer than 12 digits cannot name a village, so they are the number's end: the
# last 4 digits a worker reads off a door plate or a form ("…0123"), up to 11.
NUMBER_PREFIX_DIGITS = 12
# An ID number typed in a search box: 17 digits and a check character. It is never searched in
# a query string (households.views.household_search takes it in a POST body).
ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")


def looks_like_id_number(value: str) -> bool:
    return ID_NUMBER_SHAPE.fullmatch(value) is not None


def households_numbered(digits: str) -> QuerySet[Household]:
    """Households whose number starts with `digits` (12 digits and more: a village's code, a
    whole number) or ends with them (fewer): the end is found through the index of the reversed
    number (household_number_reversed), a range scan however large the registry."""
    if len(digits) >= NUMBER_PREFIX_DIGITS:
        return Household.objects.filter(number__startswith=digits)
    return Household.objects.alias(number_reversed=Reverse("number")).filter(
        number_reversed__startswith=digits[::-1]
    )


def number_search(queryset: QuerySet, digits: str, *, path: str = "") -> QuerySet:
    """`queryset` (households, or rows of a household through `path`) narrowed to the household
    numbers `digits` names (households_numbered)."""
    if not path:
        if len(digits) >= NUMBER_PREFIX_DIGITS:
            return queryset.filter(number__startswith=digits)
        return queryset.alias(number_reversed=Reverse("number")).filter(
            number_reversed__startswith=digits[::-1]
        )
    return queryset.filter(**{f"{path}__in": households_numbered(digits).values("pk")})


def id_number_search(queryset: QuerySet, id_number_hash: str, *, path: str = "") -> QuerySet:
    """`queryset` narrowed to the households with a member (present or past) whose ID number has
    the keyed hash `id_number_hash` (core.id_numbers.lookup_hash): never the number itself."""
    household = OuterRef(path or "pk")
    return queryset.filter(
        Exists(Member.objects.filter(household=household, id_number_hash=id_number_hash))
    )


def households_visible_to(user, *, as_range: bool = False) -> QuerySet[Household]:
    """The households of the user's region. With `as_range`, the region is said as a range of
    codes (Scope.q_range), for a list read in the order of an index on the village."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("households.view_household"):
        return Household.objects.none()
    return Household.objects.filter(
        scope.q_range("village__code") if as_range else scope.q("village__code")
    )


# A household number begins with its village's code, so "by number" is, for every household that
# never moved, "by village, then number". Said that way, the list of a township (or a village) is
# read in order from the index (village, number, id) through the range of its codes
# (Scope.q_range), where "number" alone walked the number index past every household of the
# townships numbered before it: 62 ms of PostgreSQL for the last township of the bench's county at
# 100,000 households, and the bench's township list took 344 ms at 1,000,000 (docs/benchmarks.md,
# "ordered by number"). A household that moved keeps its number and is listed with its new village.
NUMBER_ORDER = {"number": ("village_id", "number"), "-number": ("-village_id", "-number")}


def household_ordering(terms) -> tuple[str, ...]:
    """A household list's order as it is read: "number" as the village and the number."""
    return tuple(term for asked in terms for term in NUMBER_ORDER.get(asked, (asked,)))


def households_listed(user) -> QuerySet[Household]:
    """The households of the household lists (the API's, the page's and its export's) in number
    order (NUMBER_ORDER): those households_visible_to gives, the scope said as a range of codes
    (Scope.q_range), so that the list reads the index (village, number, id) in its order.
    Only here: other reads of households were planned on the prefix (the task list's counts
    read the village-and-date index, tests/structure/test_plans.py)."""
    return households_visible_to(user, as_range=True).order_by(*household_ordering(["number"]))


def members_visible_to(user) -> QuerySet[Member]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("households.view_member"):
        return Member.objects.none()
    return Member.objects.filter(scope.q("household__village__code"))


# The member columns a masked list serializes (households.serializers.MemberSerializer): never
# the encrypted ID number or its hash, nor the health details withheld until unmasked.
WITHHELD_WHEN_MASKED = ("health", "disability", "health_note")
MASKED_LIST_COLUMNS = (
    "id",
    "household_id",
    "name",
    "id_number_masked",
    "sex",
    "birth_date",  # turned into the age in the calendar year; never shown
    *(name for name in Member.FACT_FIELDS if name not in WITHHELD_WHEN_MASKED),
    "version",
)


def masked_member_rows(household_ids: list[int]) -> dict[int, list[SimpleNamespace]]:
    """The members of households already read through the viewer's scope, for a masked list:
    one query, in the members' own order, as plain rows rather than model instances (a page of
    50 households holds about 200 members, and building a model instance for each cost more
    than the rest of the serializing)."""
    rows: dict[int, list[SimpleNamespace]] = {pk: [] for pk in household_ids}
    members = (
        Member.objects.filter(household_id__in=household_ids)
        .order_by("household_id", "id")  # Member's own ordering
        .values(*MASKED_LIST_COLUMNS)
    )
    for values in members:
        rows[values["household_id"]].append(SimpleNamespace(**values))
    return rows


def accesses_visible_to(user) -> QuerySet[SensitiveAccess]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("households.view_sensitiveaccess"):
        return SensitiveAccess.objects.none()
    return SensitiveAccess.objects.filter(scope.q("household__village__code"))


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


def household_history(*, household: Household, viewer) -> QuerySet:
    """Every recorded change of the household and of the rows that refer to it, newest first:
    of the kinds of row the viewer may read (a village worker reads no department's signal)."""
    import pghistory.models
    from pghistory import core as pghistory_core

    readable = []
    for event_model in pghistory_core.event_models(references_model=Household):
        tracked = event_model.pgh_tracked_model._meta  # type: ignore[attr-defined]
        if viewer.has_perm(f"{tracked.app_label}.{get_permission_codename('view', tracked)}"):
            readable.append(event_model)
    if not readable:
        return pghistory.models.Events.objects.none()
    events = pghistory.models.Events.objects.across(*readable)
    return events.references(household).order_by("-pgh_created_at")


def household_registry_changes(*, household: Household) -> QuerySet:
    """The changes people made to the household and its members, newest first: the registry's
    entries on the household's timeline (a case's or a warning's changes are theirs)."""
    import pghistory.models

    # Read across the two event tables, not filtered out of the union of every table that
    # refers to a household: planning that union took PostgreSQL about 5 ms a statement.
    events = pghistory.models.Events.objects.across(
        "households.HouseholdEvent", "households.MemberEvent"
    )
    return events.references(household).order_by("-pgh_created_at")


def household_life_events(*, household: Household) -> QuerySet[LifeEvent]:
    """The household's life events, newest first: the timeline of its page and of the API. The
    caller shows the other household of an event only if the viewer may see it
    (`households_visible_ids`)."""
    return household.life_events.select_related("member", "other_household").order_by(
        "-occurred_on", "-id"
    )


def households_visible_ids(user, ids) -> set[int]:
    """Which of these households the user may see, in one query."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return set()
    return set(households_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def household_members_active(*, household: Household) -> QuerySet[Member]:
    """The members who live in the household now, head first: a form's choices."""
    return household.members.filter(status=Member.Status.ACTIVE).order_by(
        models.Case(models.When(relation=Member.Relation.HEAD, then=0), default=1), "pk"
    )


def merge_candidates(*, user, household: Household) -> QuerySet[Household]:
    """Households of the same village, other than this one, with members: what may merge in."""
    return (
        households_visible_to(user)
        .filter(village_id=household.village_id, member_count__gt=0)
        .exclude(pk=household.pk)
        .order_by("number")
    )
