"""core.arrays.any_of: `column = ANY(array)`, one parameter for any number of values, the same
rows as `column__in`; any_id_unseen the same rows, the ids out of the planner's sight."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.arrays import any_id, any_id_unseen, any_of, id_array
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
    assert captured.captured_queries[0]["sql"].count("::text[]") == 1


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


def test_a_longer_string_is_never_cut_down_to_one_that_matches(household):
    # Cast to the column's varchar(20)[], a 21-digit number would be cut to the stored 20.
    Household.objects.filter(pk=household.pk).update(number="1" * 20)
    longer = ["1" * 20 + "9"]
    assert not Household.objects.filter(number__in=longer).exists()
    assert not Household.objects.filter(any_of(Household, "number", longer)).exists()
    assert Household.objects.filter(any_of(Household, "number", ["1" * 20])).exists()


def test_an_exclusion_keeps_the_rows_whose_column_is_empty(household):
    # Alert.assignee is nullable: exclude(assignee__in=…) keeps the unassigned warnings, and so
    # must the array form, where NOT of a NULL comparison alone would drop them.
    from django.utils import timezone

    from monitoring.models import Alert

    alert = Alert.objects.create(
        household=household,
        level="high",
        score=80,
        reasons=[],
        reason_codes=[],
        opened_at=timezone.now(),
    )
    assert alert.assignee_id is None
    assert list(Alert.objects.exclude(assignee__in=[1, 2])) == [alert]
    assert list(Alert.objects.exclude(any_of(Alert, "assignee", [1, 2]))) == [alert]
    assert not Alert.objects.filter(any_of(Alert, "assignee", [1, 2])).exists()


def test_ids_across_a_relation_as_one_array_of_text(household, other_township_household):
    """any_id: the rows of `path__in=ids`, for a path across relations, the ids sent as one
    array's text (a scan chunk's, monitoring.engine.facts)."""
    ids = [household.pk, 10**12]
    with CaptureQueriesContext(connection) as captured:
        found = set(Member.objects.filter(any_id("household__id", ids)))
    assert found == set(Member.objects.filter(household__id__in=ids))
    assert len(found) == 2
    assert f"'{{{household.pk},{10**12}}}'::bigint[]" in captured.captured_queries[0]["sql"]
    assert id_array([]) == "{}"
    assert not Member.objects.filter(any_id("household_id", [])).exists()


def _estimated_rows(condition) -> int:
    """The planner's estimate of the members a condition keeps, on a table of members it holds
    no statistics of. The real members table would do only until the server's autovacuum
    analyzes it: with its two rows counted, every estimate is 2 and the sizes no longer tell."""
    query = Member.objects.filter(condition).query
    where, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    with connection.cursor() as cursor:
        # Never analyzed, so planned as ten pages' worth of rows; named as the members table so
        # that the condition's qualified column reads it.
        cursor.execute("CREATE TEMP TABLE unanalyzed_members (household_id bigint)")
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM unanalyzed_members AS households_member "
            "WHERE " + where,
            params,
        )
        plan = cursor.fetchone()[0]
        cursor.execute("DROP TABLE unanalyzed_members")
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def test_ids_out_of_the_planners_sight_give_the_same_rows(household, other_township_household):
    ids = [household.pk, 10**12]
    found = set(Member.objects.filter(any_id_unseen("household_id", ids)))
    assert found == set(Member.objects.filter(any_id("household_id", ids)))
    assert len(found) == 2
    assert not Member.objects.filter(any_id_unseen("household_id", [])).exists()


def test_the_planner_estimates_the_unseen_ids_without_reading_them():
    # A scan chunk's side loads (monitoring.engine.facts): 5,000 ids as a constant were planned
    # element by element, and the estimate they gave led to a hash of the county's events.
    few, many = [1, 2, 3], list(range(1, 5001))

    def estimate(condition_of) -> int:
        return _estimated_rows(condition_of("household_id"))

    assert estimate(lambda path: any_id_unseen(path, few)) == estimate(
        lambda path: any_id_unseen(path, many)
    )
    assert estimate(lambda path: any_id(path, few)) < estimate(lambda path: any_id(path, many))
