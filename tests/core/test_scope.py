"""Scope: what a user may see, as a region prefix and a partner, in one value (core/scope.py)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import Role, User
from core.scope import NOTHING, Scope
from households.models import Household, Region
from tests.conftest import (
    HOME_COUNTY,
    HOME_TOWNSHIP,
    HOME_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
    OTHER_TOWNSHIP_VILLAGE,
)


def _user(role="", region_id=None, partner_id=None, is_superuser=False):
    """A user as Scope reads it: attributes only (core imports no app)."""
    return SimpleNamespace(
        is_authenticated=True,
        is_superuser=is_superuser,
        role=role,
        region_id=region_id,
        partner_id=partner_id,
    )


@pytest.mark.parametrize(
    "region, prefix",
    [
        ("620000000000", "62"),  # province
        ("620400000000", "6204"),  # city
        (HOME_COUNTY, "620423"),
        (HOME_TOWNSHIP, "620423100"),
        (HOME_VILLAGE, HOME_VILLAGE),
    ],
)
def test_the_prefix_is_the_part_of_the_region_code_its_level_uses(region, prefix):
    assert Scope.of(_user(Role.TOWNSHIP_CADRE, region)).prefix == prefix


def test_a_superuser_sees_everything():
    scope = Scope.of(_user(is_superuser=True))
    assert scope.prefix == ""
    assert scope.sees_everything and not scope.sees_nothing


def test_an_account_without_a_region_sees_nothing():
    scope = Scope.of(_user(Role.COUNTY_OFFICER))
    assert scope.prefix is None
    assert scope.sees_nothing and not scope.sees_everything


def test_an_anonymous_visitor_sees_nothing():
    assert Scope.of(AnonymousUser()) == Scope(prefix=None, partner=None)
    assert Scope.of(None).sees_nothing


def test_a_partners_user_carries_the_partner():
    scope = Scope.of(_user(Role.PARTNER, HOME_COUNTY, partner_id=7))
    assert scope == Scope(prefix="620423", partner=7)


def test_only_a_partners_user_carries_a_partner():
    assert Scope.of(_user(Role.COUNTY_OFFICER, HOME_COUNTY, partner_id=7)).partner is None
    assert Scope.of(_user(Role.PARTNER, HOME_COUNTY)).partner is None


def test_a_scope_is_a_frozen_value():
    scope = Scope(prefix="620423")
    with pytest.raises(AttributeError):
        scope.prefix = ""  # type: ignore[misc]
    assert scope == Scope.under(HOME_COUNTY)
    assert hash(scope) == hash(Scope(prefix="620423"))


@pytest.mark.parametrize(
    "region, prefix",
    [
        (HOME_COUNTY, "620423"),  # a full code: everything under it
        (HOME_VILLAGE, HOME_VILLAGE),
        ("620423", "620423"),  # a prefix stays as given
        ("6204231", "6204231"),
        ("", ""),
    ],
)
def test_under_reads_a_full_code_or_a_prefix(region, prefix):
    assert Scope.under(region).prefix == prefix


def test_q_filters_the_code_at_the_path_by_the_prefix():
    assert Scope(prefix="620423100").q("village__code") == Q(village__code__startswith="620423100")
    assert Scope(prefix="").q("region_code") == Q(region_code__startswith="")
    assert Scope(prefix=None).q("village__code") == NOTHING


def test_a_villages_scope_is_its_code_itself():
    """A whole code starts only itself: said as equality, which PostgreSQL estimates from the
    number of villages rather than from a histogram bucket (a hundredth of the rows)."""
    village = Scope(prefix=HOME_VILLAGE)
    assert village.is_one_code
    assert village.q("village__code") == Q(village__code=HOME_VILLAGE)
    assert village.q_range("village__code") == village.q("village__code")
    assert not Scope(prefix="620423100").is_one_code
    assert not Scope(prefix="62042310020a").is_one_code  # twelve characters, not a code
    assert Scope(prefix="62042310020a").q("c") == Q(c__startswith="62042310020a")


@pytest.mark.django_db
def test_a_village_workers_rows_are_those_of_the_prefix(village_worker):
    """Equality selects exactly the rows the prefix did: codes are 12 digits at most."""
    for village in (HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE):
        Household.objects.create(
            number=f"{village}0001", village_id=village, head_name="甲", poverty_status="ordinary"
        )
    scope = Scope.of(village_worker)
    by_scope = Household.objects.filter(scope.q("village__code"))
    by_prefix = Household.objects.filter(village__code__startswith=scope.prefix)
    assert list(by_scope.values_list("village_id", flat=True)) == [HOME_VILLAGE]
    assert set(by_scope) == set(by_prefix)


@pytest.mark.parametrize(
    "code, covered",
    [
        (HOME_TOWNSHIP, True),
        (HOME_VILLAGE, True),
        ("620423100", True),  # a scan's scope, as a prefix
        (OTHER_TOWNSHIP, False),
        (OTHER_TOWNSHIP_VILLAGE, False),
        (HOME_COUNTY, False),  # the county above
        ("620423", False),
        ("", False),
        (None, False),
    ],
)
def test_covers_the_region_and_what_lies_under_it(code, covered):
    assert Scope.of(_user(Role.TOWNSHIP_CADRE, HOME_TOWNSHIP)).covers(code) is covered


def test_everything_covers_every_code_and_nothing_covers_none():
    assert Scope(prefix="").covers(OTHER_COUNTY)
    assert Scope(prefix="").covers("")
    assert not Scope(prefix=None).covers(HOME_VILLAGE)
    assert not Scope(prefix=None).covers("")


@pytest.mark.parametrize(
    "region, above",
    [
        ("620000000000", []),
        ("620400000000", ["620000000000"]),
        (HOME_COUNTY, ["620000000000", "620400000000"]),
        (HOME_TOWNSHIP, ["620000000000", "620400000000", HOME_COUNTY]),
        (HOME_VILLAGE, ["620000000000", "620400000000", HOME_COUNTY, HOME_TOWNSHIP]),
    ],
)
def test_regions_above_are_the_full_codes_from_the_province_down(region, above):
    assert Scope.of(_user(Role.VILLAGE_WORKER, region)).regions_above() == above


def test_everything_and_nothing_have_no_region_above():
    assert Scope(prefix="").regions_above() == []
    assert Scope(prefix=None).regions_above() == []


@pytest.mark.django_db
def test_q_selects_the_rows_of_the_region_in_the_database(township_cadre, other_township_cadre):
    Household.objects.create(
        number=f"{HOME_VILLAGE}0001",
        village_id=HOME_VILLAGE,
        head_name="甲",
        poverty_status="ordinary",
    )
    Household.objects.create(
        number=f"{OTHER_TOWNSHIP_VILLAGE}0001",
        village_id=OTHER_TOWNSHIP_VILLAGE,
        head_name="乙",
        poverty_status="ordinary",
    )

    def numbers(user):
        return set(
            Household.objects.filter(Scope.of(user).q("village__code")).values_list(
                "village_id", flat=True
            )
        )

    assert numbers(township_cadre) == {HOME_VILLAGE}
    assert numbers(other_township_cadre) == {OTHER_TOWNSHIP_VILLAGE}
    nobody = User.objects.create_user(username="nobody", role=Role.COUNTY_OFFICER)
    assert numbers(nobody) == set()
    boss = User.objects.create_superuser(username="boss", password="x-password-123")
    assert numbers(boss) == {HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE}


@pytest.mark.django_db
def test_real_users_scope_as_their_role_level(village_worker, township_cadre, county_officer):
    assert Scope.of(village_worker).prefix == HOME_VILLAGE
    assert Scope.of(township_cadre).prefix == "620423100"
    assert Scope.of(county_officer).prefix == "620423"
    assert Region.objects.filter(Scope.of(county_officer).q("code")).count() == (
        Region.objects.filter(code__gte="620423", code__lt="620424").count()
    )


@pytest.mark.django_db
def test_a_real_partner_user_carries_their_partner(partner, partner_org):
    assert Scope.of(partner) == Scope(prefix="620423", partner=partner_org.pk)


def test_q_range_is_the_prefixs_range_of_codes():
    assert Scope(prefix="620423100").q_range("village__code") == Q(
        village__code__gte="620423100"
    ) & Q(village__code__lt="620423101")
    # The next prefix of the same length, carried: "…09" is followed by "…10", not "…0:".
    assert Scope(prefix="620429").q_range("c") == Q(c__gte="620429") & Q(c__lt="620430")
    assert Scope(prefix="99").q_range("c") == Q(c__startswith="99")  # no range follows it
    assert Scope(prefix="").q_range("c") == Scope(prefix="").q("c")  # everything
    assert Scope(prefix=None).q_range("c") == NOTHING
    assert Scope(prefix="62a").q_range("c") == Q(c__startswith="62a")  # no code: the prefix
    assert Scope(prefix="６２").q_range("c") == Q(c__startswith="６２")  # digits, but not ASCII


@pytest.mark.parametrize(
    "code",
    [HOME_TOWNSHIP, HOME_VILLAGE, "620423109999", OTHER_TOWNSHIP, OTHER_TOWNSHIP_VILLAGE],
)
def test_q_range_holds_exactly_the_codes_q_holds(code):
    """Every code is 12 digits and a prefix is digits: the range and the prefix agree."""
    scope = Scope(prefix="620423100")
    in_range = scope.prefix <= code < "620423101"
    assert in_range is code.startswith(scope.prefix)
