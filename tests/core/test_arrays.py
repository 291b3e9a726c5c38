"""core.arrays.any_of: `column = ANY(array)`, one parameter for any number of values, the same
rows as `column__in`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.arrays import any_of
from households.models import Household, Member

pytestmark = pytest.mark.django_db


def test_the_same_rows_as_in_with_one_parameter(household, other_township_household):
    hashes = list(Member.objects.values_list("id_number_hash", flat=True))
    assert len(hashes) == 3
    wanted = hashes[:2] + ["0" * 64]
    with CaptureQueriesContext(connection) as captured:
        found = set(Member.objects.filter(any_of(Member, "id_number_hash", wanted)))
    assert found == set(Member.objects.filter(id_number_hash__in=wanted))
    assert len(found) == 2
    assert "= ANY(" in captured.captured_queries[0]["sql"]
    # The values travel as one array, whatever their number.
    assert captured.captured_queries[0]["sql"].count("::varchar(64)[]") == 1


def test_a_foreign_key_by_its_name_or_its_column_and_by_primary_key(household):
    by_name = Member.objects.filter(any_of(Member, "household", [household.pk]))
    by_column = Member.objects.filter(any_of(Member, "household_id", [household.pk]))
    assert by_name.count() == by_column.count() == 2
    assert list(Household.objects.filter(any_of(Household, "id", {household.pk}))) == [household]
    # An update and an exclusion take it too.
    assert Household.objects.filter(any_of(Household, "id", [household.pk])).update(address="x")
    assert not Member.objects.exclude(any_of(Member, "household", [household.pk])).exists()


def test_no_values_match_nothing(household):
    assert not Member.objects.filter(any_of(Member, "id_number_hash", [])).exists()
    assert not Household.objects.filter(any_of(Household, "id", iter(()))).exists()
