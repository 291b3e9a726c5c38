import pytest
from django.db import IntegrityError, transaction

from core import regions
from households.models import Region


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("620000000000", "province", "62"),
        ("620400000000", "city", "6204"),
        ("620423000000", "county", "620423"),
        ("620201000000", "county", "620201"),  # 嘉峪关市: a city with no county level
        ("620423100000", "township", "620423100"),
        ("620423100200", "village", "620423100200"),
        ("110101001001", "village", "110101001001"),
    ],
)
def test_level_and_prefix_are_read_off_the_code(code, level, prefix):
    assert regions.level_of(code) == level
    assert regions.prefix_of(code) == prefix


@pytest.mark.parametrize(
    "code",
    [
        "",
        "62042310020",
        "6204231002000",
        "62042310020X",
        "000000000000",
        "６２０４２３１００２００",  # full-width digits: Python's \d takes them
        "620423100200\n",  # the old ^…$ took a trailing newline
    ],
)
def test_a_malformed_code_is_refused(code):
    with pytest.raises(ValueError):
        regions.level_of(code)


def test_ancestors_run_from_the_province_down():
    assert regions.ancestors_of("620423100200") == [
        "620000000000",
        "620400000000",
        "620423000000",
        "620423100000",
    ]


@pytest.mark.django_db
def test_jingtai_is_loaded_with_all_its_townships_and_villages():
    county = Region.objects.get(code="620423000000")
    assert county.name == "景泰县"
    assert county.parent.name == "白银市"
    assert county.parent.parent.name == "甘肃省"
    townships = Region.objects.filter(parent=county)
    assert townships.count() == 11
    assert Region.objects.filter(code__startswith="620423", level="village").count() == 151
    assert Region.objects.get(code="620423100200").short_name == "水源村"


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    from django.core.management import call_command

    before = Region.objects.count()
    call_command("load_regions", "620423", verbosity=0)
    assert Region.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["６２０４２３１００２０１", "62042310020a", "6204231002"])
def test_the_database_refuses_a_code_that_is_not_twelve_ascii_digits(code):
    # bulk_create runs no validator: the CHECK is what holds, for SQL and fixtures too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.bulk_create([Region(code=code, name="x", level=Region.Level.VILLAGE)])
    assert not Region.objects.filter(code=code).exists()
