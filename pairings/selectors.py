"""Reads of the pairings and the contact log, scoped by region (core/scope.py)."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import FIELD_STAFF_ROLES, User
from accounts.selectors import field_staff_covering
from core import regions
from core.scope import Scope
from households.hub import KIND_LIMIT, shared_read
from households.models import Household, PovertyStatus
from households.selectors import households_visible_to
from monitoring.selectors import policy_rows_visible_to
from pairings.models import Contact, Pairing, PairingPolicy

DEFAULT_MAX_HOUSEHOLDS = 10
DEFAULT_CONTACT_EVERY_DAYS = 30


@dataclass(frozen=True)
class Policy:
    max_households: int = DEFAULT_MAX_HOUSEHOLDS
    contact_every_days: int = DEFAULT_CONTACT_EVERY_DAYS
    include_lifted_out: bool = False


class Policies:
    """Every policy row read once; the nearest region's wins, then the national default."""

    def __init__(self) -> None:
        self._rows = {row.region_id: row for row in PairingPolicy.objects.all()}

    def for_code(self, code: str | None) -> Policy:
        nearest = regions.nearest_first(code) if code else []
        for region in [*nearest, None]:
            row = self._rows.get(region)
            if row is not None:
                return Policy(row.max_households, row.contact_every_days, row.include_lifted_out)
        return Policy()


def policy_for(code: str | None) -> Policy:
    """The policy of a region (a household's village, a cadre's region)."""
    return Policies().for_code(code)


def contact_every_days_of(code: str | None) -> Coalesce:
    """The contact frequency of a region as an SQL expression (the nearest region's row, then
    the national one, then the default), so that a list built on it reads no policy beforehand."""
    nearest = regions.nearest_first(code) if code else []
    rank = Case(
        *(When(region_id=region, then=Value(index)) for index, region in enumerate(nearest)),
        default=Value(len(nearest)),
    )
    row = (
        PairingPolicy.objects.filter(Q(region_id__in=nearest) | Q(region__isnull=True))
        .order_by(rank)
        .values("contact_every_days")[:1]
    )
    return Coalesce(Subquery(row), Value(DEFAULT_CONTACT_EVERY_DAYS))


def policies_visible_to(queryset: QuerySet[PairingPolicy], user) -> QuerySet[PairingPolicy]:
    """The national row, and the rows of the user's region and of the regions above it."""
    return policy_rows_visible_to(queryset, user)


def pairings_visible_to(user) -> QuerySet[Pairing]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("pairings.view_pairing"):
        return Pairing.objects.none()
    return Pairing.objects.filter(scope.q("household__village__code"))


def contacts_visible_to(user) -> QuerySet[Contact]:
    """The contact log: its free text is for field staff and auditors (view_contact), never for
    partners, whose role does not carry the permission."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("pairings.view_contact"):
        return Contact.objects.none()
    return Contact.objects.filter(scope.q("household__village__code"))


def pairing_get(*, user, pk) -> Pairing:
    try:
        return pairings_visible_to(user).select_related("household", "cadre").get(pk=pk)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_pairing_of(household: Household) -> Pairing | None:
    return household.pairings.filter(ended_on__isnull=True).select_related("cadre").first()


def cadres_for(household: Household) -> list[User]:
    """Active field staff whose region covers the household's village: who may be paired."""
    return field_staff_covering(household.village_id)


def cadre_may_take(*, cadre: User, household: Household) -> bool:
    return (
        cadre.is_active
        and cadre.role in FIELD_STAFF_ROLES
        and Scope.of(cadre).covers(household.village_id)
    )


def open_count_of(cadre: User) -> int:
    return Pairing.objects.filter(cadre=cadre, ended_on__isnull=True).count()


def _last_contact() -> Subquery:
    return Subquery(
        Contact.objects.filter(pairing=OuterRef("pk"))
        .order_by("-contacted_on")
        .values("contacted_on")[:1]
    )


@dataclass(frozen=True)
class MyHousehold:
    pairing: Pairing
    last_contact_on: datetime.date | None
    due_on: datetime.date
    overdue: bool


def households_of_cadre(*, user, as_of: datetime.date) -> list[MyHousehold]:
    """The cadre's own open pairings, the longest waiting first, with when the next contact is
    due: the last contact (or the pairing's start) plus the household's contact frequency."""
    if not user.has_perm("pairings.view_pairing"):
        return []
    pairings = (
        pairings_visible_to(user)
        .filter(cadre=user, ended_on__isnull=True)
        .select_related("household__village__parent")
        .annotate(last_contact_on=_last_contact())
    )
    policies = Policies()
    rows = []
    for pairing in pairings:
        every = policies.for_code(pairing.household.village_id).contact_every_days
        since = pairing.last_contact_on or pairing.started_on
        due = since + datetime.timedelta(days=every)
        rows.append(MyHousehold(pairing, pairing.last_contact_on, due, due < as_of))
    return sorted(rows, key=lambda row: (row.due_on, row.pairing.pk))


# The contact log shows this many contacts; the page's timeline reads the same list.
CONTACTS_SHOWN = 50


def household_pairings(*, user, household: Household) -> list[Pairing]:
    """The household's pairings the viewer may read, newest first, read once a page: the
    section of its cadre and the button 联系记录 of its hub both ask."""
    return shared_read(
        user,
        household,
        "pairings",
        lambda: list(
            pairings_visible_to(user)
            .filter(household=household)
            .select_related("cadre", "assigned_by")
            .order_by("-started_on", "-pk")
        ),
    )


def household_contacts(*, user, household: Household) -> list:
    """The household's newest contacts the viewer may read (up to KIND_LIMIT, each with the
    total as `total`), read once a page: the contact log and the hub's timeline."""
    return shared_read(
        user,
        household,
        "contacts",
        lambda: list(
            contacts_visible_to(user)
            .filter(household=household)
            .select_related("cadre")
            .annotate(total=Window(Count("pk")))
            .order_by("-contacted_on", "-pk")[:KIND_LIMIT]
        ),
    )


def household_pairing_section(*, user, household: Household) -> dict:
    """What the household page shows of its cadre: the open pairing, the handovers before it,
    and the contact log (for those who may read it)."""
    pairings = household_pairings(user=user, household=household)
    current = next((pairing for pairing in pairings if pairing.is_open), None)
    contacts = household_contacts(user=user, household=household)[:CONTACTS_SHOWN]
    return {
        "visible": user.has_perm("pairings.view_pairing"),
        "current": current,
        "history": [pairing for pairing in pairings if not pairing.is_open],
        "contacts": contacts,
        "can_read_contacts": user.has_perm("pairings.view_contact"),
        "can_record": current is not None and user.has_perm("pairings.add_contact"),
        "can_assign": user.has_perm("pairings.add_pairing"),
    }


@dataclass(frozen=True)
class CadreLoad:
    cadre: User
    households: int
    limit: int


@dataclass(frozen=True)
class SilentCadre:
    cadre: User
    households: int
    last_contact_on: datetime.date | None
    every_days: int


@dataclass(frozen=True)
class PairingKpis:
    households_without_cadre: int
    without_cadre: list[Household]
    cadres_over_limit: list[CadreLoad]
    cadres_silent: list[SilentCadre]


def pairing_kpis(*, user, as_of: datetime.date, sample: int = 20) -> PairingKpis:
    """The three figures of a township or county: households that need a cadre and have none,
    cadres over their limit, and cadres out of touch with one of their households for longer
    than the policy allows."""
    policies = Policies()
    households = households_visible_to(user)
    if not user.has_perm("pairings.view_pairing"):
        households = households.none()
    paired = Pairing.objects.filter(household=OuterRef("pk"), ended_on__isnull=True)
    unpaired = households.filter(~Exists(paired)).order_by("village_id", "number")
    if PairingPolicy.objects.filter(include_lifted_out=True).exists():
        # Lifted-out households count where their region's policy says so: decided per village.
        candidates = unpaired.filter(
            Q(is_monitored=True) | Q(poverty_status=PovertyStatus.LIFTED_OUT)
        ).only("pk", "number", "head_name", "village_id", "is_monitored")
        rows = [
            household
            for household in candidates
            if household.is_monitored or policies.for_code(household.village_id).include_lifted_out
        ]
        count, sampled = len(rows), rows[:sample]
    else:
        monitored = unpaired.filter(is_monitored=True)
        count, sampled = monitored.count(), list(monitored[:sample])

    open_pairings = pairings_visible_to(user).filter(ended_on__isnull=True)
    loads = (
        open_pairings.values("cadre")
        .annotate(households=Count("pk"))
        .order_by("-households", "cadre")
    )
    cadres = {
        cadre.pk: cadre
        for cadre in User.objects.filter(pk__in=[row["cadre"] for row in loads]).select_related(
            "region"
        )
    }
    over = []
    for row in loads:
        cadre = cadres[row["cadre"]]
        limit = policies.for_code(cadre.region_id).max_households
        if row["households"] > limit:
            over.append(CadreLoad(cadre, row["households"], limit))

    silent: dict[int, SilentCadre] = {}
    with_last = open_pairings.select_related("household").annotate(
        last_contact_on=Max("contacts__contacted_on")
    )
    for pairing in with_last:
        every = policies.for_code(pairing.household.village_id).contact_every_days
        since = pairing.last_contact_on or pairing.started_on
        if since + datetime.timedelta(days=every) >= as_of:
            continue
        known = silent.get(pairing.cadre_id)
        last = pairing.last_contact_on
        if known is None:
            silent[pairing.cadre_id] = SilentCadre(cadres[pairing.cadre_id], 1, last, every)
        else:
            oldest = min((d for d in (known.last_contact_on, last) if d), default=None)
            silent[pairing.cadre_id] = SilentCadre(known.cadre, known.households + 1, oldest, every)
    return PairingKpis(
        households_without_cadre=count,
        without_cadre=sampled,
        cadres_over_limit=over,
        cadres_silent=sorted(silent.values(), key=lambda row: (-row.households, row.cadre.pk)),
    )
